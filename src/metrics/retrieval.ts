import { UsageError } from '../shared/errors.js';

/**
 * A retrieval metric for one query, in [0, 1].
 * - `ranked`: doc ids best first, without duplicates (a doc counts once, at its best chunk: see `toDocRanking`).
 *   A duplicate throws RangeError: it would let recall exceed 1, and trec_eval rejects it too ("duplicate docs").
 * - `relevant`: docId → grade; grade ≥ 1 is relevant (trec_eval's default relevance_level 1), the grade is the nDCG
 *   gain. Entries with grade ≤ 0 are ignored.
 * - `k`: the cut-off, a positive integer or `Infinity` (no cut). A k larger than the list is fine: the missing
 *   ranks count as non-relevant.
 *
 * A query with no relevant docs scores 0 on every metric (trec_eval guards each division by num_rel the same
 * way); whether such a query counts in a mean is `scoreRun`'s choice. An empty ranking scores 0.
 */
export type RetrievalMetric = (ranked: readonly string[], relevant: ReadonlyMap<string, number>, k: number) => number;

/** recall@k = relevant docs in the top k / all relevant docs (trec_eval `recall_k`). */
export function recall(ranked: readonly string[], relevant: ReadonlyMap<string, number>, k: number): number {
  const total = countRelevant(relevant);
  return total === 0 ? 0 : relevantIn(top(ranked, k), relevant) / total;
}

/** precision@k = relevant docs in the top k / k, even when fewer than k were retrieved (trec_eval `P_k`). */
export function precision(ranked: readonly string[], relevant: ReadonlyMap<string, number>, k: number): number {
  if (!Number.isFinite(k)) throw new RangeError('precision needs a finite k (trec_eval P_k divides by k)');
  return relevantIn(top(ranked, k), relevant) / k;
}

/** hit@k (trec_eval `success_k`): 1 if any relevant doc is in the top k, else 0. */
export function hit(ranked: readonly string[], relevant: ReadonlyMap<string, number>, k: number): number {
  return firstRelevantRank(top(ranked, k), relevant) === undefined ? 0 : 1;
}

/** mrr@k: 1 / rank of the first relevant doc if it is within the top k, else 0 (trec_eval `recip_rank` at k = ∞). */
export function mrr(ranked: readonly string[], relevant: ReadonlyMap<string, number>, k: number): number {
  const rank = firstRelevantRank(top(ranked, k), relevant);
  return rank === undefined ? 0 : 1 / rank;
}

/**
 * nDCG@k exactly as trec_eval's `ndcg_cut` (m_ndcg_cut.c; `ndcg` at k = ∞): DCG = Σ_{rank ≤ k} grade / log2(rank + 1),
 * linear gain. The ideal DCG ranks ALL judged relevant docs by grade, descending, cut at the same k, whether or not
 * the run retrieved them; normalising by the retrieved docs only (a common bug) would inflate every score.
 */
export function ndcg(ranked: readonly string[], relevant: ReadonlyMap<string, number>, k: number): number {
  let dcg = 0;
  top(ranked, k).forEach((docId, index) => {
    const grade = relevant.get(docId) ?? 0;
    if (grade > 0) dcg += grade / Math.log2(index + 2);
  });
  const idealGrades = [...relevant.values()].filter((grade) => grade > 0).sort((a, b) => b - a);
  let ideal = 0;
  cut(idealGrades, k).forEach((grade, index) => {
    ideal += grade / Math.log2(index + 2);
  });
  return ideal === 0 ? 0 : dcg / ideal;
}

/**
 * Average precision cut at k (trec_eval `map_cut_k`; `map` at k = ∞): the sum, over relevant docs within the top k,
 * of precision at their rank, divided by ALL relevant docs (not min(R, k)), as trec_eval does.
 */
export function map(ranked: readonly string[], relevant: ReadonlyMap<string, number>, k: number): number {
  const total = countRelevant(relevant);
  if (total === 0) return 0;
  let found = 0;
  let sum = 0;
  top(ranked, k).forEach((docId, index) => {
    if (isRelevant(docId, relevant)) sum += ++found / (index + 1);
  });
  return sum / total;
}

/** R-precision (trec_eval `Rprec`): precision at rank R = number of relevant docs. Ignores `k`. */
export function rprecision(ranked: readonly string[], relevant: ReadonlyMap<string, number>, _k: number): number {
  const total = countRelevant(relevant);
  return total === 0 ? 0 : relevantIn(top(ranked, total), relevant) / total;
}

/** The metrics by canonical name; the key is what `parseMetricName` returns as `name`. */
export const retrievalMetrics = { recall, precision, hit, mrr, ndcg, map, rprec: rprecision } as const satisfies Record<
  string,
  RetrievalMetric
>;
type RetrievalMetricName = keyof typeof retrievalMetrics;

/**
 * A parsed metric name: `k` is `Infinity` for no cut; `label` is the canonical spelling used as a result key.
 * `tokens`: a context budget instead of a rank cut-off (`recall@tokens=2000`, see metrics/token-budget.ts); such a
 * metric needs the chunk hits and their token counts, so only `ragbench run` computes it.
 */
export interface MetricSpec {
  readonly name: RetrievalMetricName;
  readonly k: number;
  readonly label: string;
  readonly tokens?: number;
}

