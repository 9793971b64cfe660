import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chunkers } from '../../../../src/chunkers/registry.js';
import { ingest } from '../../../../src/pipeline/index/ingest.js';
import { retrievers } from '../../../../src/retrievers/registry.js';
import { createEnv } from '../../../../src/shared/env.js';
import { ServiceError } from '../../../../src/shared/errors.js';
import { pgvector } from '../../../../src/stores/pgvector/store.js';
import type { VectorStore } from '../../../../src/stores/vector-store.js';
import { startPgliteServer, type PgliteServer } from '../../../doubles/pglite-server.js';
import { rowWriteMarkers, startTcpProxy, type TcpProxy } from '../../../doubles/tcp-proxy.js';
import { countTestIndexes, dropTestIndexes } from '../../../helpers/pg-cleanup.js';

/**
 * Server mode as a production database user meets it: a server that dies mid-query, two ingests of one index at
 * once, and tests that leave nothing behind. Each runs through pglite-socket and, when DATABASE_URL is set,
 * against that server; a TCP proxy in front cuts connections the way a crash does.
 */
const databaseUrl = process.env.DATABASE_URL;
const targets = [
  { key: 'pglite-socket', skip: undefined as string | undefined },
  { key: 'postgres', skip: databaseUrl ? undefined : 'DATABASE_URL is not set' },
];

const vector = (values: number[]) => Float32Array.from(values);
const records = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `r${from + i}`, docId: `d${from + i}`, vector: vector([1, (from + i) % 7, 2]) }));

