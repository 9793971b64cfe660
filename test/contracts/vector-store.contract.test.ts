import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEnv } from '../../src/shared/env.js';
import { DimensionError, IndexMismatchError } from '../../src/shared/errors.js';
import { MemoryStore } from '../../src/stores/memory.js';
import { searchSql } from '../../src/stores/pgvector/sql.js';
import { overFetch } from '../../src/stores/vector-checks.js';
import { stores } from '../../src/stores/registry.js';
import type { Distance, IndexSpec, VectorRecord, VectorStore } from '../../src/stores/vector-store.js';
import { startPgliteServer, type PgliteServer } from '../doubles/pglite-server.js';
import { countTestIndexes, dropTestIndexes } from '../helpers/pg-cleanup.js';
import { startPineconeServer, type PineconeServer } from '../doubles/pinecone-server.js';
import { startWeaviateServer, type WeaviateServer } from '../doubles/weaviate-server.js';

/**
 * One behaviour suite over every VectorStore (Kysely's DIALECTS). Filter with
 * RAGBENCH_STORES=memory,pglite,pglite-dir,pglite-socket,postgres,pinecone-double,pinecone,weaviate-double,weaviate;
 * `postgres` needs DATABASE_URL, `pinecone` PINECONE_API_KEY, `weaviate` WEAVIATE_URL (README: live contract suite).
 */
type Overrides = { readonly exact?: boolean; readonly index?: 'hnsw' | 'ivfflat' | 'none' };

interface Target {
  readonly key: string;
  readonly skip?: string;
  readonly setup?: () => Promise<void>;
  readonly teardown?: () => Promise<void>;
  create(overrides?: Overrides): Promise<VectorStore>;
  /** Closes `store` and opens a new instance on the same storage (persistent targets only). */
  readonly reopen?: (store: VectorStore, overrides?: Overrides) => Promise<VectorStore>;
  /** EXPLAIN output for a statement, where the test can reach the database beside the store. */
  readonly explain?: (sql: string, params: unknown[]) => Promise<string>;
  /** A Postgres URL whose `ragbench_t<run>_…` tables and rows this run drops when it ends (also after failures). */
  readonly cleanupUrl?: () => string;
  /** Why `create({ exact: true })` cannot search exactly, when it cannot (the exact tests are then skipped, counted). */
  readonly noExact?: string;
}

const context = (env: Record<string, string> = {}) => ({ env: createEnv(env), workDir: join(tmpdir(), 'ragbench-unused') });
const pgvectorStore = (options: Record<string, unknown>, env?: Record<string, string>) =>
  stores.pgvector.create(stores.pgvector.options.parse(options), context(env));
const weaviateStore = (options: Record<string, unknown>, env: Record<string, string>) =>
  stores.weaviate.create(stores.weaviate.options.parse(options), context(env));
const pineconeStore = (options: Record<string, unknown>, env: Record<string, string>) =>
  stores.pinecone.create(stores.pinecone.options.parse(options), context(env));

let server: PgliteServer | undefined;
let pineconeServer: PineconeServer | undefined;
let weaviateServer: WeaviateServer | undefined;
const pineconeKey = process.env.PINECONE_API_KEY;
let tempRoot = '';
const dirs = new WeakMap<VectorStore, string>();
const databaseUrl = process.env.DATABASE_URL;

const targets: Target[] = [
  { key: 'memory', create: async () => stores.memory.create(stores.memory.options.parse({}), context()) },
  { key: 'pglite', create: (o) => pgvectorStore({ memory: true, ...o }) },
  {
    key: 'pglite-dir',
    setup: async () => void (tempRoot = await mkdtemp(join(tmpdir(), 'ragbench-pglite-'))),
    teardown: () => rm(tempRoot, { recursive: true, force: true }),
    async create(o) {
      const dataDir = await mkdtemp(join(tempRoot, 'db-'));
      const store = await pgvectorStore({ dataDir, ...o });
      dirs.set(store, dataDir);
      return store;
    },
    async reopen(store, o) {
      const dataDir = dirs.get(store)!;
      await store.close();
      const next = await pgvectorStore({ dataDir, ...o });
      dirs.set(next, dataDir);
      return next;
    },
  },
  {
    key: 'pglite-socket',
    setup: async () => void (server = await startPgliteServer()),
    teardown: async () => server?.close(),
    create: (o) => pgvectorStore({ mode: 'server', urlEnv: 'TEST_URL', ...o }, { TEST_URL: server!.url }),
    async reopen(store, o) {
      await store.close();
      return pgvectorStore({ mode: 'server', urlEnv: 'TEST_URL', ...o }, { TEST_URL: server!.url });
    },
    explain: async (sql, params) => planText((await server!.db.query<Record<string, string>>(`EXPLAIN ${sql}`, params)).rows),
    cleanupUrl: () => server!.url,
  },
  {
    key: 'postgres',
    ...(databaseUrl ? {} : { skip: 'DATABASE_URL is not set' }),
    cleanupUrl: () => databaseUrl!,
    create: (o) => pgvectorStore({ mode: 'server', ...o }, { DATABASE_URL: databaseUrl! }),
    async reopen(store, o) {
      await store.close();
      return pgvectorStore({ mode: 'server', ...o }, { DATABASE_URL: databaseUrl! });
    },
    async explain(sql, params) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return planText((await client.query<Record<string, string>>(`EXPLAIN ${sql}`, params)).rows);
      } finally {
        await client.end();
      }
    },
  },
];

