import { join } from 'node:path';
import { z } from 'zod';
import type { Chunk } from '../chunkers/chunker.js';
import type { Query } from '../corpus/types.js';
import { withEmbeddingCache } from '../embedders/cache.js';
import type { Embedder } from '../embedders/embedder.js';
import { embedders } from '../embedders/registry.js';
import { manageStore } from '../stores/managed-store.js';
import { stores } from '../stores/registry.js';
import type { Approximation, Distance, Hit, ShareProgress, VectorRecord, VectorStore } from '../stores/vector-store.js';
import { chunkArray } from '../shared/batches.js';
import { fingerprintOf } from '../shared/hash.js';
import { createSemaphore, type Semaphore } from '../shared/semaphore.js';
import { definePlugin, pluginConfigSchema, type PluginConfig, type PluginContext } from '../shared/plugin.js';
import type { Retriever } from './retriever.js';

/** Chunks per embed-and-write step inside one `add`: small enough to overlap, large enough to batch. */
const addBatchSize = 256;

const options = z.strictObject({
  embedder: pluginConfigSchema('embedder', embedders),
  store: pluginConfigSchema('store', stores),
  distance: z.enum(['cosine', 'dot', 'euclidean']).default('cosine'),
  /** Cache embeddings on disk by content hash, so re-runs and resumes embed nothing twice. */
  cache: z.boolean().default(true),
});

export const dense = definePlugin({
  description: 'dense retrieval: embed chunks, store vectors, nearest-neighbour search',
  options,
  async create(config, context) {
    const inner = await embedders[config.embedder.kind as keyof typeof embedders].create(
      config.embedder.options as never,
      context,
    );
    const embedder = config.cache ? withEmbeddingCache(inner, { dir: join(context.workDir, 'cache', 'embeddings'), ...(context.warn ? { warn: context.warn } : {}) }) : inner;
    const store = manageStore(
      await stores[config.store.kind as keyof typeof stores].create(config.store.options as never, context),
    );
    return new DenseRetriever({ embedder, store, distance: config.distance, storeConfig: config.store, context });
  },
});

interface DenseRetrieverOptions {
  readonly embedder: Embedder;
  readonly store: VectorStore;
  readonly distance: Distance;
  readonly storeConfig: PluginConfig;
  readonly context: PluginContext;
}

class DenseRetriever implements Retriever {
  readonly fingerprint: string;
  readonly persistent: boolean;
  readonly approximation?: Approximation;
  readonly queryBatchSize?: number;
  readonly #embedder: Embedder;
  readonly #store: VectorStore;
  readonly #distance: Distance;
  #indexKey: string | undefined;
  #embedWait = 0;
  readonly #embedSlots: Semaphore;
  /** The last add's writes: the next add's start after them, so rows are written in call order. */
  #writes: Promise<void> = Promise.resolve();
  /** The store's open: writes wait for it, so adds may come while it is in flight (`addsWhileOpening`). */
  #opened: Promise<void> = Promise.resolve();
  readonly addsWhileOpening: boolean;

  constructor(options: DenseRetrieverOptions) {
    this.#embedder = options.embedder;
    this.#embedSlots = createSemaphore(Math.max(1, options.embedder.concurrency ?? 1));
    this.#store = options.store;
    this.#distance = options.distance;
    this.persistent = options.store.capabilities.persistent;
    this.addsWhileOpening = options.embedder.local === true;
    if (options.store.approximation) this.approximation = options.store.approximation;
    if (options.store.capabilities.searchBatchSize) this.queryBatchSize = options.store.capabilities.searchBatchSize;
    // A store without an exact path leaves ANN recall "not measured", never guessed.
    if (!options.store.searchExact) this.retrieveExact = undefined;
    this.fingerprint = fingerprintOf('dense', {
      embedder: options.embedder.fingerprint,
      store: { kind: options.storeConfig.kind, options: indexShaping(options.storeConfig.options) },
      distance: options.distance,
    });
  }

  async open(indexKey: string, signal?: AbortSignal): Promise<number> {
    this.#indexKey = indexKey;
    // Writes wait for all of it, the count too: the store sees one statement at a time, as before adds could
    // come early (a multiplexing server such as pglite-socket garbles overlapping ones).
    const opened = (async () => {
      await this.#store.open({ name: indexKey, dimensions: this.#embedder.dimensions, distance: this.#distance }, signal);
      return this.#store.count(signal);
    })();
    this.#opened = opened.then(() => undefined);
    // Awaited by the writes; this only keeps a failed open from going unhandled when no add came.
    this.#opened.catch(() => undefined);
    return opened;
  }

  readonly pipelinedAdd = true;

