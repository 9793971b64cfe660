/**
 * Document metrics at a context budget (`recall@tokens=2000`, `ndcg@tokens=1000`, …): the fair axis between chunkers
 * of different sizes. A rank cut-off gives a 64-character chunker and a 1500-character one the same number of
 * chunks, i.e. very different amounts of text; a budget gives both the same prompt cost. The chunks are taken in
 * rank order while they fit the budget (`withinTokenBudget`), mapped to documents (each once, at its best chunk),
 * and scored as a ranking without a cut: recall = relevant documents within the budget / all relevant; nDCG's
 * ideal DCG ranks ALL judged relevant documents (trec_eval `ndcg`), so a budget that holds fewer documents than
 * there are relevant ones cannot reach 1 and a bigger budget never lowers the score.
 */
import { retrievalMetrics, toDocRanking, type MetricSpec } from './retrieval.js';
import { withinTokenBudget, type ChunkHitRef } from './spans.js';

/** One query's value of a token-budget metric; `tokensOf` counts a chunk's cl100k tokens (`chunkTokenCounter`). */
export function budgetMetricValue(
  spec: MetricSpec,
  hits: readonly ChunkHitRef[],
  relevant: ReadonlyMap<string, number>,
  tokensOf: (hit: ChunkHitRef) => number,
): number {
  if (spec.tokens === undefined) throw new RangeError(`${spec.label} is not a token-budget metric`);
  const ranked = toDocRanking(withinTokenBudget(hits, spec.tokens, tokensOf));
  return retrievalMetrics[spec.name](ranked, relevant, Infinity);
}
