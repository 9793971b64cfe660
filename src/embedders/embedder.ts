import type { z } from 'zod';
import type { PluginDefinition } from '../shared/plugin.js';

/** Some models (e5, nomic) embed queries and passages with different prefixes. */
export type EmbedRole = 'document' | 'query';

/** ③ Text → vectors. Two methods' worth of contract, as LangChain's Embeddings. */
export interface Embedder {
  /** Model id + dimensions + normalisation: what makes two embedders' vectors comparable. */
  readonly fingerprint: string;
  readonly dimensions: number;
  /** Texts per call the backend accepts; callers batch to it. */
  readonly maxBatchSize: number;
  /**
   * Calls of at most `maxBatchSize` texts it serves at once to advantage (API requests in flight, worker threads);
   * callers keep at most this many in flight. Default 1.
   */
  readonly concurrency?: number;
  /**
   * Set when embedding runs on this machine (no request, nothing billed): a caller may then embed ahead of need,
   * e.g. an ingest's first batches while its store is still connecting, since work that turns out unused costs
   * only CPU. Never set for API embedders.
   */
  readonly local?: boolean;
  /** One vector per text, same order, each of length `dimensions`. */
  embed(texts: readonly string[], role: EmbedRole, signal?: AbortSignal): Promise<Float32Array[]>;
}

/** An embedder kind; `create` is async so heavy clients load only when used. */
export type EmbedderDefinition = PluginDefinition<z.ZodType, Promise<Embedder>>;
