import { createHash } from 'node:crypto';
import type { Index, RecordMetadata } from '@pinecone-database/pinecone';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.js';
import { definePlugin } from '../../shared/plugin.js';
import { metadataPath, offsetOf, readPath, type ExistingHit, type ExistingIndex, type IndexSnapshot } from '../existing-index.js';
import { createPineconeClient } from './definition.js';
import { toPineconeError } from './errors.js';
import { toScore } from './store.js';
import { checkK, overFetch } from '../vector-checks.js';
import { compareHits, type Approximation, type Distance } from '../vector-store.js';

const options = z
  .strictObject({
    apiKeyEnv: z.string().min(1).default('PINECONE_API_KEY'),
    controllerHost: z.url().optional(),
    controllerHostEnv: z.string().min(1).optional(),
    timeoutMs: z.int().min(100).default(30_000),
    /** The Pinecone index your ingestion wrote, and the namespace in it ('' is the default namespace). */
    index: z.string().min(1),
    namespace: z.string().default(''),
    /** Metadata paths: the document id (required), and the chunk text and offsets when your records carry them. */
    docIdField: z.string().min(1).default('docId'),
    textField: z.string().min(1).optional(),
    startField: z.string().min(1).optional(),
    endField: z.string().min(1).optional(),
    /** A Pinecone metadata filter, e.g. `{ lang: { $eq: en } }`; sent as JSON data, never as text to interpret. */
    filter: z.record(z.string(), z.unknown()).optional(),
    /** Fetch every record to hash it (ids, metadata, values) when the namespace holds at most this many; 0: count only. */
    checksumMaxRecords: z.int().min(0).default(100_000),
  })
  .refine((o) => !(o.controllerHost && o.controllerHostEnv), { message: 'choose controllerHost or controllerHostEnv, not both', path: ['controllerHost'] });

type PineconeExistingOptions = z.output<typeof options>;

const distances: Record<string, Distance> = { cosine: 'cosine', dotproduct: 'dot', euclidean: 'euclidean' };

/** A Pinecone namespace your ingestion wrote: queried, listed and fetched, never upserted to or deleted from. */
export const pineconeExisting = definePlugin({
  description: 'an existing Pinecone index namespace: document id (and text, offsets) from metadata fields',
  options,
  async create(o, context): Promise<ExistingIndex> {
    const { client, apiKey, origin } = await createPineconeClient(o, context);
    const fail = (what: string) => (error: unknown) => {
      throw toPineconeError(error, { apiKeyEnv: o.apiKeyEnv, apiKey, origin, timeoutMs: o.timeoutMs }, what);
    };
    const model = await client.indexes.describe(o.index).catch((error: unknown) => {
      if (error instanceof Error && /404|not found/i.test(error.message)) {
        throw new ConfigError(`Pinecone index ${o.index} does not exist at ${origin}`, { fix: 'check index: (and controllerHost)' });
      }
      return fail(`describe index ${o.index}`)(error);
    });
    const distance = distances[model.metric];
    if (!distance) throw new ConfigError(`Pinecone index ${o.index} has metric ${model.metric}, which ragbench does not read`);
    const host = /^https?:\/\//.test(model.host) ? model.host : `${new URL(origin).protocol}//${model.host}`;
    return new PineconeReader(client.index({ name: o.index, host, namespace: o.namespace }), o, { dimensions: model.dimension ?? undefined, distance, fail });
  },
});

class PineconeReader implements ExistingIndex {
  readonly embedsQueries = false;
  readonly model = undefined;
  readonly dimensions: number | undefined;
  readonly approximation: Approximation = {
    index: 'existing Pinecone index (ANN, no recall setting)',
    exactly: 'a dense retriever over the same corpus with store: memory',
  };
  readonly #index: Index;
  readonly #o: PineconeExistingOptions;
  readonly #distance: Distance;
  readonly #fail: (what: string) => (error: unknown) => never;

  constructor(index: Index, o: PineconeExistingOptions, info: { dimensions: number | undefined; distance: Distance; fail: (what: string) => (error: unknown) => never }) {
    this.#index = index;
    this.#o = o;
    this.dimensions = info.dimensions;
    this.#distance = info.distance;
    this.#fail = info.fail;
  }

  async search(query: { readonly vector: Float32Array | undefined }, k: number): Promise<ExistingHit[]> {
    checkK(k);
    if (k === 0) return [];
    if (!query.vector) throw new Error('pinecone existing index: a query vector is required');
    const response = await this.#index
      .query({ vector: Array.from(query.vector), topK: Math.min(10_000, overFetch(k)), includeMetadata: true, ...(this.#o.filter ? { filter: this.#o.filter } : {}) })
      .catch(this.#fail('query'));
    const hits = response.matches.map((match) => ({ ...this.#fields(match.id, match.metadata), score: toScore(this.#distance, match.score ?? Number.NaN), id: match.id }));
    return hits.sort(compareHits).slice(0, k).map(({ id: _id, ...hit }) => hit);
  }

  async snapshot(): Promise<IndexSnapshot> {
    const stats = await this.#index.describeIndexStats().catch(this.#fail('describe index stats'));
    const count = stats.namespaces?.[this.#o.namespace]?.recordCount ?? 0;
    if (count === 0 || count > this.#o.checksumMaxRecords) return { count };
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#index.listPaginated({ limit: 100, ...(token ? { paginationToken: token } : {}) }).catch(this.#fail('list'));
      for (const vector of page.vectors ?? []) if (vector.id) ids.push(vector.id);
      token = page.pagination?.next;
    } while (token);
    ids.sort();
    const hash = createHash('sha256');
    for (let start = 0; start < ids.length; start += 100) {
      const fetched = await this.#index.fetch({ ids: ids.slice(start, start + 100) }).catch(this.#fail('fetch'));
      for (const id of ids.slice(start, start + 100)) {
        const record = fetched.records?.[id];
        hash.update(`${id}\u001f${JSON.stringify(record?.metadata ?? {})}\u001f${JSON.stringify(record?.values ?? [])}\n`);
      }
    }
    return { count, checksum: hash.digest('hex').slice(0, 32) };
  }

  describe(): Record<string, unknown> {
    return { store: 'pinecone', index: this.#o.index, namespace: this.#o.namespace, distance: this.#distance, dimensions: this.dimensions, ...(this.#o.filter ? { filter: this.#o.filter } : {}) };
  }

  async close(): Promise<void> {}

  #fields(id: string, metadata: RecordMetadata | undefined): Omit<ExistingHit, 'score'> {
    const docId = readPath(metadata, metadataPath(this.#o.docIdField));
    if ((typeof docId !== 'string' && typeof docId !== 'number') || String(docId).trim() === '') {
      throw new ConfigError(`Pinecone record ${id} in ${this.#o.index}/${this.#o.namespace || '(default)'} has no metadata ${this.#o.docIdField}`, {
        fix: 'set docIdField to the metadata field holding the corpus document id',
      });
    }
    const text = this.#o.textField ? readPath(metadata, metadataPath(this.#o.textField)) : undefined;
    const start = this.#o.startField ? offsetOf(readPath(metadata, metadataPath(this.#o.startField))) : undefined;
    const end = this.#o.endField ? offsetOf(readPath(metadata, metadataPath(this.#o.endField))) : undefined;
    return { ref: id, docId: String(docId), ...(typeof text === 'string' ? { text } : {}), ...(start !== undefined && end !== undefined ? { start, end } : {}) };
  }
}