const aliases: Record<string, RetrievalMetricName> = {
  recall: 'recall',
  precision: 'precision',
  p: 'precision',
  hit: 'hit',
  success: 'hit',
  mrr: 'mrr',
  recip_rank: 'mrr',
  ndcg: 'ndcg',
  map: 'map',
  rprec: 'rprec',
  'r-precision': 'rprec',
};
/** Metrics that are meaningless without a cut-off. */
const needsCut = new Set<RetrievalMetricName>(['recall', 'precision', 'hit']);
/** Metrics that have a token-budget form: the others need a rank cut-off (precision divides by k). */
const budgetMetricNames: readonly RetrievalMetricName[] = ['recall', 'hit', 'mrr', 'ndcg', 'map'];

const validMetricNames =
  'recall@k, precision@k, hit@k (alias success@k), mrr@k or mrr, ndcg@k or ndcg, map@k or map, rprec (alias r-precision), ' +
  'or a token budget: recall|hit|mrr|ndcg|map@tokens=N';

/**
 * Parses a metric as users write it: `recall@10`, `precision@5`, `hit@10` / `success@10`, `mrr@10`, `mrr`,
 * `ndcg@10`, `ndcg`, `map@100`, `map`, `rprec` / `r-precision`. Case-insensitive; k is a positive integer.
 * Aliases map to one canonical label (`success@10` → `hit@10`). Throws UsageError listing the valid names.
 */
/** Largest cut-off a metric may name (trec_eval's deepest standard cut-off is 1000). */
const maxMetricK = 10_000;

export function parseMetricName(text: string): MetricSpec {
  const match = /^([a-z_-]+)(?:@(\d+)|@tokens=(\d+))?$/.exec(text.trim().toLowerCase());
  const name = match ? aliases[match[1]!] : undefined;
  const k = match?.[2] === undefined ? Infinity : Number(match[2]);
  const invalid = (why: string) => new UsageError(`unknown metric ${JSON.stringify(text)}: ${why}`, `use one of ${validMetricNames}`);
  if (!name) throw invalid('not a metric name');
  if (match?.[3] !== undefined) {
    const tokens = Number(match[3]);
    if (!budgetMetricNames.includes(name)) throw invalid(`${name} has no token-budget form (use ${budgetMetricNames.join(', ')})`);
    if (!(Number.isSafeInteger(tokens) && tokens >= 1)) throw invalid('the token budget must be a positive integer');
    return { name, k: Infinity, tokens, label: `${name}@tokens=${tokens}` };
  }
  if (name === 'rprec' && k !== Infinity) throw invalid('rprec takes no @k (its cut-off is the number of relevant docs)');
  if (needsCut.has(name) && k === Infinity) throw invalid(`${name} needs a cut-off, e.g. ${name}@10`);
  if (k !== Infinity && !(Number.isSafeInteger(k) && k >= 1)) throw invalid('k must be a positive integer');
  // The cut-off is also the retrieval depth: recall@99999999999 would ask every store for 1e11 hits per query.
  if (k !== Infinity && k > maxMetricK) throw invalid(`k must be at most ${maxMetricK}`);
  return { name, k, label: k === Infinity ? name : `${name}@${k}` };
}

/**
 * Maps chunk hits (best first) to doc ids best first, each doc once, at the rank of its best chunk. Two chunks of
 * one doc therefore count once, so recall can never exceed 1. The hits' order is trusted, not re-sorted by score.
 */
export function toDocRanking(hits: Iterable<{ readonly docId: string }>): string[] {
  return bestHitPerDoc(hits).map((hit) => hit.docId);
}

/** The first (best) hit of each document, in order: `toDocRanking` keeping each hit's other fields (e.g. score). */
export function bestHitPerDoc<Hit extends { readonly docId: string }>(hits: Iterable<Hit>): Hit[] {
  const seen = new Set<string>();
  const best: Hit[] = [];
  for (const hit of hits) {
    if (seen.has(hit.docId)) continue;
    seen.add(hit.docId);
    best.push(hit);
  }
  return best;
}

/** The top k of a ranking, after checking k and that no doc id repeats (anywhere in the list). */
function top(ranked: readonly string[], k: number): readonly string[] {
  if (!(k === Infinity || (Number.isInteger(k) && k >= 1))) {
    throw new RangeError(`k must be a positive integer or Infinity, got ${k}`);
  }
  if (ranked.length > 1 && new Set(ranked).size !== ranked.length) {
    throw new RangeError('ranked doc ids contain a duplicate; map chunk hits with toDocRanking first');
  }
  return cut(ranked, k);
}

function cut<T>(items: readonly T[], k: number): readonly T[] {
  return k >= items.length ? items : items.slice(0, k);
}

function isRelevant(docId: string, relevant: ReadonlyMap<string, number>): boolean {
  return (relevant.get(docId) ?? 0) > 0;
}

function relevantIn(ranked: readonly string[], relevant: ReadonlyMap<string, number>): number {
  let count = 0;
  for (const docId of ranked) if (isRelevant(docId, relevant)) count++;
  return count;
}

function countRelevant(relevant: ReadonlyMap<string, number>): number {
  let count = 0;
  for (const grade of relevant.values()) if (grade > 0) count++;
  return count;
}

function firstRelevantRank(ranked: readonly string[], relevant: ReadonlyMap<string, number>): number | undefined {
  const index = ranked.findIndex((docId) => isRelevant(docId, relevant));
  return index === -1 ? undefined : index + 1;
}