/** Real services: the contract's indexes go under their own prefix and are deleted when dropped. */
const livePinecone = {
  indexPrefix: 'rbcontract',
  deleteEmptyIndex: true,
  ...(process.env.PINECONE_CONTROLLER_HOST ? { controllerHostEnv: 'PINECONE_CONTROLLER_HOST' } : {}),
};
targets.push(
  {
    key: 'pinecone-double',
    noExact: 'Pinecone serverless has no exact search (searchExact is checked instead)',
    setup: async () => void (pineconeServer = await startPineconeServer()),
    teardown: async () => pineconeServer?.close(),
    create: () => pineconeStore(doublePinecone(), { PINECONE_API_KEY: pineconeServer!.apiKey }),
    async reopen(store) {
      await store.close();
      return pineconeStore(doublePinecone(), { PINECONE_API_KEY: pineconeServer!.apiKey });
    },
  },
  {
    key: 'pinecone',
    noExact: 'Pinecone serverless has no exact search (searchExact is checked instead)',
    ...(pineconeKey ? {} : { skip: 'PINECONE_API_KEY is not set' }),
    create: () => pineconeStore(livePinecone, process.env as Record<string, string>),
    async reopen(store) {
      await store.close();
      return pineconeStore(livePinecone, process.env as Record<string, string>);
    },
  },
);
/** `exact: true` is Weaviate's flat (brute-force) index. */
const weaviateIndex = (o?: Overrides) => (o?.exact ? { index: 'flat' } : {});
const liveWeaviate = (o?: Overrides) => ({
  collectionPrefix: 'Rbcontract',
  ...weaviateIndex(o),
});
targets.push(
  {
    key: 'weaviate-double',
    setup: async () => void (weaviateServer = await startWeaviateServer({ apiKey: 'wv-test-key' })),
    teardown: async () => weaviateServer?.close(),
    create: (o) => weaviateStore({ grpcPort: weaviateServer!.grpcPort, ...weaviateIndex(o) }, doubleWeaviateEnv()),
    async reopen(store, o) {
      await store.close();
      return weaviateStore({ grpcPort: weaviateServer!.grpcPort, ...weaviateIndex(o) }, doubleWeaviateEnv());
    },
  },
  {
    key: 'weaviate',
    ...(process.env.WEAVIATE_URL ? {} : { skip: 'WEAVIATE_URL is not set' }),
    create: (o) => weaviateStore(liveWeaviate(o), process.env as Record<string, string>),
    async reopen(store, o) {
      await store.close();
      return weaviateStore(liveWeaviate(o), process.env as Record<string, string>);
    },
  },
);
function doubleWeaviateEnv() {
  return { WEAVIATE_URL: weaviateServer!.url, WEAVIATE_API_KEY: weaviateServer!.apiKey! };
}
function doublePinecone() {
  return { controllerHost: pineconeServer!.url, pollIntervalMs: 10, consistencyTimeoutMs: 5_000, deleteEmptyIndex: true };
}

const planText = (rows: Record<string, string>[]) => rows.map((row) => row['QUERY PLAN']).join('\n');
/** `it`, or `it.skip` with the reason in the test's name, so the summary counts the skip and says why. */
const itUnless = (reason: string | undefined) =>
  reason === undefined ? it : (name: string, fn: Parameters<typeof it>[1]) => it.skip(`${name} (skipped: ${reason})`, fn);
