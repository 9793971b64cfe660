import { sumContributions, type FuseScores } from './fusion.js';

/**
 * Weighted sum of min-max normalised scores: (s − min) / max(max − min, 1e-9) per component and query, then
 * Σ w_i · norm_i(d), as ranx's `min_max_norm` followed by `wsum`. A list whose scores are all equal maps to 0.
 */
export const minMaxFusion: FuseScores = (lists) =>
  sumContributions(lists, (scores) => {
    const min = Math.min(...scores);
    const range = Math.max(Math.max(...scores) - min, 1e-9);
    return (position) => (scores[position]! - min) / range;
  });
