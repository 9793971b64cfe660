import { z } from 'zod';
import { distributionBasedFusion } from './dbsf.js';
import type { FuseScores } from './fusion.js';
import { minMaxFusion } from './minmax.js';
import { reciprocalRankFusion } from './rrf.js';
import { zScoreFusion } from './zscore.js';

/**
 * `fusion:` of a hybrid retriever: the method (the key of each branch) and its options. rrf uses only positions;
 * minmax and zscore are weighted sums of normalised scores; dbsf normalises by each list's 3σ range.
 */
export const fusionSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('rrf'), k: z.number().positive().default(60) }),
  z.strictObject({ method: z.literal('minmax') }),
  z.strictObject({ method: z.literal('zscore') }),
  z.strictObject({ method: z.literal('dbsf') }),
]);
export type FusionConfig = z.output<typeof fusionSchema>;
export const fusionMethods = ['rrf', 'minmax', 'zscore', 'dbsf'] as const;

export function fusionOf(config: FusionConfig): FuseScores {
  switch (config.method) {
    case 'rrf':
      return reciprocalRankFusion(config.k);
    case 'minmax':
      return minMaxFusion;
    case 'zscore':
      return zScoreFusion;
    case 'dbsf':
      return distributionBasedFusion;
  }
}
