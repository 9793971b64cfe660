import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retrievers } from '../../../src/retrievers/registry.js';
import { createEnv } from '../../../src/shared/env.js';
import { manageStore } from '../../../src/stores/managed-store.js';
import { stores } from '../../../src/stores/registry.js';
import { ExactSearchUnavailable, type VectorStore } from '../../../src/stores/vector-store.js';
import { startPineconeServer, type PineconeServer } from '../../doubles/pinecone-server.js';
import { startWeaviateServer, type WeaviateServer } from '../../doubles/weaviate-server.js';

/**
 * Pinecone and Weaviate HNSW search approximately: they declare it, and their `searchExact` reads the stored
 * vectors back into memory, so a run can measure their ANN recall. The doubles search an HNSW graph: a sparse
 * one (m or maxConnections 4, efConstruction 4, ef 1) misses true neighbours.
 */
let pinecone: PineconeServer;
let weaviate: WeaviateServer;
const open: VectorStore[] = [];

const records = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, docId: `d${i}`, vector: Float32Array.from([1, i, 0]) }));
const spec = { name: 'idx', dimensions: 3, distance: 'cosine' as const };
// Cosine to (1, 2, 0): c2 1, c3 .990, c4 .976, c5 .965, c1 .949, c0 .447.
const query = Float32Array.from([1, 2, 0]);
const ids = (hits: readonly { id: string }[]) => hits.map((hit) => hit.id);

async function createPinecone(options: Record<string, unknown> = {}): Promise<VectorStore> {
  const parsed = stores.pinecone.options.parse({ controllerHost: pinecone.url, pollIntervalMs: 10, consistencyTimeoutMs: 2_000, ...options });
  const store = manageStore(await stores.pinecone.create(parsed, { env: createEnv({ PINECONE_API_KEY: pinecone.apiKey }), workDir: '/tmp/unused' }));
  open.push(store);
  return store;
}

async function createWeaviate(options: Record<string, unknown> = {}): Promise<VectorStore> {
  const parsed = stores.weaviate.options.parse({ grpcPort: weaviate.grpcPort, ...options });
  const store = manageStore(await stores.weaviate.create(parsed, { env: createEnv({ WEAVIATE_URL: weaviate.url }), workDir: '/tmp/unused' }));
  open.push(store);
  return store;
}

beforeEach(async () => {
  [pinecone, weaviate] = await Promise.all([startPineconeServer(), startWeaviateServer()]);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await Promise.all([pinecone.close(), weaviate.close()]);
});

/** A sparse graph for each double, so its search misses neighbours as a poorly configured service index does. */
const sparse = {
  pinecone: async () => {
    pinecone.ann = { m: 4, efConstruction: 4, ef: 1 };
    return createPinecone();
  },
  weaviate: () => createWeaviate({ hnsw: { maxConnections: 4, efConstruction: 4, ef: 1 } }),
};

