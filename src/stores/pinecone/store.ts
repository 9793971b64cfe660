import type { Index, IndexModel, Pinecone } from '@pinecone-database/pinecone';
import { ConfigError, IndexMismatchError, ServiceError } from '../../shared/errors.js';
import { sleep } from '../../shared/retry.js';
import { ExactCopy } from '../exact-copy.js';
import { toPineconeError } from './errors.js';
import { checkIndexSpec, checkK, checkVector, overFetch, topHits } from '../vector-checks.js';
import type { Approximation, Distance, Hit, IndexSpec, StoreCapabilities, VectorRecord, VectorStore } from '../vector-store.js';

interface PineconeStoreOptions {
  readonly apiKeyEnv: string;
  readonly cloud: string;
  readonly region: string;
  readonly indexPrefix: string;
  readonly timeoutMs: number;
  readonly consistencyTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly readyTimeoutMs: number;
  readonly deleteEmptyIndex: boolean;
  readonly exactMaxRecords: number;
}

const metrics: Record<Distance, 'cosine' | 'dotproduct' | 'euclidean'> = { cosine: 'cosine', dot: 'dotproduct', euclidean: 'euclidean' };

/**
 * Pinecone's limits: 1000 records and 2 MB (2 × 1024² bytes) per upsert request. Batches are cut by each record's
 * JSON size as sent (a float32 printed as a double takes up to ~22 bytes, so no per-dimension guess holds), with
 * room left for the request envelope.
 */
const maxUpsertRecords = 1000;
const maxUpsertBytes = 2 * 1024 * 1024 - 4096;
/** Pinecone refuses metadata above 40 KB per record. */
const maxMetadataBytes = 40 * 1024;
/** Ids per fetch: they travel in the query string. */
const fetchIds = 100;

interface OpenIndex {
  readonly spec: IndexSpec;
  readonly indexName: string;
  readonly index: Index;
  /** Records the namespace held when opened. */
  readonly baseline: number;
  /** Ids upserted since open, and how many of them were new to the namespace. */
  readonly written: Set<string>;
  added: number;
  /** What describeIndexStats must show before a read: ≥ atLeast after upserts, 0 after drop. */
  pending: { readonly atLeast: number } | { readonly exactly: 0 } | undefined;
}

/**
 * One ragbench index = one namespace of the serverless index `<prefix>-<dims>-<metric>`. Pinecone is
 * eventually consistent, so reads (count, search, finishLoad) first wait until describeIndexStats shows
 * every record this store added; an update of an existing id is not countable and shows up eventually.
 */
export class PineconeStore implements VectorStore {
  readonly kind = 'pinecone';
  readonly capabilities: StoreCapabilities = {
    maxBatchSize: maxUpsertRecords,
    distances: ['cosine', 'dot', 'euclidean'],
    readsOwnWrites: false,
    persistent: true,
  };
  /** Serverless Pinecone searches an ANN index and offers no setting trading speed for recall. */
  readonly approximation: Approximation = {
    index: 'Pinecone serverless (ANN, no recall setting)',
    exactly: 'store: memory, or pgvector with index: none, over the same embedder',
  };
  readonly #client: Pinecone;
  readonly #options: PineconeStoreOptions;
  readonly #apiKey: string;
  readonly #origin: string;
  #current: OpenIndex | undefined;
  readonly #exact: ExactCopy;

  constructor(client: Pinecone, options: PineconeStoreOptions, connection: { apiKey: string; origin: string }) {
    this.#client = client;
    this.#options = options;
    this.#apiKey = connection.apiKey;
    this.#origin = connection.origin;
    this.#exact = new ExactCopy(options.exactMaxRecords);
  }

  async open(spec: IndexSpec, signal?: AbortSignal): Promise<void> {
    checkIndexSpec(spec);
    if (this.#current && sameSpec(this.#current.spec, spec)) return;
    const metric = metrics[spec.distance];
    const indexName = `${this.#options.indexPrefix}-${spec.dimensions}-${metric}`;
    let model = await this.#describe(indexName);
    if (!model) {
      await this.#call(`create index ${indexName}`, () =>
        this.#client.indexes.create({
          name: indexName,
          dimension: spec.dimensions,
          metric,
          spec: { serverless: { cloud: this.#options.cloud, region: this.#options.region } },
          suppressConflicts: true,
        }),
      );
      model = await this.#waitReady(indexName, signal);
    }
    if (model.dimension !== spec.dimensions || model.metric !== metric) {
      throw new IndexMismatchError(
        `Pinecone index ${indexName} has ${model.dimension} dimensions and ${model.metric} metric, not ${spec.dimensions} and ${metric}`,
        'choose another indexPrefix, or delete that Pinecone index',
      );
    }
    await this.#checkNamespaceElsewhere(spec, indexName);
    const index = this.#client.index({ name: indexName, host: this.#hostOf(model), namespace: spec.name });
    const baseline = await this.#namespaceCount(index, spec.name);
    this.#exact.invalidate();
    this.#current = { spec, indexName, index, baseline, written: new Set(), added: 0, pending: undefined };
  }

