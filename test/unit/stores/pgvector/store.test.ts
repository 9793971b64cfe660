import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv } from '../../../../src/shared/env.js';
import { ConfigError, ServiceError } from '../../../../src/shared/errors.js';
import { MemoryStore } from '../../../../src/stores/memory.js';
import { scanTable } from '../../../../src/stores/pgvector/flat-scan.js';
import { createTableSql, encodeVector, upsertParams, upsertSql } from '../../../../src/stores/pgvector/sql.js';
import { pgvector } from '../../../../src/stores/pgvector/store.js';

const password = 's3cr3t-P4ss';
const context = (env: Record<string, string> = {}, workDir = tmpdir()) => ({ env: createEnv(env), workDir });

/** A port nothing listens on: bind an ephemeral port, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('pgvector options', () => {
  it('defaults to embedded PGlite searching exactly (no ANN index), HNSW settings at pgvector defaults', () => {
    expect(pgvector.options.parse({})).toMatchObject({
      mode: 'embedded',
      memory: false,
      urlEnv: 'DATABASE_URL',
      index: 'none',
      hnsw: { m: 16, efConstruction: 64, efSearch: 40 },
      ivfflat: { lists: 100, probes: 10 },
      exact: false,
    });
  });

  it.each([
    [{ mode: 'server', dataDir: '/x' }, /embedded only/],
    [{ memory: true, dataDir: '/x' }, /not both/],
    [{ hnsw: { m: 16, efConstruction: 20 } }, /2 × m/],
    [{ indexType: 'hnsw' }, /indexType/],
  ])('rejects %j', (options, message) => {
    const result = pgvector.options.safeParse(options);
    expect(result.success).toBe(false);
    expect(result.error?.message).toMatch(message);
  });
});

describe('pgvector ties at the k-th place', () => {
  // 40 vectors at the same distance from the query, stored in descending id order, and one closer vector: the
  // SQL orders by distance alone, so the client must break the tie by id even past the over-fetch margin.
  const records = Array.from({ length: 40 }, (_, i) => ({
    id: `t${String(39 - i).padStart(2, '0')}`,
    docId: 'd',
    vector: Float32Array.from([1, 0, 0]),
  }));
  records.push({ id: 'z', docId: 'd', vector: Float32Array.from([1, 1, 0]) });

  it.each(['none', 'hnsw'] as const)('index: %s returns the closest, then the tied rows by ascending id', async (index) => {
    const store = await pgvector.create(pgvector.options.parse({ memory: true, index }), context());
    try {
      await store.open({ name: 'ties', dimensions: 3, distance: 'euclidean' });
      await store.upsert(records);
      await store.finishLoad();
      const hits = await store.search(Float32Array.from([1, 1, 0]), 30);
      expect(hits.map((h) => h.id)).toEqual(['z', ...Array.from({ length: 29 }, (_, i) => `t${String(i).padStart(2, '0')}`)]);
    } finally {
      await store.close();
    }
  });
});

describe('pgvector embedded exact search in process', () => {
  const random = (seed: number) => () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const next = random(11);
  // Ids with quotes and spaces: the paged COPY inlines the last id as a literal.
  const records = Array.from({ length: 300 }, (_, i) => ({
    id: `d'${i % 7} #${i}`,
    docId: `d${i % 7}`,
    vector: Float32Array.from({ length: 8 }, next),
  }));
  const queries = Array.from({ length: 5 }, () => Float32Array.from({ length: 8 }, next));

  it('returns what exact SQL returns, across COPY pages, and sees later upserts', async () => {
    const [flat, sql] = await Promise.all(
      [1024, 0].map((flatScanPageMb) => pgvector.create(pgvector.options.parse({ memory: true, flatScanPageMb }), context())),
    );
    try {
      for (const store of [flat!, sql!]) {
        await store.open({ name: 'flat', dimensions: 8, distance: 'cosine' });
        await store.upsert(records);
      }
      for (const query of queries) {
        const [a, b] = [await flat!.search(query, 10), await sql!.search(query, 10)];
        expect(a.map((h) => h.id)).toEqual(b.map((h) => h.id));
        a.forEach((hit, i) => expect(hit.score).toBeCloseTo(b[i]!.score, 5));
      }
      const one = [];
      for (const query of queries) one.push(await flat!.search(query, 10));
      expect(await flat!.searchBatch!(queries, 10)).toEqual(one);
      expect(await sql!.searchBatch!(queries, 10)).toEqual(await Promise.all(queries.map((q) => sql!.search(q, 10))));
      const moved = { id: 'new', docId: 'n', vector: queries[0]! };
      for (const store of [flat!, sql!]) await store.upsert([moved]);
      expect((await flat!.search(queries[0]!, 1))[0]).toMatchObject({ id: 'new', score: expect.closeTo(1, 6) });
    } finally {
      await Promise.all([flat!.close(), sql!.close()]);
    }
  });

  it.each(['cosine', 'dot', 'euclidean'] as const)(
    'streams binary COPY in pages (7 rows over 50) and scores exactly as the memory store, to the last bit (%s)',
    async (distance) => {
      const { createPgliteClient } = await import('../../../../src/stores/pgvector/clients.js');
      const client = await createPgliteClient(undefined);
      const memory = new MemoryStore();
      try {
        await client.enableVectors();
        const spec = { name: 'pages', dimensions: 8, distance };
        await client.query(createTableSql(spec));
        await client.query(upsertSql(spec, 50), records.slice(0, 50).flatMap((r) => upsertParams(r)));
        await memory.open(spec);
        await memory.upsert(records.slice(0, 50));
        const copyBinary = (sql: string) => client.copyBinary!(sql);
        const streamed = await scanTable({ copyBinary }, spec, queries, 50, { pageRows: 7 });
        expect(streamed).toEqual(await memory.searchBatch(queries, 50));
        expect(streamed[0]!.map((h) => h.id).sort()).toEqual(records.slice(0, 50).map((r) => r.id).sort());
        // A page size that divides the table exactly ends on an empty page.
        const shares: number[] = [];
        const progress = { rows: 50, onProgress: (share: number) => shares.push(share) };
        expect(await scanTable({ copyBinary }, spec, queries, 5, { pageRows: 10, progress })).toEqual(await memory.searchBatch(queries, 5));
        // Progress after every page: 10 of 50 rows, 20, … the whole table, then the empty last page.
        expect(shares).toEqual([0.2, 0.4, 0.6, 0.8, 1, 1]);
      } finally {
        await client.close();
      }
    },
  );

  it('the scan page size is not part of the index key (the same index serves every page size)', async () => {
    const { retrievers } = await import('../../../../src/retrievers/registry.js');
    const fingerprint = async (store: Record<string, unknown>) => {
      const options = retrievers.dense.options.parse({ embedder: { kind: 'hashing', dimensions: 3 }, store: { kind: 'pgvector', memory: true, ...store }, cache: false });
      const retriever = await retrievers.dense.create(options, context());
      await retriever.close();
      return retriever.fingerprint;
    };
    expect(await fingerprint({ flatScanPageMb: 4 })).toBe(await fingerprint({}));
    expect(await fingerprint({ index: 'hnsw' })).not.toBe(await fingerprint({}));
  });

  it('asks for whole runs of queries per search call (one streamed pass), only when it streams', async () => {
    const streamed = await pgvector.create(pgvector.options.parse({ memory: true }), context());
    const sql = await pgvector.create(pgvector.options.parse({ memory: true, flatScanPageMb: 0 }), context());
    const hnsw = await pgvector.create(pgvector.options.parse({ memory: true, index: 'hnsw' }), context());
    try {
      expect(streamed.capabilities.searchBatchSize).toBeGreaterThanOrEqual(1000);
      expect(sql.capabilities.searchBatchSize).toBeUndefined();
      expect(hnsw.capabilities.searchBatchSize).toBeUndefined();
    } finally {
      await Promise.all([streamed.close(), sql.close(), hnsw.close()]);
    }
  });
});

describe('pgvector embedded index build in a worker thread', () => {
  it('an abort stops the HNSW build at once; the data survives and a second finishLoad builds the index', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-build-'));
    const next = ((seed: number) => () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1)(5);
    const records = Array.from({ length: 4000 }, (_, i) => ({ id: `r${i}`, docId: `d${i}`, vector: Float32Array.from({ length: 64 }, next) }));
    const spec = { name: 'build', dimensions: 64, distance: 'cosine' as const };
    const store = await pgvector.create(pgvector.options.parse({ dataDir: join(dir, 'db'), index: 'hnsw' }), context());
    try {
      await store.open(spec);
      await store.upsert(records);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new DOMException('interrupted', 'AbortError')), 200);
      await expect(store.finishLoad(controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
      expect(await store.count()).toBe(4000);
      await store.finishLoad();
      const [hit] = await store.search(records[7]!.vector, 1);
      expect(hit).toMatchObject({ id: 'r7', score: expect.closeTo(1, 5) });
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('pgvector binary vector encoding', () => {
  it('writes int16 dimensions, int16 zero, then big-endian float4s (pgvector vector_recv)', () => {
    const bytes = encodeVector(Float32Array.from([1, -2.5]));
    expect(Array.from(bytes)).toEqual([0, 2, 0, 0, 0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0]);
  });
});

describe('pgvector server mode failures', () => {
  it('names a missing URL variable, not a value', async () => {
    await expect(pgvector.create(pgvector.options.parse({ mode: 'server' }), context())).rejects.toThrow(
      /environment variable DATABASE_URL is not set/,
    );
  });

  it('rejects a malformed URL without echoing it', async () => {
    const options = pgvector.options.parse({ mode: 'server', urlEnv: 'PG_URL' });
    const error = await pgvector.create(options, context({ PG_URL: `postgres//user:${password}@host` })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/PG_URL is not a valid URL/);
    expect(JSON.stringify(error) + String(error)).not.toContain(password);
  });

  it('an unreachable server is a retryable ServiceError naming host and port, never the password', async () => {
    const port = await closedPort();
    const options = pgvector.options.parse({ mode: 'server', connectTimeoutMs: 2000 });
    const store = await pgvector.create(options, context({ DATABASE_URL: `postgres://me:${password}@127.0.0.1:${port}/db` }));
    try {
      const error = (await store.open({ name: 'x', dimensions: 3, distance: 'cosine' }).catch((e: unknown) => e)) as ServiceError;
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ retryable: true, code: 'E_SERVICE' });
      expect(error.message).toMatch(`cannot reach 127.0.0.1:${port}/db (from DATABASE_URL)`);
      expect(error.message).not.toContain('\n');
      expect(error.fix).toMatch(/server is running/);
      expect(`${error.message} ${error.fix} ${error.stack}`).not.toContain(password);
    } finally {
      await store.close();
    }
  });
});

describe('pgvector embedded data dir', () => {
  let root = '';
  beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), 'ragbench-lock-'))));
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('defaults to <workDir>/pglite and refuses a second store on a data dir in use', async () => {
    const first = await pgvector.create(pgvector.options.parse({}), context({}, root));
    try {
      expect(first.capabilities.persistent).toBe(true);
      await expect(pgvector.create(pgvector.options.parse({ dataDir: join(root, 'pglite') }), context())).rejects.toMatchObject({
        code: 'E_SERVICE',
        message: expect.stringMatching(/pglite: data dir .*pglite is in use by another store in this process/),
        fix: expect.stringMatching(/single-process/),
      });
    } finally {
      await first.close();
    }
    const again = await pgvector.create(pgvector.options.parse({}), context({}, root));
    await again.close();
  });

  it('takes over a stale lock left by a process that is gone', async () => {
    const dataDir = join(root, 'stale');
    await writeFile(`${dataDir}.lock`, '999999999\n');
    const store = await pgvector.create(pgvector.options.parse({ dataDir }), context());
    await store.close();
  });

  it('an in-memory store is not persistent', async () => {
    const store = await pgvector.create(pgvector.options.parse({ memory: true, index: 'none' }), context());
    expect(store.capabilities).toMatchObject({ persistent: false, readsOwnWrites: true, maxBatchSize: 2000 });
    await store.close();
  });
});
