import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEnv } from '../../../../src/shared/env.js';
import { ServiceError } from '../../../../src/shared/errors.js';
import { buildSettings, estimateBuildMb } from '../../../../src/stores/pgvector/build.js';
import { createServerClient } from '../../../../src/stores/pgvector/clients.js';
import { toStoreError } from '../../../../src/stores/pgvector/store-errors.js';
import { compareVersions, judgeVersions } from '../../../../src/stores/pgvector/versions.js';
import { pgvector } from '../../../../src/stores/pgvector/store.js';
import type { VectorStore } from '../../../../src/stores/vector-store.js';
import { startPgliteServer, type PgliteServer } from '../../../doubles/pglite-server.js';
import { dropTestIndexes } from '../../../helpers/pg-cleanup.js';

describe('pgvector index build settings', () => {
  it('estimates the HNSW build memory from rows, dimensions and m: 100k × 384 needs far more than the 64 MB default', () => {
    // per row: 8 + 4·384 vector bytes + 3·16·16 neighbour bytes + 100 header = 2412; × 1.25 margin
    expect(estimateBuildMb('hnsw', 100_000, 384, { m: 16 })).toBe(Math.ceil((100_000 * 2412 * 1.25) / 2 ** 20));
    expect(estimateBuildMb('hnsw', 100_000, 384, { m: 16 })).toBeGreaterThan(64);
    // IVFFlat's k-means samples 50 rows per list at most
    expect(estimateBuildMb('ivfflat', 1_000_000, 384, { lists: 100 })).toBe(Math.ceil((5000 * 1544 * 1.25) / 2 ** 20));
  });

  it('auto raises maintenance_work_mem to the estimate (capped at 1GB), never lowers it; a size or workers are used as given', () => {
    const auto = { maintenanceWorkMem: 'auto', maxParallelMaintenanceWorkers: undefined };
    expect(buildSettings(auto, 300, 64)).toEqual({ maintenance_work_mem: '300MB' });
    expect(buildSettings(auto, 5000, 64)).toEqual({ maintenance_work_mem: '1024MB' });
    expect(buildSettings(auto, 30, 64)).toEqual({});
    expect(buildSettings({ maintenanceWorkMem: '4GB', maxParallelMaintenanceWorkers: 3 }, 30, 64)).toEqual({
      maintenance_work_mem: '4GB',
      max_parallel_maintenance_workers: '3',
    });
  });

  it('the options accept auto or a Postgres size, and refuse server-only settings in embedded mode', () => {
    expect(pgvector.options.parse({ mode: 'server' })).toMatchObject({ maintenanceWorkMem: 'auto', lockWaitMs: 0 });
    expect(pgvector.options.safeParse({ mode: 'server', maintenanceWorkMem: '2GB' }).success).toBe(true);
    expect(pgvector.options.safeParse({ mode: 'server', maintenanceWorkMem: 'lots' }).error?.message).toMatch(/512MB or 2GB/);
    expect(pgvector.options.safeParse({ maintenanceWorkMem: '2GB' }).error?.message).toMatch(/mode: server only/);
  });
});

describe('pgvector supported versions', () => {
  it('refuses PostgreSQL below 13 and pgvector below 0.5.0, warns below 0.8.0, accepts newer', () => {
    expect(judgeVersions(120_015, '12.15', '0.8.0').refuse).toMatch(/PostgreSQL 12\.15 is older than the supported minimum 13/);
    expect(judgeVersions(150_020, '15.20', '0.4.4').refuse).toMatch(/pgvector 0\.4\.4 is older than the supported minimum 0\.5\.0/);
    expect(judgeVersions(150_020, '15.20', '0.7.4')).toEqual({ warn: expect.stringMatching(/no iterative index scans/) });
    expect(judgeVersions(150_020, '15.20', '0.8.6')).toEqual({});
    expect(judgeVersions(180_006, '18.6', '0.10.0')).toEqual({});
    expect(compareVersions('0.10.0', '0.8.7')).toBeGreaterThan(0);
  });

  it('a missing database (SQLSTATE 3D000) gets a fix line', () => {
    const error = toStoreError('postgres', Object.assign(new Error('database "nope" does not exist'), { code: '3D000' }), [], 'db:5432/nope (from DATABASE_URL)');
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toBe('postgres: database "nope" does not exist at db:5432/nope (from DATABASE_URL) (SQLSTATE 3D000)');
    expect(error.fix).toMatch(/CREATE DATABASE/);
  });
});

