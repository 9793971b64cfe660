import type { AnnRecallConfig } from '../../config/eval-config.js';
import type { Query } from '../../corpus/types.js';
import { recallAgainst } from '../../metrics/overlap.js';
import type { AnnRecallSummary } from '../../report/run/summary.js';
import type { Retriever } from '../../retrievers/retriever.js';
import { ExactSearchUnavailable, type Approximation } from '../../stores/vector-store.js';
import { boundedMeanInterval, queriesToDecide } from '../../stats/bounded-mean.js';
import { createRandom } from '../../stats/random.js';

/**
 * ANN recall of one arm: a seeded sample of its queries searched through the ANN index and exactly over the same
 * index, recall@k = the share of the exact top-k chunks the ANN top-k found, averaged over the sample, with its 95%
 * interval over the sampled queries (src/stats/bounded-mean.ts). Its verdict against minRecall reads the interval: the
 * lower bound must clear it ("meets"); an upper bound under it is "below"; otherwise too few queries were sampled.
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
  if (!retriever.retrieveExact) return { ...base, recall: null, lower: null, upper: null, warning: `ANN recall not measured: ${approximation.index} has no exact search to compare with` };
  const approximate = retriever.retrieveBatch
    ? await retriever.retrieveBatch(sample, config.k, signal)
    : await Promise.all(sample.map((query) => retriever.retrieve(query, config.k, signal)));
  let exact;
  try {
    exact = await retriever.retrieveExact(sample, config.k, signal);
  } catch (error) {
    if (!(error instanceof ExactSearchUnavailable)) throw error;
    return { ...base, recall: null, lower: null, upper: null, warning: `ANN recall not measured: ${error.message}` };
  }
  const ids = (hits: readonly { id: string }[] | undefined) => (hits ?? []).map((hit) => hit.id);
  const perQuery = sample.map((_, i) => recallAgainst(ids(approximate[i]), ids(exact[i]), config.k));
  if (perQuery.length === 0) return { ...base, recall: null, lower: null, upper: null, warning: 'ANN recall not measured: the eval has no queries' };
  const interval = boundedMeanInterval(perQuery, { confidence: annRecallConfidence });
  const verdict = annRecallVerdict(interval, config.minRecall);
  const queriesNeeded = verdict === 'inconclusive' ? queriesToDecide(interval, perQuery.length, config.minRecall) : null;
  const summary = { ...base, recall: interval.mean, lower: interval.lower, upper: interval.upper, confidence: annRecallConfidence, verdict };
  if (verdict === 'meets') return summary;
  return { ...summary, queriesNeeded, warning: annRecallWarning(summary, { approximation, available: queries.length, queriesNeeded }) };
}

/** The ANN recall interval is two-sided 95%; its lower bound decides "meets the threshold" (a one-sided 97.5% claim). */
const annRecallConfidence = 0.95;

/** meets: the lower bound clears minRecall; below: the upper bound is under it; inconclusive: the interval straddles it. */
export function annRecallVerdict(interval: { readonly lower: number; readonly upper: number }, minRecall: number): 'meets' | 'below' | 'inconclusive' {
  if (interval.lower >= minRecall) return 'meets';
  return interval.upper < minRecall ? 'below' : 'inconclusive';
}

function annRecallWarning(
  ann: { readonly k: number; readonly recall: number; readonly lower: number; readonly upper: number; readonly queries: number; readonly minRecall: number; readonly verdict: string; readonly index: string },
  context: { readonly approximation: Approximation; readonly available: number; readonly queriesNeeded: number | null },
): string {
  const head = `ANN recall@${ann.k} ${ann.recall.toFixed(3)} [${ann.lower.toFixed(3)}, ${ann.upper.toFixed(3)}] over ${ann.queries} sampled queries (${ann.index})`;
  if (ann.verdict === 'below') {
    return `${head}: below ${ann.minRecall}; the metrics describe the index more than the retriever; ${remedy(context.approximation)}`;
  }
  const needed = context.queriesNeeded;
  const would =
    needed === null
      ? 'no sample size would decide at this mean'
      : `about ${needed.toLocaleString('en')} would${needed > context.available ? `, the eval has ${context.available.toLocaleString('en')}` : ''}; raise annRecall.queries`;
  return ann.recall > ann.minRecall
    ? `${head}: not enough sampled queries to show ≥ ${ann.minRecall} (${would})`
    : `${head}: not enough sampled queries to tell whether it reaches ${ann.minRecall} (${would}); if it is below, ${remedy(context.approximation)}`;
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
