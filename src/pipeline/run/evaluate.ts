import type { Judgments, Query } from '../../corpus/types.js';
import { scoreRun } from '../../metrics/evaluate-run.js';
import { bestHitPerDoc, parseMetricName } from '../../metrics/retrieval.js';
import { chunkTokenCounter, type TokenOffsetsOf } from '../../metrics/spans.js';
import { budgetMetricValue } from '../../metrics/token-budget.js';
import type { RankedDoc } from '../../metrics/run-file.js';
import type { Hit, Retriever } from '../../retrievers/retriever.js';
import { chunkArray } from '../../shared/batches.js';
import type { Progress } from '../../shared/progress.js';
import { silentProgress } from '../../shared/progress.js';

export interface EvaluatePlan {
  readonly queries: readonly Query[];
  readonly judgments: Judgments;
  readonly retriever: Retriever;
  /** Chunks retrieved per query (in the first pass, when `deepen` is set). */
  readonly depth: number;
  /**
   * What each query's retrieval should hold: `documents` distinct documents (the largest document cut-off) and, with
   * token-budget metrics, chunks totalling at least `tokens` cl100k tokens. Queries short of it are counted.
   * Default: the largest finite document cut-off of `metrics` (10 when none), no token target.
   */
  readonly target?: DepthTarget;
  /**
   * Retrieve deeper for the queries short of the target: the depth doubles, up to `maxDepth` chunks, until the
   * target is met or the retriever has no more. Absent: one pass at `depth` (the user's explicit chunk budget).
   */
  readonly maxDepth?: number;
  /** Document token positions: needed by token-budget metrics and a `target.tokens`. */
  readonly tokenOffsetsOf?: TokenOffsetsOf;
  readonly metrics: readonly string[];
  readonly includeUnjudged: boolean;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

export interface ArmEvaluation {
  /** queryId → documents best first, each at its best chunk's score (a document counts once). */
  readonly run: Map<string, RankedDoc[]>;
  /** queryId → chunk ids best first (what a generator would see). */
  readonly chunkHits: Map<string, Hit[]>;
  readonly perQuery: ReadonlyMap<string, Readonly<Record<string, number>>>;
  readonly mean: Readonly<Record<string, number>>;
  readonly seconds: number;
  /** Of `seconds`: retrieving (embedding queries and searching) and scoring the run. */
  readonly querySeconds: number;
  readonly scoreSeconds: number;
  /** Queries still short of the target after retrieval, and the deepest retrieval any query needed. */
  readonly depth: DepthOutcome;
}

interface DepthTarget {
  readonly documents: number;
  readonly tokens?: number;
}

interface DepthOutcome {
  readonly targetDocuments: number;
  /** Queries with fewer than `targetDocuments` distinct documents in their retrieved chunks. */
  readonly shortOfDocuments: number;
  readonly targetTokens?: number;
  /** With a token target: queries whose retrieved chunks total fewer tokens. */
  readonly shortOfTokens?: number;
  /** The most chunks requested for a query. */
  readonly maxChunks: number;
}

/** queries → retrieval → document rankings → metrics per query. */
export async function evaluate(plan: EvaluatePlan): Promise<ArmEvaluation> {
  const started = performance.now();
  const progress = plan.progress ?? silentProgress;
  const chunkHits = new Map<string, Hit[]>();
  const specs = plan.metrics.map(parseMetricName);
  const budgeted = specs.filter((spec) => spec.tokens !== undefined);
  const needsTokens = budgeted.length > 0 || plan.target?.tokens !== undefined;
  if (needsTokens && !plan.tokenOffsetsOf) throw new Error('token-budget metrics need the documents\' token offsets');
  const tokensOf = plan.tokenOffsetsOf ? chunkTokenCounter(plan.tokenOffsetsOf) : undefined;
  const tokenTotal = (hits: readonly Hit[]) => hits.reduce((sum, hit) => sum + tokensOf!(hit), 0);
  const cuts = specs.map((spec) => spec.k).filter(Number.isFinite);
  const target = plan.target ?? { documents: cuts.length > 0 ? Math.max(...cuts) : 10 };
  const hasDocuments = (hits: readonly Hit[]) => new Set(hits.map((hit) => hit.docId)).size >= target.documents;
  const hasTokens = (hits: readonly Hit[]) => target.tokens === undefined || tokenTotal(hits) >= target.tokens;

  progress.start('retrieve (queries)', plan.queries.length);
  await retrieveInto(plan, plan.queries, plan.depth, chunkHits, (n) => progress.advance(n));
  let depth = plan.depth;
  if (plan.maxDepth !== undefined) {
    // A query is deepened while it is short of the target and its last retrieval came back full (more may exist).
    const short = (query: Query, asked: number) => {
      const hits = chunkHits.get(query.id)!;
      return hits.length >= asked && !(hasDocuments(hits) && hasTokens(hits));
    };
    let pending = plan.queries.filter((query) => short(query, depth));
    while (pending.length > 0 && depth < plan.maxDepth) {
      depth = Math.min(plan.maxDepth, depth * 2);
      await retrieveInto(plan, pending, depth, chunkHits);
      pending = pending.filter((query) => short(query, depth));
    }
  }
  progress.done();
  const queried = performance.now();
  const run = new Map([...chunkHits].map(([queryId, hits]) => [queryId, rankDocuments(hits)] as const));

  // Only the queries asked about are scored: judged queries outside them (e.g. past a query limit) are not misses.
  const asked = new Map(plan.queries.flatMap((q) => (plan.judgments.has(q.id) ? [[q.id, plan.judgments.get(q.id)!] as const] : [])));
  const scores = scoreRun({
    run: new Map([...run].map(([queryId, docs]) => [queryId, docs.map((doc) => doc.docId)])),
    judgments: asked,
    metrics: specs.filter((spec) => spec.tokens === undefined).map((spec) => spec.label),
    includeUnjudged: plan.includeUnjudged,
  });
  const perQuery = new Map<string, Record<string, number>>();
  for (const [queryId, values] of scores.perQuery) {
    const relevant = asked.get(queryId) ?? new Map<string, number>();
    const hits = chunkHits.get(queryId) ?? [];
    const budgetValues = Object.fromEntries(budgeted.map((spec) => [spec.label, budgetMetricValue(spec, hits, relevant, tokensOf!)]));
    // In the eval's metric order, so tables and result files list them as written.
    perQuery.set(queryId, Object.fromEntries(specs.map((spec) => [spec.label, values[spec.label] ?? budgetValues[spec.label]!])));
  }
  const mean = Object.fromEntries(specs.map((spec) => [spec.label, meanOf([...perQuery.values()].map((values) => values[spec.label]!))]));
  const all = plan.queries.map((query) => chunkHits.get(query.id) ?? []);
  const outcome: DepthOutcome = {
    targetDocuments: target.documents,
    shortOfDocuments: all.filter((hits) => !hasDocuments(hits)).length,
    ...(target.tokens !== undefined ? { targetTokens: target.tokens, shortOfTokens: all.filter((hits) => !hasTokens(hits)).length } : {}),
    maxChunks: depth,
  };
  const finished = performance.now();
  return {
    run,
    chunkHits,
    perQuery,
    mean,
    seconds: (finished - started) / 1000,
    querySeconds: (queried - started) / 1000,
    scoreSeconds: (finished - queried) / 1000,
    depth: outcome,
  };
}

/** Retrieves `depth` chunks for each query, in batches, replacing what `chunkHits` held for it. */
async function retrieveInto(
  plan: EvaluatePlan,
  queries: readonly Query[],
  depth: number,
  chunkHits: Map<string, Hit[]>,
  advance: (queries: number) => void = () => {},
): Promise<void> {
  // 64 keeps progress moving; a retriever that reads its whole index per call asks for larger batches.
  for (const batch of chunkArray(queries, Math.max(64, plan.retriever.queryBatchSize ?? 64))) {
    plan.signal?.throwIfAborted();
    // A long call (one streamed pass for the whole batch) reports its share, so the count moves through it.
    let reported = 0;
    const onProgress = (share: number) => {
      const units = Math.min(batch.length, Math.floor(share * batch.length)) - reported;
      if (units > 0) advance(units);
      reported += Math.max(0, units);
    };
    const results = plan.retriever.retrieveBatch
      ? await plan.retriever.retrieveBatch(batch, depth, plan.signal, onProgress)
      : await Promise.all(batch.map((query) => plan.retriever.retrieve(query, depth, plan.signal)));
    batch.forEach((query, i) => chunkHits.set(query.id, results[i] ?? []));
    advance(batch.length - reported);
  }
}

function meanOf(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Chunk hits (best first) → documents at their best chunk's rank and score. */
function rankDocuments(hits: readonly Hit[]): RankedDoc[] {
  return bestHitPerDoc(hits).map((hit) => ({ docId: hit.docId, score: hit.score }));
}
