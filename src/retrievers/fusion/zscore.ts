import { sumContributions, type FuseScores } from './fusion.js';
import { meanAndDeviation } from './moments.js';

/**
 * Weighted sum of z-scores: (s − mean) / max(σ, 1e-9) per component and query, σ the population standard
 * deviation, then Σ w_i · z_i(d), as ranx's `zmuv_norm` followed by `wsum`. A chunk a component did not return
 * gets 0 from it, i.e. that component's mean.
 */
export const zScoreFusion: FuseScores = (lists) =>
  sumContributions(lists, (scores) => {
    const { mean, deviation } = meanAndDeviation(scores, 0);
    return (position) => (scores[position]! - mean) / Math.max(deviation, 1e-9);
  });