  /**
   * Every sub-batch goes to the embedder at once, at most `embedder.concurrency` calls in flight across adds (API
   * requests, worker threads); they are written in order as their vectors come back, the ones already back
   * together in one write. An add's writes start after the previous add's, so ingest may call add for the next
   * batch while this one is written, and the embedder works meanwhile.
   */
  add(chunks: readonly Chunk[], signal?: AbortSignal, onStage?: (stage: 'embed' | 'write', chunks: number) => void): Promise<void> {
    const parts = chunkArray(chunks, Math.min(this.#embedder.maxBatchSize, addBatchSize));
    const embedded = parts.map((part) => {
      const state: { vectors?: Float32Array[]; pending?: Promise<Float32Array[]> } = {};
      state.pending = (async () => {
        const release = await this.#embedSlots.acquire(signal);
        try {
          const vectors = await this.#embedder.embed(part.map((c) => c.text), 'document', signal);
          onStage?.('embed', part.length);
          return (state.vectors = vectors);
        } finally {
          release();
        }
      })();
      state.pending.catch(() => undefined); // awaited below; this only stops an early rejection from going unhandled
      return state;
    });
    const previous = this.#writes;
    const writes = (async () => {
      await previous.catch(() => undefined);
      // A failed open fails every add queued behind it with the open's own error.
      await this.#opened;
      for (let i = 0; i < parts.length; ) {
        const waitStarted = performance.now();
        await embedded[i]!.pending!;
        this.#embedWait += (performance.now() - waitStarted) / 1000;
        const records: VectorRecord[] = [];
        do {
          const vectors = embedded[i]!.vectors!;
          parts[i]!.forEach((c, j) => records.push({ id: c.id, docId: c.docId, vector: vectors[j]!, text: c.text, metadata: { start: c.start, end: c.end } }));
          i++;
        } while (i < parts.length && embedded[i]!.vectors !== undefined);
        await this.#store.upsert(records, signal);
        onStage?.('write', records.length);
      }
    })();
    this.#writes = writes;
    return writes;
  }

  embedSeconds(): number {
    return this.#embedWait;
  }

  finish(signal?: AbortSignal): Promise<void> {
    return this.#store.finishLoad(signal);
  }

  async stored(signal?: AbortSignal): Promise<{ chunks: number; idChecksum?: string }> {
    // One aggregate where the store has it (the ingest's last check: a round trip less on its critical path).
    if (this.#store.countWithChecksum) return this.#store.countWithChecksum(signal);
    return { chunks: await this.#store.count(signal) };
  }

  async clear(signal?: AbortSignal): Promise<void> {
    await this.#store.drop(signal);
    await this.open(this.#indexKey!, signal);
  }

  async retrieve(query: Query, k: number, signal?: AbortSignal): Promise<Hit[]> {
    const [hits] = await this.retrieveBatch([query], k, signal);
    return hits ?? [];
  }

  async retrieveBatch(queries: readonly Query[], k: number, signal?: AbortSignal, onProgress?: ShareProgress): Promise<Hit[][]> {
    let searched = 0;
    return this.#embedAndSearch(queries, signal, async (vectors) => {
      // This search's share of its vectors → the share of all the queries asked for.
      const before = searched;
      searched += vectors.length;
      const share = onProgress ? (s: number) => onProgress((before + s * vectors.length) / queries.length) : undefined;
      if (this.#store.searchBatch) return this.#store.searchBatch(vectors, k, signal, share);
      const results: Hit[][] = [];
      for (const vector of vectors) results.push(await this.#store.search(vector, k, signal));
      return results;
    });
  }

  retrieveExact?(queries: readonly Query[], k: number, signal?: AbortSignal): Promise<Hit[][]> {
    return this.#embedAndSearch(queries, signal, (vectors) => this.#store.searchExact!(vectors, k, signal));
  }

  async #embedAndSearch(
    queries: readonly Query[],
    signal: AbortSignal | undefined,
    search: (vectors: Float32Array[]) => Promise<Hit[][]>,
  ): Promise<Hit[][]> {
    // All the queries are embedded before any search, so a store that reads every row per search call
    // (searchBatchSize) reads them once for the whole batch, not once per embedding request.
    const vectors: Float32Array[] = [];
    for (const batch of chunkArray(queries, this.#embedder.maxBatchSize)) {
      vectors.push(...(await this.#embedder.embed(batch.map((q) => q.text), 'query', signal)));
    }
    const results: Hit[][] = [];
    const perSearch = this.#store.capabilities.searchBatchSize ?? Math.max(1, vectors.length);
    for (const batch of chunkArray(vectors, perSearch)) results.push(...(await search(batch)));
    return results;
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}

/**
 * Store options that shape the index: all but `exactMaxRecords` (Pinecone, Weaviate), which bounds only the ANN
 * recall measurement, and `flatScanPageMb` (embedded pgvector), the page size of the exact scan over the same
 * table (any size gives bit-identical scores; 0, exact SQL, can differ in the last float digits). Changing them
 * reuses the index; the manifest still records them.
 */
function indexShaping(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { exactMaxRecords: _measurementOnly, flatScanPageMb: _pageSizeOnly, ...shaping } = options;
  return shaping;
}