const selected = process.env.RAGBENCH_STORES?.split(',').map((s) => s.trim()).filter(Boolean);

/** Index names unique per run, so a shared real database never sees a leftover from another run. */
const runId = Math.floor(Math.random() * 1e6).toString(36).padStart(4, '0');
let nameCounter = 0;
const spec = (distance: Distance, dimensions = 3): IndexSpec => ({ name: `t${runId}_${nameCounter++}`, dimensions, distance });
const rec = (id: string, values: number[], docId = `doc-${id}`): VectorRecord => ({ id, docId, vector: Float32Array.from(values) });

// Query [1,1,0]. a2 and b1 are mirror images around it, so they tie under every distance; b1 is stored first
// so a tie broken by insertion order would show. Expected scores are computed by hand in the comments.
const handRecords = [rec('b1', [1, 0, 0]), rec('a2', [0, 1, 0]), rec('c3', [2, 2, 0]), rec('d4', [-1, 0, 0]), rec('e5', [0.5, 0, 1])];
const handQuery = Float32Array.from([1, 1, 0]);
const handExpected: Record<Distance, [string, number][]> = {
  // q·x / (|q||x|): c3 4/(√2·√8) = 1; a2, b1 1/√2; e5 0.5/(√2·√1.25) = 1/√10; d4 −1/√2
  cosine: [['c3', 1], ['a2', Math.SQRT1_2], ['b1', Math.SQRT1_2], ['e5', 1 / Math.sqrt(10)], ['d4', -Math.SQRT1_2]],
  // q·x: c3 4; a2, b1 1; e5 0.5; d4 −1
  dot: [['c3', 4], ['a2', 1], ['b1', 1], ['e5', 0.5], ['d4', -1]],
  // −|q−x|: a2, b1 −1; c3 −√2; e5 −√2.25 = −1.5; d4 −√5
  euclidean: [['a2', -1], ['b1', -1], ['c3', -Math.SQRT2], ['e5', -1.5], ['d4', -Math.sqrt(5)]],
};

