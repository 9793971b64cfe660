import { createHash } from 'node:crypto';
import type { WeaviateClient } from 'weaviate-client';
import { z } from 'zod';
import { ConfigError, DimensionError, ServiceError } from '../../shared/errors.js';
import { definePlugin } from '../../shared/plugin.js';
import { offsetOf, type ExistingHit, type ExistingIndex, type IndexSnapshot } from '../existing-index.js';
import { toWeaviateError, type WeaviateErrorContext } from './errors.js';
import { connectWeaviate, weaviateConnectionOptions } from './definition.js';
import { forEachCursorPage, toScore } from './store.js';
import { checkK, overFetch } from '../vector-checks.js';
import { compareHits, type Approximation, type Distance } from '../vector-store.js';

const property = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a Weaviate property name');

const options = z.strictObject({
  ...weaviateConnectionOptions,
  /** The collection your ingestion wrote, and its tenant when multi-tenancy is on. */
  collection: z.string().min(1),
  tenant: z.string().min(1).optional(),
  /** Properties holding the document id (required), and the chunk text and offsets when present. */
  docIdProperty: property.default('docId'),
  textProperty: property.optional(),
  startProperty: property.optional(),
  endProperty: property.optional(),
  /** nearVector: ragbench embeds queries with your embedder; nearText / hybrid: the collection's own vectorizer. */
  search: z.enum(['nearVector', 'nearText', 'hybrid']).default('nearVector'),
  /** hybrid: 1 is pure vector, 0 pure BM25 (Weaviate's default 0.75). */
  alpha: z.number().min(0).max(1).optional(),
  /** A named vector, for collections with several. */
  targetVector: z.string().min(1).optional(),
  /** Read every object (uuid, properties, vector) to hash it when the collection holds at most this many; 0: count only. */
  checksumMaxRecords: z.int().min(0).default(100_000),
  /** The distance the collection's vector index uses (Weaviate does not report it per query). */
  distance: z.enum(['cosine', 'dot', 'euclidean']).default('cosine'),
});

type WeaviateExistingOptions = z.output<typeof options>;

/** A Weaviate collection your ingestion wrote: searched and counted, never written to. */
export const weaviateExisting = definePlugin({
  description: 'an existing Weaviate collection (+ tenant): nearVector with your embedder, or its own nearText/hybrid',
  options,
  async create(o, context): Promise<ExistingIndex> {
    const { client, errorContext } = await connectWeaviate(o, context);
    try {
      const call = <T>(what: string, work: () => Promise<T>) => work().catch((error: unknown) => Promise.reject(toWeaviateError(error, errorContext, what)));
      if (!(await call('check collection', () => client.collections.exists(o.collection)))) {
        throw new ConfigError(`Weaviate collection ${o.collection} does not exist at ${errorContext.where}`, { fix: 'check collection: (Weaviate capitalises the first letter)' });
      }
      const config = await call('read collection', () => client.collections.use(o.collection).config.get());
      return new WeaviateReader(client, o, errorContext, modelOf(config, o.targetVector), approximationOf(config, o.targetVector, o.collection));
    } catch (error) {
      await client.close();
      throw error;
    }
  },
});

/** The model a module vectorizer records (text2vec-openai, -cohere, …), when the collection has one. */
function modelOf(config: unknown, targetVector: string | undefined): string | undefined {
  const vectorizers = (config as { vectorizers?: Record<string, { vectorizer?: { config?: { model?: unknown } } }> }).vectorizers ?? {};
  const entry = targetVector ? vectorizers[targetVector] : Object.values(vectorizers)[0];
  const model = entry?.vectorizer?.config?.model;
  return typeof model === 'string' ? model : undefined;
}

/** An HNSW (or dynamic) vector index searches approximately; a flat one is a brute-force scan. */
function approximationOf(config: unknown, targetVector: string | undefined, collection: string): Approximation | undefined {
  const vectors = (config as { vectorizers?: Record<string, { indexType?: string; indexConfig?: { ef?: unknown } }> }).vectorizers ?? {};
  const entry = targetVector ? vectors[targetVector] : Object.values(vectors)[0];
  const type = entry?.indexType ?? 'hnsw';
  if (type === 'flat') return undefined;
  const ef = entry?.indexConfig?.ef;
  return {
    index: `existing Weaviate ${type} collection ${collection}${typeof ef === 'number' ? ` (ef ${ef === -1 ? 'dynamic' : ef})` : ''}`,
    raise: "the collection's vectorIndexConfig ef",
    exactly: 'a flat vector index',
  };
}

class WeaviateReader implements ExistingIndex {
  readonly dimensions = undefined;
  readonly embedsQueries: boolean;
  readonly model: string | undefined;
  readonly approximation?: Approximation;
  readonly #client: WeaviateClient;
  readonly #o: WeaviateExistingOptions;
  readonly #errors: WeaviateErrorContext;
  #closed: Promise<void> | undefined;

