import type { z } from 'zod';
import type { PluginContext, PluginDefinition } from '../shared/plugin.js';
import type { Progress } from '../shared/progress.js';
import type { Chunk } from '../chunkers/chunker.js';
import type { Document, Query } from '../corpus/types.js';
import type { RerankUsage } from '../rerankers/reranker.js';
import type { Approximation, Hit, ShareProgress } from '../stores/vector-store.js';

export type { Approximation, Hit };

/**
 * ⑤ Retrieval over the chunks of one corpus × chunker.
 * Lifecycle: `open` → `add`* (batches, in document order) → `finish` → `retrieve`* → `close`.
 */
export interface Retriever {
  /** kind + options + (embedder, store) fingerprints. */
  readonly fingerprint: string;
  /** true when added chunks survive the process, so an ingest can resume and later runs reuse it. */
  readonly persistent: boolean;
  /**
   * Prepares the index named after `indexKey` (a hash of corpus, chunker and this retriever's fingerprints).
   * Returns how many chunks it already holds (0 for a new or non-persistent index).
   */
  open(indexKey: string, signal?: AbortSignal): Promise<number>;
  /**
   * Idempotent by chunk id. Resolves once the chunks are stored. `onStage` hears of chunks embedded and
   * written as they are (dense retrievers), for per-stage progress.
   */
  add(chunks: readonly Chunk[], signal?: AbortSignal, onStage?: (stage: 'embed' | 'write', chunks: number) => void): Promise<void>;
  /**
   * Set when `add` may be called again before the previous call resolved: the calls' writes are applied in call
   * order, so ingest embeds batch n + 1 while batch n is written (issue 25).
   */
  readonly pipelinedAdd?: boolean;
  /**
   * Set when `add` may be called while `open` is still in flight: its writes wait for the open (and fail with
   * it), so a fresh build's first batches are embedded while the store connects. Only where doing so cannot
   * cost anything but CPU if the open then fails (a local embedder).
   */
  readonly addsWhileOpening?: boolean;
  /** After the last add: build ANN or lexical statistics. */
  /**
   * `progress`: a retriever whose build has a count (BM25's postings) starts its own phase on it; otherwise ingest
   * shows the seconds elapsed.
   */
  finish(signal?: AbortSignal, progress?: Progress): Promise<void>;
  /** Chunk hits, best first, at most k; ties broken by chunk id so runs are reproducible. */
  retrieve(query: Query, k: number, signal?: AbortSignal): Promise<Hit[]>;
  /** Optional batch form (one embedding request for many queries); same result as `retrieve` per query. */
  retrieveBatch?(queries: readonly Query[], k: number, signal?: AbortSignal, onProgress?: ShareProgress): Promise<Hit[][]>;
  /**
   * Queries per `retrieveBatch` call this retriever works best with, when more than the evaluation's default
   * (64): a retriever whose every call scans the whole index (streamed exact search) reads it once per call.
   */
  readonly queryBatchSize?: number;
  /**
   * Persistent retrievers: what the open index holds now, to check against the ingest checkpoint before it is
   * used (a damaged store must not pass as complete). `idChecksum` where the store computes it cheaply.
   */
  stored?(signal?: AbortSignal): Promise<{ readonly chunks: number; readonly idChecksum?: string }>;
  /** Persistent retrievers: empties the open index (drop and recreate), so it can be rebuilt from scratch. */
  clear?(signal?: AbortSignal): Promise<void>;
  /** Lexical retrievers: ids of the queries their tokenizer turns into no tokens (an empty ranking, scored 0). */
  queriesWithoutTokens?(queries: readonly Query[]): string[];
  /** With a `rerank:` stage: what reranking has taken so far (seconds, pairs, cost), for the per-stage table. */
  rerankReport?(): RerankReport;
  /** Seconds `add` has spent waiting for embeddings so far (dense retrievers), for the per-stage timings. */
  embedSeconds?(): number;
  /** Set when `retrieve` is approximate (an ANN index): runs then measure its recall against exact search. */
  readonly approximation?: Approximation;
  /** Exact search over the same index (no ANN), where the store offers it: the reference for ANN recall. */
  retrieveExact?(queries: readonly Query[], k: number, signal?: AbortSignal): Promise<Hit[][]>;
  close(): Promise<void>;
  /**
   * Present on retrievers that read an index or service ragbench did not build (kinds existing, module, http):
   * ingest then skips chunking and `add`, and hands them the corpus instead, so they can match document ids and
   * locate chunk texts for span metrics.
   */
  useCorpus?(documents: readonly Document[], signal?: AbortSignal): Promise<void>;
  /**
   * What the run manifest records about what was evaluated (index names, counts, a content fingerprint, the
   * module file's hash, the URL without secrets, unmatched and unlocated chunks), so `compare` shows a rebuilt
   * index as a change. Never holds secrets.
   */
  describe?(): Promise<Record<string, unknown>>;
}

/** A rerank stage's account: which model, how many candidates per query, seconds spent scoring, and usage. */
export interface RerankReport {
  /** Kind and model, for tables. */
  readonly reranker: string;
  /** What the rerank cache is keyed by (kind, model, file hashes or endpoint; never a secret). */
  readonly fingerprint: string;
  readonly candidates: number;
  readonly seconds: number;
  readonly usage: RerankUsage;
}

/** A component of a hybrid retriever: its name in the eval (the YAML it came from) and the open retriever. */
export interface NamedRetriever {
  readonly name: string;
  readonly retriever: Retriever;
}

/**
 * What a retriever is created with. `components`: for kind hybrid, its components in the order of its
 * `retrievers:` list, already indexed by the pipeline (they keep their own indexes, shared with their own arms).
 */
export interface RetrieverContext extends PluginContext {
  readonly components?: readonly NamedRetriever[];
}

/** A retriever kind; `create` is async so heavy clients load only when used. */
export type RetrieverDefinition = PluginDefinition<z.ZodType, Promise<Retriever>, RetrieverContext>;