  async upsert(records: readonly VectorRecord[], signal?: AbortSignal): Promise<void> {
    const open = this.#open();
    for (const record of records) checkVector(record.vector, open.spec, `vector ${record.id}`);
    const unique = [...new Map(records.map((record) => [record.id, record])).values()];
    this.#exact.invalidate();
    const fresh = unique.filter((record) => !open.written.has(record.id)).map((record) => record.id);
    // A namespace that had records may already hold some of these ids: only the others raise the count.
    const existing = open.baseline > 0 ? await this.#existingIds(open, fresh) : new Set<string>();
    for (const batch of upsertBatches(unique)) {
      signal?.throwIfAborted();
      await this.#call('upsert', () => open.index.upsert({ records: batch }));
    }
    for (const id of fresh) {
      open.written.add(id);
      if (!existing.has(id)) open.added++;
    }
    open.pending = { atLeast: open.baseline + open.added };
  }

  async finishLoad(signal?: AbortSignal): Promise<void> {
    await this.#settle(this.#open(), signal);
  }

  async search(vector: Float32Array, k: number, signal?: AbortSignal): Promise<Hit[]> {
    const open = this.#open();
    checkVector(vector, open.spec, 'query vector');
    checkK(k);
    if (k === 0) return [];
    await this.#settle(open, signal);
    const response = await this.#call('query', () =>
      open.index.query({ vector: Array.from(vector), topK: Math.min(10_000, overFetch(k)), includeMetadata: true }),
    );
    const hits = response.matches.map((match) => ({
      id: match.id,
      docId: String(match.metadata?.docId ?? match.id),
      score: toScore(open.spec.distance, match.score ?? Number.NaN),
    }));
    return topHits(hits, k);
  }

  /** The reference for ANN recall: the namespace's vectors listed and fetched back, searched in process. */
  async searchExact(vectors: readonly Float32Array[], k: number, signal?: AbortSignal): Promise<Hit[][]> {
    const open = this.#open();
    for (const vector of vectors) checkVector(vector, open.spec, 'query vector');
    checkK(k);
    await this.#settle(open, signal);
    const count = await this.#namespaceCount(open.index, open.spec.name);
    return this.#exact.search(open.spec, count, (add, s) => this.#readAll(open, add, s), vectors, k, signal);
  }

  /** Every record of the namespace: ids listed 100 a page, fetched 100 at a time (ids travel in the query string). */
  async #readAll(open: OpenIndex, add: (records: readonly VectorRecord[]) => Promise<void>, signal?: AbortSignal): Promise<void> {
    let token: string | undefined;
    do {
      signal?.throwIfAborted();
      const page = await this.#call('list', () => open.index.listPaginated({ limit: fetchIds, ...(token ? { paginationToken: token } : {}) }));
      const ids = (page.vectors ?? []).flatMap((vector) => (vector.id ? [vector.id] : []));
      if (ids.length > 0) {
        const fetched = await this.#call('fetch', () => open.index.fetch({ ids }));
        const records = Object.values(fetched.records ?? {}).map((record) => ({
          id: record.id,
          docId: String(record.metadata?.docId ?? record.id),
          vector: Float32Array.from(record.values ?? []),
        }));
        await add(records);
      }
      token = page.pagination?.next;
    } while (token);
  }

  async count(signal?: AbortSignal): Promise<number> {
    const open = this.#open();
    await this.#settle(open, signal);
    return this.#namespaceCount(open.index, open.spec.name);
  }

  async drop(signal?: AbortSignal): Promise<void> {
    const open = this.#open();
    this.#exact.invalidate();
    try {
      await this.#call('delete all', () => open.index.deleteAll());
    } catch (error) {
      // Pinecone answers 404 for a namespace that never got a record: already as dropped as it gets.
      if (!(error instanceof ServiceError && error.status === 404)) throw error;
    }
    open.pending = { exactly: 0 };
    await this.#settle(open, signal);
    this.#current = undefined;
    if (!this.#options.deleteEmptyIndex) return;
    const stats = await this.#call('describe index stats', () => open.index.describeIndexStats());
    if ((stats.totalRecordCount ?? 0) === 0) await this.#call(`delete index ${open.indexName}`, () => this.#client.indexes.delete(open.indexName));
  }

  async close(): Promise<void> {
    // Stateless HTTP: nothing to release.
    this.#current = undefined;
  }

  #open(): OpenIndex {
    if (!this.#current) throw new Error('pinecone store: call open(spec) before using the index');
    return this.#current;
  }

  async #call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toPineconeError(error, { apiKeyEnv: this.#options.apiKeyEnv, apiKey: this.#apiKey, origin: this.#origin, timeoutMs: this.#options.timeoutMs }, what);
    }
  }

  async #describe(indexName: string): Promise<IndexModel | undefined> {
    try {
      return await this.#call(`describe index ${indexName}`, () => this.#client.indexes.describe(indexName));
    } catch (error) {
      if (error instanceof ServiceError && error.status === 404) return undefined;
      throw error;
    }
  }

  async #waitReady(indexName: string, signal?: AbortSignal): Promise<IndexModel> {
    const deadline = Date.now() + this.#options.readyTimeoutMs;
    for (;;) {
      const model = await this.#describe(indexName);
      if (model?.status?.ready) return model;
      if (Date.now() >= deadline) {
        throw new ServiceError('pinecone', `index ${indexName} was not ready after ${this.#options.readyTimeoutMs / 1000} s`, {
          fix: 'run again later (the index is being created), or raise readyTimeoutMs',
        });
      }
      await sleep(this.#options.pollIntervalMs, signal);
    }
  }

  /**
   * The namespace name is the ragbench index name; if another of our Pinecone indexes (other dims or metric)
   * already holds it, this open asks for a different shape of the same index: refuse rather than fork it.
   */
  async #checkNamespaceElsewhere(spec: IndexSpec, indexName: string): Promise<void> {
    const list = await this.#call('list indexes', () => this.#client.indexes.list());
    for (const model of list.indexes ?? []) {
      if (model.name === indexName || !model.name.startsWith(`${this.#options.indexPrefix}-`) || !model.status?.ready) continue;
      const other = this.#client.index({ name: model.name, host: this.#hostOf(model) });
      if ((await this.#namespaceCount(other, spec.name)) === 0) continue;
      throw new IndexMismatchError(
        `index ${spec.name} exists in Pinecone index ${model.name} with ${model.dimension} dimensions and ${model.metric} metric, ` +
          `asked for ${spec.dimensions} and ${metrics[spec.distance]}`,
        'choose another index name, or drop the index first',
      );
    }
  }

  async #namespaceCount(index: Index, namespace: string): Promise<number> {
    const stats = await this.#call('describe index stats', () => index.describeIndexStats());
    return stats.namespaces?.[namespace]?.recordCount ?? 0;
  }

  async #existingIds(open: OpenIndex, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let start = 0; start < ids.length; start += fetchIds) {
      const response = await this.#call('fetch', () => open.index.fetch({ ids: ids.slice(start, start + fetchIds) }));
      for (const id of Object.keys(response.records ?? {})) found.add(id);
    }
    return found;
  }

  async #settle(open: OpenIndex, signal?: AbortSignal): Promise<void> {
    const pending = open.pending;
    if (!pending) return;
    const started = Date.now();
    let seen = -1;
    for (;;) {
      seen = await this.#namespaceCount(open.index, open.spec.name);
      if ('atLeast' in pending ? seen >= pending.atLeast : seen === 0) break;
      if (Date.now() - started >= this.#options.consistencyTimeoutMs) {
        const wanted = 'atLeast' in pending ? `${pending.atLeast}` : '0';
        throw new ServiceError(
          'pinecone',
          `namespace ${open.spec.name} of index ${open.indexName} shows ${seen} records, expected ${wanted}, ` +
            `after waiting ${(this.#options.consistencyTimeoutMs / 1000).toFixed(1)} s for Pinecone's eventual consistency`,
          { fix: 'run again (upserts are idempotent and stay stored), or raise consistencyTimeoutMs' },
        );
      }
      await sleep(this.#options.pollIntervalMs, signal);
    }
    if (open.pending === pending) open.pending = undefined;
  }

  /** The index host as described, with the control plane's scheme when it has none (Pinecone Local is http). */
  #hostOf(model: IndexModel): string {
    const host = model.host;
    if (/^https?:\/\//.test(host)) return host;
    return `${new URL(this.#origin).protocol}//${host}`;
  }
}

