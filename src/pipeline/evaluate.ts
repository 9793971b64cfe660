import type { Judgments, Query } from '../corpus/types.js';
import { scoreRun } from '../metrics/evaluate-run.js';
import { bestHitPerDoc } from '../metrics/retrieval.js';
import type { RankedDoc } from '../metrics/run-file.js';
import type { Hit, Retriever } from '../retrievers/retriever.js';
import { chunkArray } from '../shared/batches.js';
import type { Progress } from '../shared/progress.js';
import { silentProgress } from '../shared/progress.js';

export interface EvaluatePlan {
  readonly queries: readonly Query[];
  readonly judgments: Judgments;
  readonly retriever: Retriever;
  /** Chunks retrieved per query. */
  readonly depth: number;
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
}

/** queries → retrieval → document rankings → metrics per query. */
export async function evaluate(plan: EvaluatePlan): Promise<ArmEvaluation> {
  const started = performance.now();
  const progress = plan.progress ?? silentProgress;
  const run = new Map<string, RankedDoc[]>();
  const chunkHits = new Map<string, Hit[]>();
  progress.start('retrieve (queries)', plan.queries.length);
  for (const batch of chunkArray(plan.queries, 64)) {
    plan.signal?.throwIfAborted();
    const results = plan.retriever.retrieveBatch
      ? await plan.retriever.retrieveBatch(batch, plan.depth, plan.signal)
      : await Promise.all(batch.map((query) => plan.retriever.retrieve(query, plan.depth, plan.signal)));
    batch.forEach((query, i) => {
      const hits = results[i] ?? [];
      chunkHits.set(query.id, hits);
      run.set(query.id, rankDocuments(hits));
    });
    progress.advance(batch.length);
  }
  progress.done();
  const queried = performance.now();
  // Only the queries asked about are scored: judged queries outside them (e.g. past a query limit) are not misses.
  const asked = new Map(plan.queries.flatMap((q) => (plan.judgments.has(q.id) ? [[q.id, plan.judgments.get(q.id)!] as const] : [])));
  const scores = scoreRun({
    run: new Map([...run].map(([queryId, docs]) => [queryId, docs.map((doc) => doc.docId)])),
    judgments: asked,
    metrics: plan.metrics,
    includeUnjudged: plan.includeUnjudged,
  });
  const finished = performance.now();
  return {
    run,
    chunkHits,
    perQuery: scores.perQuery,
    mean: scores.mean,
    seconds: (finished - started) / 1000,
    querySeconds: (queried - started) / 1000,
    scoreSeconds: (finished - queried) / 1000,
  };
}

/** Chunk hits (best first) → documents at their best chunk's rank and score. */
export function rankDocuments(hits: readonly Hit[]): RankedDoc[] {
  return bestHitPerDoc(hits).map((hit) => ({ docId: hit.docId, score: hit.score }));
}
