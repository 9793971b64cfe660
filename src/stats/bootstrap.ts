import { createRandom } from './random.js';

export interface BootstrapOptions {
  /** Resamples drawn; default 2000 (Efron & Tibshirani recommend ≥ 1000 for percentile intervals). */
  readonly resamples?: number;
  /** Two-sided coverage in (0, 1); default 0.95. */
  readonly confidence?: number;
  /** PRNG seed; default 42. The same values, options and seed always give the same interval. */
  readonly seed?: number;
}

/** A point estimate and its percentile-bootstrap interval, `lower ≤ upper`. */
interface ConfidenceInterval {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
}

const defaultBootstrap = { resamples: 2000, confidence: 0.95, seed: 42 } as const satisfies Required<BootstrapOptions>;

/**
 * Percentile bootstrap CI of the mean of `values` (e.g. per-query nDCG@10): draw `resamples` samples of size n with
 * replacement, take each sample's mean, and report the (1−c)/2 and (1+c)/2 quantiles of those means. `mean` is the
 * plain mean of `values`, not of the resamples. A constant sample gives a zero-width interval.
 * Pure and deterministic for a seed. Throws RangeError on an empty sample, a non-finite value or bad options.
 */
export function bootstrapMean(values: readonly number[], options: BootstrapOptions = {}): ConfidenceInterval {
  const { resamples, confidence, seed } = resolve(options);
  const means = bootstrapMeans(values, { resamples, seed });
  const alpha = 1 - confidence;
  const mean = meanOf(values);
  // Summation order differs between the plain mean and the resample means, so a constant sample can land a few
  // ulps away from its own mean; clamping keeps `lower ≤ mean ≤ upper` exact in that degenerate case.
  const lower = Math.min(quantile(means, alpha / 2), mean);
  const upper = Math.max(quantile(means, 1 - alpha / 2), mean);
  return { mean, lower, upper };
}

/**
 * The sorted means of `resamples` bootstrap samples of `values` (size n, with replacement, seeded): the bootstrap
 * distribution every percentile interval and one-sided bound here reads its quantiles from.
 */
export function bootstrapMeans(values: readonly number[], options: { readonly resamples: number; readonly seed: number }): Float64Array {
  checkSample(values, 'values');
  if (!Number.isInteger(options.resamples) || options.resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${options.resamples}`);
  const n = values.length;
  const random = createRandom(options.seed);
  const means = new Float64Array(options.resamples);
  for (let r = 0; r < options.resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[random.int(n)]!;
    means[r] = sum / n;
  }
  return means.sort();
}

/** One-sided bounds of a mean difference: P(Δ ≥ lower) ≥ level and, separately, P(Δ ≤ upper) ≥ level. */
export interface OneSidedBounds {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
  /** The one-sided coverage of each bound, e.g. 1 − α/F. */
  readonly level: number;
  readonly resamples: number;
}

/**
 * Paired percentile-bootstrap one-sided bounds of mean(a − b) at `level` each: lower = the (1 − level) quantile of
 * the resampled mean differences, upper = the `level` quantile. A two-sided interval at 1 − 2(1 − level) has the
 * same end points. The tail must hold enough resamples to be read: at least `minTail` (default 20) resamples lie
 * beyond each bound, so for level 1 − 0.05/6 the resample count is raised from 2,000 to 20 / (0.05/6) = 2,400.
 */
export function pairedBootstrapBounds(
  a: readonly number[],
  b: readonly number[],
  options: { readonly level: number; readonly seed?: number; readonly resamples?: number; readonly minTail?: number },
): OneSidedBounds {
  if (a.length !== b.length) throw new RangeError(`paired samples must have the same length, got ${a.length} and ${b.length}`);
  if (!(options.level > 0.5 && options.level < 1)) throw new RangeError(`level must be in (0.5, 1), got ${options.level}`);
  const tail = 1 - options.level;
  const resamples = Math.max(options.resamples ?? defaultBootstrap.resamples, Math.ceil((options.minTail ?? 20) / tail - 1e-9));
  const differences = a.map((x, i) => x - b[i]!);
  const means = bootstrapMeans(differences, { resamples, seed: options.seed ?? defaultBootstrap.seed });
  const mean = meanOf(differences);
  return {
    mean,
    lower: Math.min(quantile(means, tail), mean),
    upper: Math.max(quantile(means, options.level), mean),
    level: options.level,
    resamples,
  };
}

/** Sample standard deviation (n − 1 denominator); 0 for a single value. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = meanOf(values);
  let sum = 0;
  for (const value of values) sum += (value - mean) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

/**
 * Paired bootstrap CI of `mean(a) − mean(b)` where `a[i]` and `b[i]` are two systems' scores on the same query i.
 * Resampling the per-query differences keeps the pairing, so query difficulty (shared by both systems) does not
 * widen the interval. An interval that excludes 0 suggests a real difference at level 1 − confidence.
 * Throws RangeError when the lengths differ or a sample is empty.
 */
export function pairedBootstrapDiff(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): ConfidenceInterval {
  if (a.length !== b.length) {
    throw new RangeError(`paired samples must have the same length, got ${a.length} and ${b.length}`);
  }
  checkSample(a, 'a');
  checkSample(b, 'b');
  return bootstrapMean(
    a.map((x, i) => x - b[i]!),
    options,
  );
}

export function meanOf(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * Quantile of sorted data with linear interpolation between order statistics (Hyndman & Fan type 7, the default
 * of R and NumPy), so small resample counts still give a defined, monotone value.
 */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

function resolve(options: BootstrapOptions): Required<BootstrapOptions> {
  const resolved = { ...defaultBootstrap, ...stripUndefined(options) };
  if (!Number.isInteger(resolved.resamples) || resolved.resamples < 1) {
    throw new RangeError(`resamples must be a positive integer, got ${resolved.resamples}`);
  }
  if (!(resolved.confidence > 0 && resolved.confidence < 1)) {
    throw new RangeError(`confidence must be in (0, 1), got ${resolved.confidence}`);
  }
  return resolved;
}

function stripUndefined(options: BootstrapOptions): BootstrapOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

function checkSample(values: readonly number[], name: string): void {
  if (values.length === 0) throw new RangeError(`${name}: cannot bootstrap an empty sample`);
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`${name}: sample contains ${value}`);
  }
}
