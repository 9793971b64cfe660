import type { AnnRecallConfig } from '../../config/eval-config.js';
import type { Query } from '../../corpus/types.js';
import { recallAgainst } from '../../metrics/overlap.js';
import type { AnnRecallSummary } from '../../report/run/summary.js';
import type { Retriever } from '../../retrievers/retriever.js';
import { ExactSearchUnavailable, type Approximation } from '../../stores/vector-store.js';
import { createRandom } from '../../stats/random.js';

/**
 * ANN recall of one arm: a seeded sample of its queries searched through the ANN index and exactly over the same
 * index, recall@k = the share of the exact top-k chunks the ANN top-k found, averaged over the sample.
 * Undefined for an exact retriever; `recall: null` when the store has no exact search to compare with, or cannot
 * search exactly now (a service index above its `exactMaxRecords`).
 */
export async function measureAnnRecall(
  retriever: Retriever,
  queries: readonly Query[],
  config: AnnRecallConfig,
  signal?: AbortSignal,
): Promise<AnnRecallSummary | undefined> {
  const approximation = retriever.approximation;
  if (!approximation) return undefined;
  const sample = sampleQueries(queries, config.queries, config.seed);
  const base = {
    index: approximation.index,
    ...(approximation.raise ? { raise: approximation.raise } : {}),
    k: config.k,
    queries: sample.length,
    minRecall: config.minRecall,
  };
  if (!retriever.retrieveExact) return { ...base, recall: null, warning: `ANN recall not measured: ${approximation.index} has no exact search to compare with` };
  const approximate = retriever.retrieveBatch
    ? await retriever.retrieveBatch(sample, config.k, signal)
    : await Promise.all(sample.map((query) => retriever.retrieve(query, config.k, signal)));
  let exact;
  try {
    exact = await retriever.retrieveExact(sample, config.k, signal);
  } catch (error) {
    if (!(error instanceof ExactSearchUnavailable)) throw error;
    return { ...base, recall: null, warning: `ANN recall not measured: ${error.message}` };
  }
  const ids = (hits: readonly { id: string }[] | undefined) => (hits ?? []).map((hit) => hit.id);
  const total = sample.reduce((sum, _, i) => sum + recallAgainst(ids(approximate[i]), ids(exact[i]), config.k), 0);
  const recall = sample.length > 0 ? total / sample.length : 1;
  return {
    ...base,
    recall,
    ...(recall < config.minRecall
      ? {
          warning:
            `ANN recall@${config.k} ${recall.toFixed(3)} < ${config.minRecall} on ${sample.length} queries (${approximation.index}): ` +
            `the metrics describe the index more than the retriever; ${remedy(approximation)}`,
        }
      : {}),
  };
}

/** What to do about low recall: raise the setting where there is one, or search exactly. */
function remedy(approximation: Approximation): string {
  const exactly = `search exactly (${approximation.exactly ?? 'index: none'})`;
  return approximation.raise ? `raise ${approximation.raise}, or ${exactly}` : `it has no setting to raise: ${exactly}`;
}

/** `n` queries without replacement (partial Fisher–Yates, seeded), in their original order. */
function sampleQueries(queries: readonly Query[], n: number, seed: number): Query[] {
  if (queries.length <= n) return [...queries];
  const random = createRandom(seed);
  const order = queries.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + random.int(order.length - i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => queries[i]!);
}
