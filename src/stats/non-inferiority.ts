import { pairedBootstrapBounds, standardDeviation } from './bootstrap.js';
import { normalQuantile } from './normal.js';

/**
 * A non-inferiority test of a candidate against a baseline on paired per-query scores (Δ = candidate − baseline):
 * is the candidate at most `margin` worse? Three outcomes, read off one-sided paired-bootstrap bounds L and U of Δ
 * at level 1 − α/F each (Bonferroni over the F gated entries of one comparison, so a gate over many arms and metrics
 * does not fail by chance):
 * - pass:         L ≥ −margin  (the data rule out a drop larger than the margin; ≥ rather than > so that a
 *                 candidate on which no query got worse passes a zero margin: then L = 0 = −margin),
 * - fail:         U < −margin  (the data rule out a drop within the margin),
 * - inconclusive: otherwise    (the interval straddles −margin: more queries would decide).
 * Under a true Δ = −margin each wrong verdict (pass, or fail) has probability ≤ α/F; at Δ = −margin both are wrong
 * in a sense, but only a pass is harmful, and it happens with probability ≤ α/F per entry, ≤ α over the family.
 */
export type NonInferiorityDecision = 'pass' | 'fail' | 'inconclusive';

export interface NonInferiorityOptions {
  /** The tolerated drop m ≥ 0 (gate `maxDrop`). */
  readonly margin: number;
  /** Family-wise error level α of the whole gate (gate `alpha`). */
  readonly alpha: number;
  /** F ≥ 1: gated entries in the family the gate splits α over. */
  readonly family: number;
  readonly seed?: number;
  /** Bootstrap resamples (raised so each tail holds ≥ 20 of them; see pairedBootstrapBounds). */
  readonly resamples?: number;
  /** Power the minimum detectable drop is computed at; default 0.8. */
  readonly power?: number;
}

export interface NonInferiorityResult {
  readonly decision: NonInferiorityDecision;
  readonly delta: number;
  /** One-sided bounds of Δ, each at `level` = 1 − α/F. */
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly resamples: number;
  readonly queries: number;
  /** Standard deviation of the per-query differences (n − 1): the spread queriesNeeded and the drop assume. */
  readonly sdDelta: number;
  /**
   * Inconclusive only: queries at which a bound at the observed mean and spread would clear −margin,
   * ⌈(z · sd / |Δ + m|)²⌉ with z = Φ⁻¹(1 − α/F); null when Δ = −m exactly (no number of queries would decide).
   */
  readonly queriesNeeded: number | null;
  /**
   * The smallest true drop this many queries fail with probability `power`: m + (z_{1−α/F} + z_power) · sd / √n.
   * Drops between the margin and it are likely to come out inconclusive.
   */
  readonly minDetectableDrop: number;
}

/** See NonInferiorityDecision. Throws RangeError on unequal or empty samples and bad options. */
export function nonInferiority(candidate: readonly number[], baseline: readonly number[], options: NonInferiorityOptions): NonInferiorityResult {
  const { margin, alpha, family } = options;
  if (!(margin >= 0)) throw new RangeError(`margin must be ≥ 0, got ${margin}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!Number.isInteger(family) || family < 1) throw new RangeError(`family must be a positive integer, got ${family}`);
  const level = 1 - alpha / family;
  const bounds = pairedBootstrapBounds(candidate, baseline, {
    level,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
  });
  const decision: NonInferiorityDecision = bounds.lower >= -margin ? 'pass' : bounds.upper < -margin ? 'fail' : 'inconclusive';
  const n = candidate.length;
  const sdDelta = standardDeviation(candidate.map((x, i) => x - baseline[i]!));
  const z = normalQuantile(level);
  const distance = Math.abs(bounds.mean + margin);
  const queriesNeeded = decision !== 'inconclusive' ? null : distance <= 1e-12 ? null : Math.max(n + 1, Math.ceil(((z * sdDelta) / distance) ** 2));
  return {
    decision,
    delta: bounds.mean,
    lower: bounds.lower,
    upper: bounds.upper,
    level,
    resamples: bounds.resamples,
    queries: n,
    sdDelta,
    queriesNeeded,
    minDetectableDrop: margin + ((z + normalQuantile(options.power ?? 0.8)) * sdDelta) / Math.sqrt(n),
  };
}