type PineconeUpsertRecord = { id: string; values: number[]; metadata: { docId: string } };

/** Records as sent, in requests of ≤ 1000 records and ≤ 2 MB of JSON each. */
export function upsertBatches(records: readonly VectorRecord[]): PineconeUpsertRecord[][] {
  const batches: PineconeUpsertRecord[][] = [];
  let batch: PineconeUpsertRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const record = { id: r.id, values: Array.from(r.vector), metadata: { docId: r.docId } };
    const metadataBytes = Buffer.byteLength(JSON.stringify(record.metadata));
    if (metadataBytes > maxMetadataBytes) {
      throw new ConfigError(`chunk ${r.id}: its Pinecone metadata (document id ${r.docId.slice(0, 40)}…) is ${metadataBytes} bytes, above Pinecone's ${maxMetadataBytes} per record`, {
        fix: 'shorten the corpus document ids',
      });
    }
    // +1 for the comma between records.
    const size = Buffer.byteLength(JSON.stringify(record)) + 1;
    if (batch.length > 0 && (batch.length === maxUpsertRecords || bytes + size > maxUpsertBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

function sameSpec(a: IndexSpec, b: IndexSpec): boolean {
  return a.name === b.name && a.dimensions === b.dimensions && a.distance === b.distance;
}

/** Pinecone scores: cosine similarity and dot product as is; euclidean is the squared distance. */
export function toScore(distance: Distance, score: number): number {
  if (distance !== 'euclidean') return score;
  return -Math.sqrt(Math.max(0, score));
}
