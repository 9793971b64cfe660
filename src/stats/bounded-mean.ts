import { meanOf } from './bootstrap.js';
import { regularizedIncompleteBeta } from './paired-tests.js';

/** A mean of values in [0, 1] with a two-sided interval, and the effective sample size the interval used. */
export interface BoundedMeanInterval {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
  /** n / φ̃ (see boundedMeanInterval); equals n for 0/1 data and when every value is 0 or every value is 1. */
  readonly effectiveN: number;
}

/**
 * Interval for the population mean of per-unit values in [0, 1] (e.g. per-query ANN recall@k): Clopper–Pearson
 * with an effective sample size (Korn & Graubard 1998, the interval survey statistics uses for proportions with few
 * "failures"), n_eff = n / φ̃, where φ̃ = s̃² / (m̃(1 − m̃)) is the dispersion of the sample with one pseudo-value 0
 * added (s̃², m̃: its variance and mean). Then lower = Beta⁻¹(α/2; n_eff·m, n_eff(1 − m) + 1) and
 * upper = Beta⁻¹(1 − α/2; n_eff·m + 1, n_eff(1 − m)).
 *
 * Why not the percentile bootstrap (src/stats/bootstrap.ts): near 1 it collapses. 15 queries of recall 1 give
 * [1, 1], and a sample with no miss is common even when the index misses 1 in 50 queries entirely (0.98^15 = 0.74).
 * Clopper–Pearson at n_eff = n is exact there for any distribution on [0, 1] (P(all n values are 1) ≤ μⁿ, so
 * lower = (α/2)^(1/n), 0.782 for 15 queries). Values strictly between 0 and 1 vary less than 0/1 values of the same
 * mean, so n_eff > n narrows the interval as their sample variance allows; the pseudo-zero keeps that variance from
 * being trusted when the sample happens to contain none of the rare total misses an ANN index makes (without it,
 * coverage falls to 0.85 in test/unit/stats/bounded-mean.test.ts's mixed case). The simulation there checks coverage
 * at recall 0.9, 0.97 and 0.995 over 15, 50 and 200 queries; the interval is conservative at small n and high recall.
 */
export function boundedMeanInterval(values: readonly number[], options: { readonly confidence?: number } = {}): BoundedMeanInterval {
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (values.length === 0) throw new RangeError('an interval needs at least one value');
  for (const value of values) if (!(value >= 0 && value <= 1)) throw new RangeError(`values must be in [0, 1], got ${value}`);
  const n = values.length;
  const mean = meanOf(values);
  const effectiveN = mean === 0 || mean === 1 ? n : n / dispersion(values);
  return { mean, ...clopperPearson(mean, effectiveN, confidence), confidence, effectiveN };
}

/**
 * Queries at which the interval, at the observed mean and dispersion, would lie wholly on one side of `threshold`
 * (its lower bound ≥ threshold when the mean is above, its upper bound < threshold when below): the sample size
 * that would decide. null when the mean equals the threshold (no sample size would decide) or more than 10⁷ would.
 */
export function queriesToDecide(interval: BoundedMeanInterval, n: number, threshold: number): number | null {
  const { mean, confidence } = interval;
  if (mean === threshold) return null;
  const ratio = interval.effectiveN / n;
  const decided = (size: number) => {
    const bounds = clopperPearson(mean, size * ratio, confidence);
    return mean > threshold ? bounds.lower >= threshold : bounds.upper < threshold;
  };
  let high = Math.max(1, n);
  while (!decided(high)) {
    high *= 2;
    if (high > 1e7) return null;
  }
  let low = 0;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (decided(middle)) high = middle;
    else low = middle;
  }
  return high;
}

/** Clopper–Pearson bounds for `mean` as a share of `size` (fractional successes allowed). */
function clopperPearson(mean: number, size: number, confidence: number): { lower: number; upper: number } {
  const alpha = 1 - confidence;
  const successes = size * mean;
  return {
    lower: mean === 0 ? 0 : Math.min(mean, betaQuantile(alpha / 2, successes, size - successes + 1)),
    upper: mean === 1 ? 1 : Math.max(mean, betaQuantile(1 - alpha / 2, successes + 1, size - successes)),
  };
}

/** φ̃: variance over the Bernoulli variance at the same mean, of the values plus one pseudo-value 0. */
function dispersion(values: readonly number[]): number {
  const augmented = [...values, 0];
  const mean = meanOf(augmented);
  let sum = 0;
  for (const value of augmented) sum += (value - mean) ** 2;
  return sum / (augmented.length - 1) / (mean * (1 - mean));
}

/**
 * The p-quantile of Beta(a, b), the x with I_x(a, b) = p, by bisection on the CDF (monotone, so bisection cannot
 * miss; ~50 halvings reach 1e-15). With integer parameters these are the exact binomial bounds:
 * P(Bin(n, p) ≥ x) = I_p(x, n − x + 1). Fractional parameters, as an effective sample size makes them, work the same.
 */
export function betaQuantile(p: number, a: number, b: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  if (p === 0) return 0;
  if (p === 1) return 1;
  let low = 0;
  let high = 1;
  for (let i = 0; i < 200 && high - low > 1e-15; i++) {
    const middle = (low + high) / 2;
    if (regularizedIncompleteBeta(middle, a, b) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}
