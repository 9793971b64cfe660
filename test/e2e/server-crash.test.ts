import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgliteServer, type PgliteServer } from '../doubles/pglite-server.js';
import { rowWriteMarkers, startTcpProxy, type TcpProxy } from '../doubles/tcp-proxy.js';
import { dropTestIndexes } from '../helpers/pg-cleanup.js';
import { runCli } from './cli.js';

/**
 * `ragbench ingest` into a Postgres server that crashes mid-ingest (the proxy cuts the connection carrying the
 * first INSERT and refuses new ones): exit 3 and one line, no stack; the same command once the server is back
 * finishes the index. Through pglite-socket, and against DATABASE_URL when it is set.
 */
const targets = [
  { key: 'pglite-socket', skip: undefined as string | undefined },
  { key: 'postgres', skip: process.env.DATABASE_URL ? undefined : 'DATABASE_URL is not set' },
];

for (const target of targets) {
  describe.skipIf(target.skip !== undefined)(`ragbench ingest when the server crashes: ${target.key}${target.skip ? ` (skipped: ${target.skip})` : ''}`, () => {
    let server: PgliteServer | undefined;
    let proxy: TcpProxy;
    let dir = '';
    let url = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'rb-crash-'));
      if (target.key === 'pglite-socket') server = await startPgliteServer({ maxConnections: 16 });
      url = server?.url ?? process.env.DATABASE_URL!;
      proxy = await startTcpProxy(url);
    });
    afterAll(async () => {
      await proxy?.close();
      // The index name is a hash; the corpus name below makes its prefix unique to this file.
      if (url) await dropTestIndexes(url, 'rb_crashsample_');
      await server?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('exits 3 with one line, then the same command finishes the index', async () => {
      await writeFile(
        join(dir, 'server.yaml'),
        // The pglite-socket double refuses COPY (its warning would be a second stderr line): it gets INSERTs.
        `kind: dense\nembedder: { kind: hashing, dimensions: 64 }\nstore: { kind: pgvector, mode: server, urlEnv: TEST_PG, index: none, writeMethod: ${target.key === 'pglite-socket' ? 'insert' : 'copy'} }\ncache: false\n`,
      );
      await writeFile(join(dir, 'crashsample.yaml'), `path: ${join(process.cwd(), 'corpora', 'sample')}\nlayout: beir\nqrels: test\n`);
      const args = ['ingest', join(dir, 'server.yaml'), '--corpus', join(dir, 'crashsample.yaml'), '--chunker', 'chunkers/fixed-256.yaml', '--work-dir', join(dir, 'work')];
      const env = { TEST_PG: proxy.url };
      // The index's own table (INSERT or COPY): the rows go through a pooled connection (ragbench_indexes and ragbench_locks come first).
      void proxy.killOn(rowWriteMarkers('ragbench_rb_crashsample_'), { down: true });
      const crashed = await runCli(args, { env });
      expect(crashed.code).toBe(3);
      expect(crashed.stderr).not.toMatch(/Unhandled|node:events|\n\s+at /);
      expect(crashed.stderr.trim().split('\n')).toHaveLength(1);
      expect(crashed.stderr).toMatch(/^ragbench: postgres: (lost the connection to|cannot reach) 127\.0\.0\.1:\d+\/\S+ \(from TEST_PG\).* \(fix: /);
      proxy.up();
      const again = await runCli(args, { env });
      expect(again.stderr).toBe('');
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/fixed-256 → server: \d+ chunks in index rb_crashsample_/);
    }, 90_000);
  });
}