for (const target of targets) {
  describe.skipIf(target.skip !== undefined)(`pgvector server mode: ${target.key}${target.skip ? ` (skipped: ${target.skip})` : ''}`, () => {
    let server: PgliteServer | undefined;
    let proxy: TcpProxy;
    let url = '';
    let workDir = '';
    // Unique per run: the cleanup drops exactly what this file created.
    const prefix = `tsrv${Math.floor(Math.random() * 1e6).toString(36)}_`;
    let counter = 0;
    const name = () => `${prefix}${counter++}`;
    const open: VectorStore[] = [];
    const store = async (options: Record<string, unknown> = {}, via = () => proxy.url) => {
      const created = await pgvector.create(pgvector.options.parse({ mode: 'server', urlEnv: 'TEST_PG', index: 'none', ...options }), {
        env: createEnv({ TEST_PG: via() }),
        workDir,
      });
      open.push(created);
      return created;
    };

    beforeAll(async () => {
      workDir = await mkdtemp(join(tmpdir(), 'rb-pgsrv-'));
      // Each store holds a pool and a lock connection; pglite-socket refuses connections past its maximum.
      if (target.key === 'pglite-socket') server = await startPgliteServer({ maxConnections: 32 });
      url = server?.url ?? databaseUrl!;
      proxy = await startTcpProxy(url);
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close().catch(() => {})));
    });
    afterAll(async () => {
      await proxy?.close();
      // Runs even when a test failed: the cleanup is part of the suite, checked by the last test below.
      // Store tests name indexes `<prefix>…`; ingests name them `rb_<corpus>_…`, and the corpus carries the prefix.
      if (url) for (const own of [prefix, `rb_${prefix}`]) await dropTestIndexes(url, own);
      await server?.close();
      await rm(workDir, { recursive: true, force: true });
    });

    it('stores of one process share their connections: a second index opened, written and closed after the first connects nothing new', async () => {
      const shareProxy = await startTcpProxy(url);
      try {
        let afterFirst = 0;
        for (let i = 0; i < 3; i++) {
          // INSERT: over pglite-socket each store's first COPY is refused and its connection dropped, as it should be.
          const s = await store({ writeMethod: 'insert' }, () => shareProxy.url);
          await s.open({ name: name(), dimensions: 3, distance: 'cosine' });
          await s.upsert(records(0, 5));
          await s.finishLoad();
          expect(await s.count()).toBe(5);
          await s.drop();
          await s.close();
          // The first store connects its pool and its lock's session; every later one reuses them.
          if (i === 0) afterFirst = shareProxy.connections;
          expect(afterFirst).toBeGreaterThanOrEqual(2);
          expect(shareProxy.connections).toBe(afterFirst);
        }
      } finally {
        await Promise.all(open.splice(0).map((s) => s.close().catch(() => {})));
        await shareProxy.close();
      }
    });

    it('a connection cut mid-query is a one-line ServiceError (no unhandled error event); the store works once the server is back', async () => {
      const s = await store();
      const spec = { name: name(), dimensions: 3, distance: 'cosine' as const };
      await s.open(spec);
      await s.upsert(records(0, 10));
      const cut = proxy.killOn(rowWriteMarkers(), { down: true });
      const error = (await s.upsert(records(10, 10)).catch((e: unknown) => e)) as ServiceError;
      await cut;
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ code: 'E_SERVICE', retryable: true });
      expect(error.message).toMatch(/postgres: lost the connection to 127\.0\.0\.1:\d+\/\S* \(from TEST_PG\).*Connection terminated unexpectedly/);
      expect(error.message).not.toContain('\n');
      expect(error.fix).toMatch(/run the same command again/);
      // While the server is down: refused, still a ServiceError.
      await expect(s.count()).rejects.toMatchObject({ code: 'E_SERVICE', retryable: true });
      proxy.up();
      await s.upsert(records(10, 10));
      expect(await s.count()).toBe(20);
    });

    it('an ingest whose server crashes mid-way fails with a ServiceError; the re-run resumes and stores each chunk once', async () => {
      const documents = Array.from({ length: 24 }, (_, i) => ({ id: `doc${i}`, text: `Document ${i} about wings and lift. `.repeat(6) }));
      const chunker = chunkers.fixed.create(chunkers.fixed.options.parse({ sizeChars: 60, overlapChars: 0 }), { env: createEnv({}), workDir });
      const identity = {
        corpus: { name: `${prefix}crash`, fingerprint: 'c' },
        chunker: { name: 'fixed-60', fingerprint: 'f' },
        retriever: { name: 'dense', fingerprint: 'r' },
      };
      const makeRetriever = () =>
        retrievers.dense.create(
          retrievers.dense.options.parse({
            embedder: { kind: 'hashing', dimensions: 16 },
            store: { kind: 'pgvector', mode: 'server', urlEnv: 'TEST_PG', index: 'none' },
            cache: false,
          }),
          { env: createEnv({ TEST_PG: proxy.url }), workDir },
        );
      const first = await makeRetriever();
      let batches = 0;
      const crash = {
        start() {},
        done() {},
        // After the second checkpoint the server "crashes" on the next insert and stays down.
        advance() {
          if (++batches === 2) void proxy.killOn(rowWriteMarkers(), { down: true });
        },
      };
      const error = await ingest({ documents, chunker, retriever: first, identity, workDir, batchSize: 4, progress: crash }).catch((e: unknown) => e);
      await first.close();
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).code).toBe('E_SERVICE');
      expect((error as ServiceError).message).not.toContain('\n');
      proxy.up();
      const second = await makeRetriever();
      try {
        const result = await ingest({ documents, chunker, retriever: second, identity, workDir, batchSize: 4 });
        expect(result.mode).toBe('resumed');
        const expected = documents.flatMap((d) => chunker.chunk(d)).length;
        expect(result.chunks).toBe(expected);
        expect(await second.open(result.key)).toBe(expected);
      } finally {
        await second.close();
      }
    }, 60_000);

    it('a second ingest of the same index is refused naming pid, host and start; with lockWaitMs it waits, then proceeds', async () => {
      const spec = { name: name(), dimensions: 3, distance: 'dot' as const };
      const first = await store();
      await first.open(spec);
      await first.upsert(records(0, 5));
      const refused = (await (await store()).open(spec).catch((e: unknown) => e)) as ServiceError;
      expect(refused).toBeInstanceOf(ServiceError);
      expect(refused.retryable).toBe(false);
      expect(refused.message).toMatch(
        new RegExp(`another ingest of index ${spec.name} is running \\(pid ${process.pid} on ${hostname()}, started \\d{4}-\\d\\d-\\d\\dT`),
      );
      expect(refused.fix).toMatch(/lockWaitMs/);
      const waiter = await store({ lockWaitMs: 30_000 });
      let opened = false;
      const waiting = waiter.open(spec).then(() => void (opened = true));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(opened).toBe(false);
      // Building the index ends the first ingest and frees the lock.
      await first.finishLoad();
      await waiting;
      expect(await waiter.count()).toBe(5);
      await waiter.upsert(records(5, 5));
      expect(await waiter.count()).toBe(10);
    });

    it('two ingests of one new index started together: one builds, the other waits; no duplicate-key race on CREATE TABLE', async () => {
      const spec = { name: name(), dimensions: 3, distance: 'euclidean' as const };
      const [a, b] = await Promise.all([store({ lockWaitMs: 30_000 }), store({ lockWaitMs: 30_000 })]);
      const ingestOnce = async (s: VectorStore) => {
        await s.open(spec);
        if ((await s.count()) === 0) await s.upsert(records(0, 8));
        await s.finishLoad();
        return s.count();
      };
      expect(await Promise.all([ingestOnce(a), ingestOnce(b)])).toEqual([8, 8]);
    });

    it('the lock dies with its holder: after a crashed holder\'s connection is gone, the next ingest takes it', async () => {
      const spec = { name: name(), dimensions: 3, distance: 'cosine' as const };
      // The holder's connections are cut as in a crash (its process never releases anything).
      // pglite-socket cannot carry COPY (the store falls back to INSERT on a new connection, and that write would be
      // the one cut): there the holder writes by INSERT from the start.
      const holder = await store(server ? { writeMethod: 'insert' } : {});
      await holder.open(spec);
      const cut = proxy.killOn(rowWriteMarkers());
      await holder.upsert(records(0, 1)).catch(() => {});
      await cut;
      // All the holder's connections die, its lock session with them: on a server that frees the advisory lock.
      await proxy.close();
      proxy = await startTcpProxy(url);
      if (server) {
        // pglite-socket runs every client in one session, so there the holder row decides, and a holder on this
        // host counts until its process is gone: the crashed holder is played by a pid that no longer runs.
        await server.db.query('UPDATE ragbench_locks SET pid = 999999999 WHERE name = $1', [spec.name]);
      }
      const next = await store();
      await next.open(spec);
      expect(await next.count()).toBe(0);
    });

    it('tests drop what they create: the cleanup removes the tables and ragbench_indexes rows of this run', async () => {
      const s = await store();
      const spec = { name: name(), dimensions: 3, distance: 'cosine' as const };
      await s.open(spec);
      await s.upsert(records(0, 3));
      expect(await countTestIndexes(url, prefix)).toBeGreaterThan(0);
      const dropped = await dropTestIndexes(url, prefix);
      expect(dropped).toContain(spec.name);
      expect(await countTestIndexes(url, prefix)).toBe(0);
    });
  });
}