/** mulberry32: a seeded generator, so the 2000 random vectors are the same on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randomVectors = (count: number, dimensions: number, seed: number) => {
  const random = seeded(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dimensions }, () => random() * 2 - 1));
};
const corpus = randomVectors(2000, 64, 42).map((vector, i) => ({ id: `v${String(i).padStart(4, '0')}`, docId: `d${i % 500}`, vector }));
const queries = randomVectors(25, 64, 7);

async function exactReference(distance: Distance, k: number) {
  const reference = new MemoryStore();
  await reference.open({ name: 'reference', dimensions: 64, distance });
  await reference.upsert(corpus);
  return Promise.all(queries.map((q) => reference.search(q, k)));
}

for (const target of targets) {
  const wanted = !selected || selected.includes(target.key);
  const reason = target.skip ?? (wanted ? undefined : 'not in RAGBENCH_STORES');
  describe.skipIf(reason !== undefined)(`vector store contract: ${target.key}${reason ? ` (skipped: ${reason})` : ''}`, () => {
    let shared: VectorStore;
    const extra: VectorStore[] = [];
    const track = (store: VectorStore) => (extra.push(store), store);

    beforeAll(async () => {
      await target.setup?.();
      shared = await target.create();
    });
    afterEach(async () => {
      await Promise.all(extra.splice(0).map((store) => store.close()));
    });
    afterAll(async () => {
      await shared?.close();
      // A shared database (a user's DATABASE_URL) keeps nothing of this run, whatever the tests did.
      if (target.cleanupUrl) {
        await dropTestIndexes(target.cleanupUrl(), `t${runId}_`);
        expect(await countTestIndexes(target.cleanupUrl(), `t${runId}_`)).toBe(0);
      }
      await target.teardown?.();
    });

    it('open creates an empty index; upsert is idempotent by id and updates the vector and docId', async () => {
      await shared.open(spec('cosine'));
      expect(await shared.count()).toBe(0);
      await shared.upsert(handRecords);
      await shared.upsert(handRecords);
      expect(await shared.count()).toBe(5);
      await shared.upsert([rec('b1', [0, 0, 1], 'moved')]);
      expect(await shared.count()).toBe(5);
      const moved = [{ id: 'b1', docId: 'moved', score: expect.closeTo(1, 6) }];
      // An update keeps the count, so an eventually consistent store cannot wait for it: it shows up eventually.
      if (shared.capabilities.readsOwnWrites) expect(await shared.search(Float32Array.from([0, 0, 2]), 1)).toEqual(moved);
      else await expect.poll(() => shared.search(Float32Array.from([0, 0, 2]), 1), { timeout: 30_000 }).toEqual(moved);
    });

    it('within one call the last record for an id wins', async () => {
      await shared.open(spec('dot'));
      await shared.upsert([rec('x', [1, 0, 0]), rec('x', [3, 0, 0])]);
      expect(await shared.count()).toBe(1);
      expect((await shared.search(Float32Array.from([1, 0, 0]), 5))[0]?.score).toBeCloseTo(3, 6);
    });

    for (const distance of ['cosine', 'dot', 'euclidean'] as const) {
      it(`search orders by ${distance} with higher scores closer and ties by id, before and after finishLoad`, async () => {
        const index = spec(distance);
        await shared.open(index);
        await shared.upsert(handRecords);
        const expected = handExpected[distance];
        const check = async () => {
          const hits = await shared.search(handQuery, 10);
          expect(hits.map((h) => h.id)).toEqual(expected.map(([id]) => id));
          hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]![1], 5));
          expect(hits.every((h) => h.docId === `doc-${h.id}`)).toBe(true);
          // The tie at places 2–3 is cut at k = 2: the smaller id is kept.
          expect((await shared.search(handQuery, 2)).map((h) => h.id)).toEqual(expected.slice(0, 2).map(([id]) => id));
          expect(await shared.search(handQuery, 0)).toEqual([]);
        };
        await check();
        await shared.finishLoad();
        await check();
      });
    }

    it('re-opening an existing index keeps its data', async () => {
      const index = spec('cosine');
      await shared.open(index);
      await shared.upsert(handRecords);
      await shared.open(spec('dot'));
      await shared.open(index);
      expect(await shared.count()).toBe(5);
    });

    itUnless(target.reopen ? undefined : 'the store does not persist')('a new store instance on the same storage sees the index and its data', async () => {
      const index = spec('cosine');
      await shared.open(index);
      await shared.upsert(handRecords);
      shared = await target.reopen!(shared);
      await shared.open(index);
      expect(await shared.count()).toBe(5);
      expect((await shared.search(handQuery, 1))[0]).toEqual({ id: 'c3', docId: 'doc-c3', score: expect.closeTo(1, 6) });
    });

    it('opening an existing index with other dimensions or distance throws IndexMismatchError and keeps the data', async () => {
      const index = spec('cosine');
      await shared.open(index);
      await shared.upsert(handRecords);
      await expect(shared.open({ ...index, dimensions: 4 })).rejects.toThrow(IndexMismatchError);
      await expect(shared.open({ ...index, distance: 'euclidean' })).rejects.toMatchObject({ code: 'E_INDEX_MISMATCH' });
      if (target.reopen) shared = await target.reopen(shared);
      await expect(shared.open({ ...index, dimensions: 4 })).rejects.toMatchObject({ fix: expect.stringMatching(/another index name/) });
      await shared.open(index);
      expect(await shared.count()).toBe(5);
    });

    it('a vector of the wrong length throws DimensionError and stores nothing', async () => {
      await shared.open(spec('euclidean'));
      await expect(shared.upsert([rec('ok', [1, 2, 3]), rec('bad', [1, 2])])).rejects.toThrow(DimensionError);
      await expect(shared.search(Float32Array.from([1, 2, 3, 4]), 3)).rejects.toMatchObject({ code: 'E_DIMENSION' });
      expect(await shared.count()).toBe(0);
    });

    it('drop removes the index: opened again it is empty', async () => {
      const index = spec('dot');
      await shared.open(index);
      await shared.upsert(handRecords);
      await shared.drop();
      if (target.reopen) shared = await target.reopen(shared);
      await shared.open({ ...index, dimensions: 7 });
      expect(await shared.count()).toBe(0);
    });

    for (const distance of ['cosine', 'dot', 'euclidean'] as const) {
      it(`searchExact, where the store has it, follows search's ordering rules by ${distance} (ties by id)`, async (context) => {
        if (!shared.searchExact) context.skip('the store has no searchExact');
        await shared.open(spec(distance));
        await shared.upsert(handRecords);
        await shared.finishLoad();
        const expected = handExpected[distance];
        const [hits, cut] = [(await shared.searchExact!([handQuery], 10))[0]!, (await shared.searchExact!([handQuery], 2))[0]!];
        expect(hits.map((h) => [h.id, h.docId])).toEqual(expected.map(([id]) => [id, `doc-${id}`]));
        hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]![1], 5));
        expect(cut.map((h) => h.id)).toEqual(expected.slice(0, 2).map(([id]) => id));
      });
    }

    // The memory store is the exact reference the tests below compare with: comparing it with itself proves nothing.
    const reference = target.key === 'memory' ? 'the memory store is the exact reference itself' : undefined;

    /** The plan a server picks for the store's search SQL: what proves an `index: hnsw` arm really is approximate. */
    const planOf = (index: IndexSpec, exact: boolean) =>
      target.explain!(searchSql(index, exact), [`[${Array.from(queries[0]!).join(',')}]`, overFetch(10)]);

    for (const distance of ['cosine', 'dot', 'euclidean'] as const) {
      itUnless(reference ?? target.noExact)(`exact: true returns the memory store's exact top-10 by ${distance} on 2000 seeded vectors, no ANN index built`, async () => {
        const store = track(await target.create({ exact: true, index: 'hnsw' }));
        const index = spec(distance, 64);
        await store.open(index);
        await store.upsert(corpus);
        await store.finishLoad();
        const expected = await exactReference(distance, 10);
        for (const [i, query] of queries.entries()) {
          const hits = await store.search(query, 10);
          expect(hits.map((h) => h.id)).toEqual(expected[i]!.map((h) => h.id));
          hits.forEach((hit, j) => expect(hit.score).toBeCloseTo(expected[i]![j]!.score, 4));
        }
        // No index exists, so not even the operator form (which an index could serve) finds one.
        if (target.explain) expect(await planOf(index, false)).not.toMatch(/Index Scan/);
        if (target.explain) expect(await planOf(index, true)).not.toMatch(/Index Scan/);
      });
    }

    for (const distance of ['cosine', 'dot', 'euclidean'] as const) {
      itUnless(reference)(`searchExact, where the store has it, returns the memory store's exact top-10 by ${distance} on 2000 seeded vectors`, async (context) => {
        const store = track(await target.create({ index: 'hnsw' }));
        if (!store.searchExact) context.skip('the store has no searchExact');
        const index = spec(distance, 64);
        await store.open(index);
        await store.upsert(corpus);
        await store.finishLoad();
        const expected = await exactReference(distance, 10);
        const found = await store.searchExact!(queries, 10);
        for (const [i, hits] of found.entries()) {
          expect(hits.map((h) => h.id)).toEqual(expected[i]!.map((h) => h.id));
          hits.forEach((hit, j) => expect(hit.score).toBeCloseTo(expected[i]![j]!.score, 4));
        }
      });
    }

    for (const distance of ['cosine', 'dot', 'euclidean'] as const) {
      itUnless(reference ?? (target.explain ? undefined : 'no SQL database beside the store to EXPLAIN on'))(`index: hnsw by ${distance}: the search SQL is an Index Scan on the HNSW index, the exact SQL is not`, async () => {
        const store = track(await target.create({ index: 'hnsw' }));
        const index = spec(distance, 64);
        await store.open(index);
        await store.upsert(corpus);
        await store.finishLoad();
        expect(await planOf(index, false)).toMatch(`Index Scan using ragbench_${index.name}_hnsw`);
        expect(await planOf(index, true)).not.toMatch(/Index Scan/);
      });
    }

    itUnless(reference)('HNSW search recalls most of the exact top-10 (recall reported) and fills k beyond ef_search', async () => {
      const store = track(await target.create({ index: 'hnsw' }));
      await store.open(spec('cosine', 64));
      await store.upsert(corpus);
      await store.finishLoad();
      const expected = await exactReference('cosine', 10);
      let found = 0;
      for (const [i, query] of queries.entries()) {
        const ids = new Set((await store.search(query, 10)).map((h) => h.id));
        found += expected[i]!.filter((h) => ids.has(h.id)).length;
      }
      const recall = found / (queries.length * 10);
      console.info(`[${target.key}] ANN recall@10 vs exact (pgvector HNSW m 16, ef_construction 64, ef_search 40; the doubles: an HNSW graph, Pinecone m 16 ef 100, Weaviate maxConnections 32 ef dynamic): ${recall.toFixed(3)}`);
      expect(recall).toBeGreaterThanOrEqual(0.9);
      expect(await store.search(queries[0]!, 150)).toHaveLength(150);
    });
  });
}
