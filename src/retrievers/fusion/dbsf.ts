import { sumContributions, type FuseScores } from './fusion.js';
import { meanAndDeviation } from './moments.js';

/**
 * Distribution-based score fusion (Mazzeschi 2023; Qdrant's `dbsf`, qdrant_client's
 * `distribution_based_score_fusion`): per component and query, scores are mapped from [μ − 3σ, μ + 3σ] to [0, 1]
 * (σ the sample standard deviation, n − 1), i.e. (s − μ + 3σ) / 6σ, then summed with the weights. A list of one
 * score, or of equal scores (σ = 0), maps every score to 0.5, the middle of the range, instead of dividing by 0.
 */
export const distributionBasedFusion: FuseScores = (lists) =>
  sumContributions(lists, (scores) => {
    const { mean, deviation } = meanAndDeviation(scores, 1);
    if (!(deviation > 0)) return () => 0.5;
    return (position) => (scores[position]! - (mean - 3 * deviation)) / (6 * deviation);
  });
