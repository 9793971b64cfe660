import type { ScoredEstimate } from '../../report/run/summary.js';
import { bootstrapMean, type BootstrapOptions } from '../../stats/bootstrap.js';

/**
 * Mean and bootstrap interval over the queries a metric could score (null = could not); the others are
 * counted in `nulls`, never averaged in as 0.
 */
export function estimateOverScored(values: readonly (number | null | undefined)[], bootstrap: BootstrapOptions): ScoredEstimate {
  const scored = values.filter((value): value is number => typeof value === 'number');
  const nulls = values.length - scored.length;
  return scored.length > 0 ? { ...bootstrapMean(scored, bootstrap), scored: scored.length, nulls } : { mean: null, scored: 0, nulls };
}
