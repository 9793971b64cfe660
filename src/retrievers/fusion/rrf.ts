import { sumContributions, type FuseScores } from './fusion.js';

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): score(d) = Σ_i w_i / (k + rank_i(d)), rank
 * 1-based, as ranx's `rrf` (which is unweighted: all w_i = 1). Scores are ignored; only positions count.
 */
export function reciprocalRankFusion(k: number): FuseScores {
  return (lists) => sumContributions(lists, () => (position) => 1 / (k + position + 1));
}
