import type { Chunk } from '../chunkers/chunker.js';
import type { Document, Query } from '../corpus/types.js';
import type { Reranker } from '../rerankers/reranker.js';
import { fingerprintOf } from '../shared/hash.js';
import type { Progress } from '../shared/progress.js';
import type { Hit, ShareProgress } from '../stores/vector-store.js';
import type { RerankReport, Retriever } from './retriever.js';

export interface RerankStage {
  readonly reranker: Reranker;
  /** Chunks taken from the retriever per query and rescored (at least the k asked for). */
  readonly candidates: number;
  /** A hit's chunk text (hits carry ids; the pipeline slices the document). */
  readonly textOf: (hit: Hit) => string;
}

/**
 * A retriever followed by a rerank stage: the inner retriever's top `max(candidates, k)` chunks are rescored by
 * the reranker and the best k returned (ties by the inner rank, so equal scores keep the first stage's order).
 * Scores become the reranker's. Everything else (index, lifecycle) is the inner retriever's; ANN recall is
 * measured on the inner retriever, since reranking is not a search.
 */
export function withRerankStage(inner: Retriever, stage: RerankStage): Retriever {
  let seconds = 0;
  const rerank = async (query: Query, hits: readonly Hit[], k: number, signal?: AbortSignal): Promise<Hit[]> => {
    const started = performance.now();
    const scores = await stage.reranker.score(query.text, hits.map(stage.textOf), signal);
    seconds += (performance.now() - started) / 1000;
    return hits
      .map((hit, rank) => ({ hit, rank, score: scores[rank]! }))
      .sort((a, b) => b.score - a.score || a.rank - b.rank)
      .slice(0, k)
      .map(({ hit, score }) => ({ id: hit.id, docId: hit.docId, score }));
  };
  const retrieveBatch = async (queries: readonly Query[], k: number, signal?: AbortSignal, onProgress?: ShareProgress): Promise<Hit[][]> => {
    const depth = Math.max(stage.candidates, k);
    const first = inner.retrieveBatch
      ? await inner.retrieveBatch(queries, depth, signal, onProgress ? (s) => onProgress(s / 2) : undefined)
      : await Promise.all(queries.map((query) => inner.retrieve(query, depth, signal)));
    const out: Hit[][] = [];
    for (const [i, query] of queries.entries()) {
      out.push(await rerank(query, first[i] ?? [], k, signal));
      onProgress?.(0.5 + (i + 1) / queries.length / 2);
    }
    return out;
  };
  const wrapped: Retriever = {
    fingerprint: fingerprintOf('reranked', { retriever: inner.fingerprint, reranker: stage.reranker.fingerprint, candidates: stage.candidates }),
    persistent: inner.persistent,
    open: (indexKey: string, signal?: AbortSignal) => inner.open(indexKey, signal),
    add: (chunks: readonly Chunk[], signal?: AbortSignal) => inner.add(chunks, signal),
    finish: (signal?: AbortSignal, progress?: Progress) => inner.finish(signal, progress),
    retrieve: async (query, k, signal) => (await retrieveBatch([query], k, signal))[0] ?? [],
    retrieveBatch,
    rerankReport: (): RerankReport => ({ reranker: stage.reranker.label, fingerprint: stage.reranker.fingerprint, candidates: stage.candidates, seconds, usage: stage.reranker.usage() }),
    close: () => inner.close(),
  };
  if (inner.queryBatchSize !== undefined) Object.assign(wrapped, { queryBatchSize: inner.queryBatchSize });
  if (inner.queriesWithoutTokens) wrapped.queriesWithoutTokens = (queries) => inner.queriesWithoutTokens!(queries);
  if (inner.describe) wrapped.describe = () => inner.describe!();
  if (inner.useCorpus) wrapped.useCorpus = (documents: readonly Document[], signal?: AbortSignal) => inner.useCorpus!(documents, signal);
  return wrapped;
}
