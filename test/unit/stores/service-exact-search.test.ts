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
 * vectors back into memory, so a run can measure their ANN recall. The doubles' `dropNearest` makes their own
 * search miss the nearest records, as a poor ANN index may.
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

describe.each([
  ['pinecone', () => createPinecone, () => pinecone],
  ['weaviate', () => createWeaviate, () => weaviate],
] as const)('%s: exact search beside the ANN search', (_, factory, server) => {
  it('searchExact finds the true nearest records when the service search misses them', async () => {
    const store = await factory()();
    await store.open(spec);
    await store.upsert(records(6));
    server().dropNearest = 1;
    expect(ids(await store.search(query, 3))).toEqual(['c3', 'c4', 'c5']);
    expect(ids((await store.searchExact!([query], 3))[0]!)).toEqual(['c2', 'c3', 'c4']);
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
