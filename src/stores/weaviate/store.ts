import { createHash } from 'node:crypto';
import type { WeaviateClient } from 'weaviate-client';
import { IndexMismatchError, ServiceError } from '../../shared/errors.js';
import { ExactCopy } from '../exact-copy.js';
import { toWeaviateError, type WeaviateErrorContext } from './errors.js';
import { checkIndexSpec, checkK, checkVector, overFetch, topHits } from '../vector-checks.js';
import type { Approximation, Distance, Hit, IndexSpec, StoreCapabilities, VectorRecord, VectorStore } from '../vector-store.js';

interface WeaviateStoreOptions {
  readonly collectionPrefix: string;
  readonly index: 'hnsw' | 'flat';
  readonly hnsw: { readonly maxConnections: number; readonly efConstruction: number; readonly ef: number };
  readonly exactMaxRecords: number;
}

type Metric = 'cosine' | 'dot' | 'l2-squared';
const metrics: Record<Distance, Metric> = { cosine: 'cosine', dot: 'dot', euclidean: 'l2-squared' };

/**
 * Weaviate learns a collection's dimensions from its first vector and keeps no name for our distance, so the
 * spec is written into the collection's description and compared on open.
 */
const specTag = /ragbench index spec (\{.*\})/;

interface ChunkProperties {
  chunkId: string;
  docId: string;
  [key: string]: string;
}

/** Objects per gRPC BatchObjects call (the client sends one request per insertMany). */
const batchObjects = 500;
/** Objects per cursor page when a collection is read back whole (exact search, checksums). */
const cursorPage = 1000;

/**
 * Weaviate's cursor: every object of a collection in uuid order, `cursorPage` a request, until a short page. Each
 * page goes to `onPage`; `fetchPage` makes the request (its properties, vectors, tenant) for the objects after `after`.
 */
export async function forEachCursorPage<O extends { readonly uuid: string }>(
  fetchPage: (after: string | undefined, limit: number) => Promise<readonly O[]>,
  onPage: (objects: readonly O[]) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<void> {
  let after: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const objects = await fetchPage(after, cursorPage);
    await onPage(objects);
    if (objects.length < cursorPage) return;
    after = objects.at(-1)!.uuid;
  }
}

export class WeaviateStore implements VectorStore {
  readonly kind = 'weaviate';
  readonly capabilities: StoreCapabilities = {
    maxBatchSize: batchObjects,
    distances: ['cosine', 'dot', 'euclidean'],
    readsOwnWrites: true,
    persistent: true,
  };
  /** Set for `index: hnsw` (Weaviate's flat index is a brute-force scan: exact). */
  readonly approximation?: Approximation;
  readonly #client: WeaviateClient;
  readonly #options: WeaviateStoreOptions;
  readonly #errors: WeaviateErrorContext;
  #spec: IndexSpec | undefined;
  #closed: Promise<void> | undefined;
  readonly #exact: ExactCopy;

  constructor(client: WeaviateClient, options: WeaviateStoreOptions, errors: WeaviateErrorContext) {
    this.#client = client;
    this.#options = options;
    this.#errors = errors;
    this.#exact = new ExactCopy(options.exactMaxRecords);
    if (options.index === 'hnsw') {
      const { maxConnections, efConstruction, ef } = options.hnsw;
      this.approximation = {
        // ef -1: Weaviate picks it per query from the limit (dynamicEfMin 100 … dynamicEfMax 500, limit × dynamicEfFactor 8).
        index: `Weaviate hnsw (maxConnections ${maxConnections}, efConstruction ${efConstruction}, ef ${ef === -1 ? 'dynamic' : ef})`,
        raise: 'hnsw.ef',
        exactly: 'index: flat',
      };
    }
  }

  async open(spec: IndexSpec, signal?: AbortSignal): Promise<void> {
    checkIndexSpec(spec);
    signal?.throwIfAborted();
    const name = this.#collectionName(spec);
    this.#exact.invalidate();
    const wanted = JSON.stringify({ dimensions: spec.dimensions, distance: spec.distance });
    if (!(await this.#call('check collection', () => this.#client.collections.exists(name)))) {
      try {
        await this.#call('create collection', () => this.#createCollection(name, spec, wanted));
      } catch (error) {
        // Another process created it between exists() and create(): fall through to the comparison.
        if (!(error instanceof ServiceError && /already exists/i.test(error.message))) throw error;
      }
    }
    const config = await this.#call('read collection', () => this.#client.collections.use(name).config.get());
    const found = specTag.exec(config.description ?? '')?.[1];
    if (found !== wanted) {
      const existing = found ? (JSON.parse(found) as { dimensions: number; distance: string }) : undefined;
      throw new IndexMismatchError(
        existing
          ? `index ${spec.name} exists with ${existing.dimensions} dimensions and ${existing.distance} distance, asked for ${spec.dimensions} and ${spec.distance}; nothing was changed`
          : `Weaviate collection ${name} exists but was not created by ragbench; nothing was changed`,
        'choose another index name, or drop the index first',
      );
    }
    this.#spec = spec;
  }

  async upsert(records: readonly VectorRecord[], signal?: AbortSignal): Promise<void> {
    const spec = this.#current();
    for (const record of records) checkVector(record.vector, spec, `vector ${record.id}`);
    const unique = [...new Map(records.map((record) => [record.id, record])).values()];
    this.#exact.invalidate();
    const collection = this.#client.collections.use<string, ChunkProperties>(this.#collectionName(spec));
    for (let start = 0; start < unique.length; start += batchObjects) {
      signal?.throwIfAborted();
      const batch = unique.slice(start, start + batchObjects);
      const result = await this.#call('insert batch', () =>
        collection.data.insertMany(
          batch.map((r) => ({ id: uuidFor(r.id), properties: { chunkId: r.id, docId: r.docId }, vectors: Array.from(r.vector) })),
        ),
      );
      if (result.hasErrors) {
        const [index, failure] = Object.entries(result.errors)[0]!;
        const message = failure.message;
        throw new ServiceError('weaviate', `insert of ${batch[Number(index)]?.id ?? 'a record'} failed: ${message}`, {
          // Per-object failures are the server's state (disk full, shutting down), not our input: try again.
          retryable: !/vector lengths don't match|dimension/i.test(message),
        });
      }
    }
  }

