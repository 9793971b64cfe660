import type { z } from 'zod';
import type { PluginDefinition } from '../shared/plugin.js';

/** ④ Vector stores: one small interface, one file per backend. */

export type Distance = 'cosine' | 'dot' | 'euclidean';
export const distances: readonly Distance[] = ['cosine', 'dot', 'euclidean'];

export interface IndexSpec {
  /** Backend-safe name: `[a-z0-9_]`, at most 48 characters. */
  readonly name: string;
  readonly dimensions: number;
  readonly distance: Distance;
}

export interface VectorRecord {
  readonly id: string;
  readonly docId: string;
  readonly vector: Float32Array;
  /** The chunk's text, kept beside the vector by stores with room for it (pgvector), for people inspecting an index. */
  readonly text?: string;
  /** Small JSON-able facts about the chunk (its offsets in the document), kept like `text`. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** `score`: higher is closer, on every backend (cosine similarity, dot product, or −euclidean distance). */
export interface Hit {
  readonly id: string;
  readonly docId: string;
  readonly score: number;
}

export interface StoreCapabilities {
  readonly maxBatchSize: number;
  readonly distances: readonly Distance[];
  /** false for eventually consistent services: the pipeline waits until count() matches before querying. */
  readonly readsOwnWrites: boolean;
  /** true when the index survives the process (resume and reuse across runs make sense). */
  readonly persistent: boolean;
  /**
   * Stores whose exact search reads every stored row once per `searchBatch` call (embedded pgvector streams its
   * table): how many queries one call should carry, so a run's queries cost one pass instead of one per batch.
   */
  readonly searchBatchSize?: number;
}

export interface Approximation {
  /** e.g. `pgvector hnsw (m 16, ef_construction 64, ef_search 40)`. */
  readonly index: string;
  /**
   * The option to raise for more recall, as written in the retriever's YAML, e.g. `hnsw.efSearch`; absent when
   * the service has none (Pinecone serverless).
   */
  readonly raise?: string;
  /** How to search exactly on this backend instead, as written in YAML; default `index: none` (pgvector). */
  readonly exactly?: string;
}

/**
 * Thrown by `searchExact` when this index cannot be searched exactly now (too many records to copy out of a
 * service): the run reports ANN recall "not measured" with this message, which names the setting to raise.
 */
export class ExactSearchUnavailable extends Error {
  override readonly name = 'ExactSearchUnavailable';
}

export interface VectorStore {
  readonly kind: string;
  readonly capabilities: StoreCapabilities;
  /** Creates the index if missing; throws IndexMismatchError if it exists with other dimensions or distance. */
  open(spec: IndexSpec, signal?: AbortSignal): Promise<void>;
  /** Idempotent by id: an interrupted ingest resumes by running again. */
  upsert(records: readonly VectorRecord[], signal?: AbortSignal): Promise<void>;
  /** Called once after a bulk load: builds the ANN index (building it after the load is much faster). */
  finishLoad(signal?: AbortSignal): Promise<void>;
  /** Best first, at most k; ties broken by id ascending so runs are reproducible. */
  search(vector: Float32Array, k: number, signal?: AbortSignal): Promise<Hit[]>;
  /**
   * Set when `search` is approximate (an ANN index serves it): which index, and the setting that trades speed
   * for recall. Runs then measure the ANN recall against `searchExact` where the store has it.
   */
  readonly approximation?: Approximation;
  /** Exact nearest neighbours over the same vectors, bypassing any ANN index (same ordering rules as `search`). */
  searchExact?(vectors: readonly Float32Array[], k: number, signal?: AbortSignal): Promise<Hit[][]>;
  /** Optional: many queries at once, each result exactly what `search` returns for it. */
  searchBatch?(vectors: readonly Float32Array[], k: number, signal?: AbortSignal, onProgress?: ShareProgress): Promise<Hit[][]>;
  count(signal?: AbortSignal): Promise<number>;
  /**
   * Where cheap (one SQL aggregate): the count and the order-independent checksum of the stored ids, `idChecksum`
   * of shared/hash.ts, so a reused index is checked against its checkpoint id by id, not only by count.
   */
  countWithChecksum?(signal?: AbortSignal): Promise<{ readonly chunks: number; readonly idChecksum: string }>;
  drop(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/**
 * The share (0–1) of one call's work done so far, reported by stores and retrievers whose single call is long (a
 * streamed exact pass over every row), so progress keeps moving through it.
 */
export type ShareProgress = (share: number) => void;

/** Sort comparator for hits: score descending, then id ascending (deterministic ties). */
export function compareHits(a: Hit, b: Hit): number {
  if (b.score !== a.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A store kind; `create` is async so heavy clients load only when used. */
export type StoreDefinition = PluginDefinition<z.ZodType, Promise<VectorStore>>;