  constructor(client: WeaviateClient, o: WeaviateExistingOptions, errors: WeaviateErrorContext, model: string | undefined, approximation: Approximation | undefined) {
    if (approximation) this.approximation = approximation;
    this.#client = client;
    this.#o = o;
    this.#errors = errors;
    this.embedsQueries = o.search !== 'nearVector';
    // The recorded model is compared with ragbench's embedder only when ragbench embeds the queries.
    this.model = this.embedsQueries ? undefined : model;
  }

  async search(query: { readonly text: string; readonly vector: Float32Array | undefined }, k: number): Promise<ExistingHit[]> {
    checkK(k);
    if (k === 0) return [];
    const o = this.#o;
    const base = this.#client.collections.use<string, Record<string, string>>(o.collection);
    const collection = o.tenant ? base.withTenant(o.tenant) : base;
    const returnProperties = [o.docIdProperty, o.textProperty, o.startProperty, o.endProperty].filter((p): p is string => p !== undefined) as (keyof Record<string, string>)[];
    const common = { limit: overFetch(k), returnProperties, ...(o.targetVector ? { targetVector: o.targetVector } : {}) };
    let result;
    try {
      if (o.search === 'nearVector') {
        if (!query.vector) throw new Error('weaviate existing index: a query vector is required for nearVector');
        result = await collection.query.nearVector(Array.from(query.vector), { ...common, returnMetadata: ['distance'] });
      } else if (o.search === 'nearText') {
        result = await collection.query.nearText(query.text, { ...common, returnMetadata: ['distance'] });
      } else {
        result = await collection.query.hybrid(query.text, { ...common, ...(o.alpha !== undefined ? { alpha: o.alpha } : {}), returnMetadata: ['score'] });
      }
    } catch (error) {
      const mapped = toWeaviateError(error, this.#errors, o.search);
      // Weaviate puts the lengths at the end of a long message ("…: 384 vs 128: vector lengths don't match"), past
      // the mapped message's cut: read the whole original.
      const lengths = error instanceof Error ? /(\d+) vs (\d+): vector lengths don't match/.exec(error.message) : null;
      if (mapped instanceof ServiceError && (lengths || /vector lengths don't match/i.test(mapped.message))) {
        const detail = lengths ? `the collection holds ${lengths[1]}-dimensional vectors, the query has ${lengths[2]}` : mapped.message;
        throw new DimensionError(`Weaviate collection ${o.collection}: ${detail} (vector lengths don't match)`, 'configure the embedder your ingestion used');
      }
      throw mapped;
    }
    const hits = result.objects.map((object) => {
      const props = object.properties;
      const docId = props[o.docIdProperty];
      if ((typeof docId !== 'string' && typeof docId !== 'number') || String(docId).trim() === '') {
        throw new ConfigError(`Weaviate object ${object.uuid} in ${o.collection} has no property ${o.docIdProperty}`, { fix: 'set docIdProperty to the property holding the corpus document id' });
      }
      const text = o.textProperty ? props[o.textProperty] : undefined;
      const start = o.startProperty ? offsetOf(props[o.startProperty]) : undefined;
      const end = o.endProperty ? offsetOf(props[o.endProperty]) : undefined;
      // hybrid gives a fused score (higher is better); the vector searches a distance.
      const score = o.search === 'hybrid' ? (object.metadata?.score ?? Number.NaN) : toScore(o.distance as Distance, object.metadata?.distance ?? Number.NaN);
      return { id: object.uuid, ref: object.uuid, docId: String(docId), ...(typeof text === 'string' ? { text } : {}), ...(start !== undefined && end !== undefined ? { start, end } : {}), score };
    });
    return hits.sort(compareHits).slice(0, k).map(({ id: _id, ...hit }) => hit);
  }

  async snapshot(): Promise<IndexSnapshot> {
    const o = this.#o;
    const base = this.#client.collections.use<string, Record<string, string>>(o.collection);
    const collection = o.tenant ? base.withTenant(o.tenant) : base;
    try {
      const count = await collection.length();
      if (count === 0 || count > o.checksumMaxRecords) return { count };
      // A cursor read in uuid order (Weaviate's own iteration order).
      const hash = createHash('sha256');
      const returnProperties = [o.docIdProperty, o.textProperty, o.startProperty, o.endProperty].filter((p): p is string => p !== undefined) as (keyof Record<string, string>)[];
      await forEachCursorPage(
        async (after, limit) => (await collection.query.fetchObjects({ limit, includeVector: true, returnProperties, ...(after ? { after } : {}) })).objects,
        (objects) => {
          for (const object of objects) hash.update(`${object.uuid}\u001f${JSON.stringify(object.properties)}\u001f${JSON.stringify(object.vectors ?? {})}\n`);
        },
      );
      return { count, checksum: hash.digest('hex').slice(0, 32) };
    } catch (error) {
      throw toWeaviateError(error, this.#errors, 'count');
    }
  }

  describe(): Record<string, unknown> {
    const o = this.#o;
    return { store: 'weaviate', urlEnv: o.urlEnv, collection: o.collection, ...(o.tenant ? { tenant: o.tenant } : {}), search: o.search, ...(this.model ? { model: this.model } : {}) };
  }

  close(): Promise<void> {
    this.#closed ??= this.#client.close();
    return this.#closed;
  }
}