  async finishLoad(): Promise<void> {
    // Weaviate builds HNSW while inserting; there is nothing to do after a bulk load.
    this.#current();
  }

  async search(vector: Float32Array, k: number, signal?: AbortSignal): Promise<Hit[]> {
    const spec = this.#current();
    checkVector(vector, spec, 'query vector');
    checkK(k);
    if (k === 0) return [];
    signal?.throwIfAborted();
    const collection = this.#client.collections.use<string, ChunkProperties>(this.#collectionName(spec));
    const result = await this.#call('search', () =>
      collection.query.nearVector(Array.from(vector), {
        limit: overFetch(k),
        returnMetadata: ['distance'],
        returnProperties: ['chunkId', 'docId'],
      }),
    );
    const hits = result.objects.map((object) => ({
      id: String(object.properties.chunkId),
      docId: String(object.properties.docId),
      score: toScore(spec.distance, object.metadata?.distance ?? Number.NaN),
    }));
    return topHits(hits, k);
  }

  /** The reference for ANN recall: the collection's vectors read back with a cursor, searched in process. */
  async searchExact(vectors: readonly Float32Array[], k: number, signal?: AbortSignal): Promise<Hit[][]> {
    const spec = this.#current();
    for (const vector of vectors) checkVector(vector, spec, 'query vector');
    checkK(k);
    const count = await this.count(signal);
    return this.#exact.search(spec, count, (add, s) => this.#readAll(spec, add, s), vectors, k, signal);
  }

  /** Every object in uuid order (Weaviate's cursor), with its vector, a page at a time. */
  async #readAll(spec: IndexSpec, add: (records: readonly VectorRecord[]) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const collection = this.#client.collections.use<string, ChunkProperties>(this.#collectionName(spec));
    const fetchPage = async (after: string | undefined, limit: number) =>
      (await this.#call('read vectors', () => collection.query.fetchObjects({ limit, includeVector: true, returnProperties: ['chunkId', 'docId'], ...(after ? { after } : {}) })))
        .objects;
    await forEachCursorPage(
      fetchPage,
      (objects) =>
        add(
          objects.map((object) => ({
            id: String(object.properties.chunkId),
            docId: String(object.properties.docId),
            // The collection's one self-provided vector, named `default` by the client.
            vector: Float32Array.from(Object.values((object.vectors ?? {}) as Record<string, number[]>)[0] ?? []),
          })),
        ),
      signal,
    );
  }

  async count(signal?: AbortSignal): Promise<number> {
    const spec = this.#current();
    signal?.throwIfAborted();
    return this.#call('count', () => this.#client.collections.use(this.#collectionName(spec)).length());
  }

  async drop(signal?: AbortSignal): Promise<void> {
    const spec = this.#current();
    signal?.throwIfAborted();
    this.#exact.invalidate();
    await this.#call('delete collection', () => this.#client.collections.delete(this.#collectionName(spec)));
    this.#spec = undefined;
  }

  close(): Promise<void> {
    this.#closed ??= this.#client.close();
    return this.#closed;
  }

  #current(): IndexSpec {
    if (!this.#spec) throw new Error('weaviate store: call open(spec) before using the index');
    return this.#spec;
  }

  #collectionName(spec: IndexSpec): string {
    return `${this.#options.collectionPrefix}_${spec.name}`;
  }

  async #createCollection(name: string, spec: IndexSpec, wanted: string): Promise<void> {
    const { configure } = await import('weaviate-client');
    const distanceMetric = metrics[spec.distance];
    const { hnsw } = this.#options;
    await this.#client.collections.create({
      name,
      description: `ragbench index spec ${wanted}`,
      properties: [
        { name: 'chunkId', dataType: 'text', tokenization: 'field', indexSearchable: false },
        { name: 'docId', dataType: 'text', tokenization: 'field', indexSearchable: false },
      ],
      vectorizers: configure.vectors.selfProvided({
        vectorIndexConfig:
          this.#options.index === 'flat'
            ? configure.vectorIndex.flat({ distanceMetric })
            : configure.vectorIndex.hnsw({ distanceMetric, maxConnections: hnsw.maxConnections, efConstruction: hnsw.efConstruction, ef: hnsw.ef }),
      }),
    });
  }

  async #call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toWeaviateError(error, this.#errors, what);
    }
  }
}

/** Weaviate ids are UUIDs: a name-based (v5, RFC 9562) UUID of the chunk id keeps upserts idempotent. */
export function uuidFor(id: string): string {
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex'); // RFC 9562's URL namespace
  const bytes = createHash('sha1').update(namespace).update(id, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Weaviate distances (lower is closer) → scores (higher is closer). */
export function toScore(distance: Distance, value: number): number {
  if (Number.isNaN(value)) return distance === 'cosine' ? 0 : value;
  if (distance === 'cosine') return 1 - value;
  if (distance === 'dot') return -value;
  return -Math.sqrt(Math.max(0, value));
}