/** Seeded points in 16 dimensions and their true cosine top-k by brute force (ties by id), computed here. */
function seededPoints(n: number, seed: number) {
  let state = seed;
  const random = () => ((state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: n }, (_, i) => ({ id: `p${String(i).padStart(3, '0')}`, docId: `d${i}`, vector: Float32Array.from({ length: 16 }, random) }));
}
function bruteForce(points: readonly { id: string; vector: Float32Array }[], q: Float32Array, k: number): string[] {
  const cosine = (a: Float32Array, b: Float32Array) => {
    let [dot, aa, bb] = [0, 0, 0];
    for (let i = 0; i < a.length; i++) [dot, aa, bb] = [dot + a[i]! * b[i]!, aa + a[i]! ** 2, bb + b[i]! ** 2];
    return dot / Math.sqrt(aa * bb);
  };
  return points
    .map((p) => ({ id: p.id, score: cosine(q, p.vector) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, k)
    .map((p) => p.id);
}

describe.each([
  ['pinecone', () => createPinecone, () => sparse.pinecone],
  ['weaviate', () => createWeaviate, () => sparse.weaviate],
] as const)('%s: exact search beside the ANN search', (_, factory, sparseFactory) => {
  it('searchExact finds the true nearest records where the service search (a sparse HNSW graph) misses some', async () => {
    const store = await sparseFactory()();
    const points = seededPoints(400, 11);
    const queries = seededPoints(20, 99).map((p) => p.vector);
    await store.open({ name: 'sparse', dimensions: 16, distance: 'cosine' });
    await store.upsert(points);
    const exact = await store.searchExact!(queries, 5);
    let found = 0;
    for (const [i, q] of queries.entries()) {
      const truth = bruteForce(points, q, 5);
      expect(ids(exact[i]!)).toEqual(truth);
      const approximate = new Set(ids(await store.search(q, 5)));
      found += truth.filter((id) => approximate.has(id)).length;
    }
    const recall = found / (queries.length * 5);
    console.info(`sparse-graph recall@5 over 20 queries: ${recall.toFixed(2)}`);
    expect(recall).toBeLessThan(1);
    expect(recall).toBeGreaterThan(0);
  });

  it('the in-process copy follows writes and drops (read once per index state)', async () => {
    const store = await factory()();
    await store.open(spec);
    await store.upsert(records(3));
    expect(ids((await store.searchExact!([query], 2))[0]!)).toEqual(['c2', 'c1']);
    await store.upsert([{ id: 'x', docId: 'dx', vector: Float32Array.from([1, 2.5, 0]) }]);
    expect(ids((await store.searchExact!([query], 2))[0]!)).toEqual(['c2', 'x']);
    await store.drop();
    await store.open(spec);
    await store.upsert(records(2));
    expect(ids((await store.searchExact!([query], 5))[0]!)).toEqual(['c1', 'c0']);
  });

  it('above exactMaxRecords it copies nothing and names the setting to raise', async () => {
    const store = await factory()({ exactMaxRecords: 2 });
    await store.open(spec);
    await store.upsert(records(3));
    const error = await store.searchExact!([query], 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExactSearchUnavailable);
    expect((error as Error).message).toBe('index idx holds 3 records > exactMaxRecords 2 (the cap on vectors copied out for exact search); raise exactMaxRecords');
  });
});

it('Pinecone: the namespace is listed and fetched once, then every exact search is answered in process', async () => {
  const store = await createPinecone();
  await store.open(spec);
  await store.upsert(records(250));
  await store.searchExact!([query], 3);
  await store.searchExact!([query, query], 3);
  const calls = pinecone.requests.map((r) => r.call);
  expect(calls.filter((call) => call === 'GET /vectors/list')).toHaveLength(3);
  expect(calls.filter((call) => call === 'GET /vectors/fetch')).toHaveLength(3);
});

describe('what each service store declares', () => {
  it('Pinecone: approximate, with no setting to raise', async () => {
    const store = await createPinecone();
    expect(store.approximation).toEqual({ index: 'Pinecone serverless (ANN, no recall setting)', exactly: expect.stringContaining('store: memory') });
  });

  it('Weaviate hnsw: approximate, raise hnsw.ef; flat: exact', async () => {
    expect((await createWeaviate({ hnsw: { ef: 64 } })).approximation).toEqual({
      index: 'Weaviate hnsw (maxConnections 32, efConstruction 128, ef 64)',
      raise: 'hnsw.ef',
      exactly: 'index: flat',
    });
    expect((await createWeaviate()).approximation?.index).toMatch(/ef dynamic\)$/);
    expect((await createWeaviate({ index: 'flat' })).approximation).toBeUndefined();
  });

  it('exactMaxRecords bounds the measurement only: the dense fingerprint (and so the index) is unchanged by it', async () => {
    const context = { env: createEnv({ PINECONE_API_KEY: pinecone.apiKey }), workDir: '/tmp/unused' };
    const fingerprint = async (store: Record<string, unknown>) => {
      const options = retrievers.dense.options.parse({ embedder: { kind: 'hashing', dimensions: 3 }, store: { kind: 'pinecone', controllerHost: pinecone.url, ...store }, cache: false });
      const retriever = await retrievers.dense.create(options, context);
      await retriever.close();
      return retriever.fingerprint;
    };
    expect(await fingerprint({ exactMaxRecords: 5 })).toBe(await fingerprint({}));
    expect(await fingerprint({ indexPrefix: 'other' })).not.toBe(await fingerprint({}));
  });
});