describe('pgvector server index builds through pglite-socket', () => {
  let server: PgliteServer;
  const prefix = `tbld${Math.floor(Math.random() * 1e6).toString(36)}_`;
  const stores: VectorStore[] = [];
  const create = async (options: Record<string, unknown>, notices: string[] = [], url = () => server.url) => {
    const store = await pgvector.create(pgvector.options.parse({ mode: 'server', urlEnv: 'TEST_PG', ...options }), {
      env: createEnv({ TEST_PG: url() }),
      workDir: tmpdir(),
      notice: (message) => notices.push(message),
    });
    stores.push(store);
    return store;
  };
  beforeAll(async () => void (server = await startPgliteServer()));
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await dropTestIndexes(server.url, prefix);
    await server.close();
  });

  it("passes the server's NOTICEs on, sets maintenance_work_mem for the build only, and stores text and metadata", async () => {
    const notices: string[] = [];
    const store = await create({ index: 'hnsw', maintenanceWorkMem: '1MB' }, notices);
    await store.open({ name: `${prefix}hnsw`, dimensions: 64, distance: 'cosine' });
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const records = Array.from({ length: 3000 }, (_, i) => ({
      id: `c${i}`,
      docId: `d${i % 40}`,
      vector: Float32Array.from({ length: 64 }, random),
      text: `chunk ${i}\u0000`,
      metadata: { start: i, end: i + 8 },
    }));
    await store.upsert(records);
    await store.finishLoad();
    expect(notices).toContain('building the index with maintenance_work_mem = 1MB');
    expect(notices.some((n) => /^postgres NOTICE: hnsw graph no longer fits into maintenance_work_mem after \d+ tuples/.test(n))).toBe(true);
    // SET LOCAL: PGlite runs every client in one session, so a leaked setting would show here.
    expect((await server.db.query<{ maintenance_work_mem: string }>('SHOW maintenance_work_mem')).rows[0]!.maintenance_work_mem).toBe('64MB');
    const row = (await server.db.query<{ text: string; metadata: unknown }>(`SELECT text, metadata FROM ragbench_${prefix}hnsw WHERE id = 'c7'`)).rows[0];
    expect(row).toEqual({ text: 'chunk 7\uFFFD', metadata: { start: 7, end: 15 } });
  });

  it('an older table without text and metadata gets the columns when opened', async () => {
    const name = `${prefix}old`;
    await server.db.exec(`CREATE TABLE ragbench_${name} (id text PRIMARY KEY, doc_id text NOT NULL, embedding vector(3) NOT NULL)`);
    const store = await create({ index: 'none' });
    await store.open({ name, dimensions: 3, distance: 'dot' });
    await store.upsert([{ id: 'a', docId: 'd', vector: Float32Array.from([1, 2, 3]), text: 'alpha' }]);
    expect((await server.db.query(`SELECT text, metadata FROM ragbench_${name}`)).rows).toEqual([{ text: 'alpha', metadata: null }]);
  });

  it("vectors read back through the server client are number[] (the pgvector package's type parser)", async () => {
    const name = `${prefix}read`;
    const store = await create({ index: 'none' });
    await store.open({ name, dimensions: 3, distance: 'dot' });
    await store.upsert([{ id: 'a', docId: 'd', vector: Float32Array.from([0.5, -2, 3]) }]);
    const client = await createServerClient({ urlEnv: 'TEST_PG', url: server.url, connectTimeoutMs: 5000, maxConnections: 1 });
    try {
      expect(await client.query(`SELECT embedding FROM ragbench_${name}`)).toEqual([{ embedding: [0.5, -2, 3] }]);
    } finally {
      await client.close();
    }
  });

  it('sslmode=require means what it means to psql: no ten-line driver warning, one error line', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const store = await create({ index: 'none' }, [], () => `${server.url}?sslmode=require`);
      const error = (await store.open({ name: `${prefix}ssl`, dimensions: 3, distance: 'dot' }).catch((e: unknown) => e)) as ServiceError;
      expect(error).toBeInstanceOf(ServiceError);
      expect(error.message).toMatch(/does not support SSL/);
      expect(error.message).not.toContain('\n');
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => /SECURITY WARNING/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe.skipIf(!process.env.DATABASE_URL)(
  `pgvector server index builds on DATABASE_URL${process.env.DATABASE_URL ? '' : ' (skipped: DATABASE_URL is not set; PGlite runs one statement at a time, so neither progress polls nor a cancel can reach a running build there)'}`,
  () => {
    const url = process.env.DATABASE_URL!;
    const prefix = `tbldpg${Math.floor(Math.random() * 1e6).toString(36)}_`;
    afterAll(() => dropTestIndexes(url, prefix));

    it('cancels a running HNSW CREATE INDEX on the server when aborted (no index left), then builds it', async () => {
      const notices: string[] = [];
      const store = await pgvector.create(pgvector.options.parse({ mode: 'server', index: 'hnsw', maintenanceWorkMem: '1MB', buildProgressMs: 200 }), {
        env: createEnv({ DATABASE_URL: url }),
        workDir: tmpdir(),
        notice: (message) => notices.push(message),
      });
      try {
        const name = `${prefix}big`;
        await store.open({ name, dimensions: 128, distance: 'euclidean' });
        let seed = 7;
        const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
        for (let start = 0; start < 40_000; start += 2000) {
          await store.upsert(Array.from({ length: 2000 }, (_, i) => ({ id: `v${start + i}`, docId: 'd', vector: Float32Array.from({ length: 128 }, random) })));
        }
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          // The build is held on a table lock this test takes, so the abort lands while CREATE INDEX runs,
          // whatever the machine's speed (a guessed 1.5 s delay loses that race to a fast server).
          await client.query('BEGIN');
          await client.query(`LOCK TABLE ragbench_${name} IN ROW EXCLUSIVE MODE`);
          const controller = new AbortController();
          const building = store.finishLoad(controller.signal);
          const waiting = async () => (await client.query('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = to_regclass($1)', [`ragbench_${name}`])).rows[0].n;
          await vi.waitFor(async () => expect(await waiting()).toBe(1), { timeout: 60_000, interval: 20 });
          controller.abort(new DOMException('interrupted', 'AbortError'));
          await expect(building).rejects.toMatchObject({ name: 'AbortError' });
          await client.query('ROLLBACK');
          const running = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX IF NOT EXISTS ragbench_' || $1 || '%'", [name]);
          expect(running.rows[0].n).toBe(0);
          expect((await client.query('SELECT to_regclass($1) AS r', [`ragbench_${name}_hnsw`])).rows[0].r).toBeNull();
          // Unheld, the same build runs to its end, polled for progress every 200 ms.
          await store.finishLoad();
          expect((await client.query('SELECT to_regclass($1) AS r', [`ragbench_${name}_hnsw`])).rows[0].r).not.toBeNull();
        } finally {
          await client.end();
        }
      } finally {
        await store.close();
      }
    }, 120_000);
  },
);
