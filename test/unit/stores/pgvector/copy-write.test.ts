import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector as pgliteVector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkers } from '../../../../src/chunkers/registry.js';
import type { Document } from '../../../../src/corpus/types.js';
import { ingest } from '../../../../src/pipeline/index/ingest.js';
import { indexKeyFor } from '../../../../src/pipeline/index/manifest.js';
import { retrievers } from '../../../../src/retrievers/registry.js';
import { createEnv } from '../../../../src/shared/env.js';
import { pgvector } from '../../../../src/stores/pgvector/store.js';
import type { VectorRecord, VectorStore } from '../../../../src/stores/vector-store.js';
import { startPgliteServer, type PgliteServer } from '../../../doubles/pglite-server.js';
import { startTcpProxy, type TcpProxy } from '../../../doubles/tcp-proxy.js';
import { dropTestIndexes } from '../../../helpers/pg-cleanup.js';
import { datasetPath, lacks } from '../../../helpers/datasets.js';

/**
 * The COPY write path stores exactly what the INSERT path stores: the same rows, byte for byte (md5 over the
 * ordered rows' text form, where NULL and '' differ and float4s print round-trip exact), on PGlite and on a real
 * server; re-runs overwrite as upserts; a server that refuses COPY gets INSERTs after a one-line warning.
 */
const databaseUrl = process.env.DATABASE_URL;
const only = process.env.RAGBENCH_STORES?.split(',');
const wanted = (key: string) => only === undefined || only.includes(key);

/** Rows that probe the encoding: NUL in text, non-BMP and combining characters, NULL vs empty, -0, subnormals. */
function tricky(count: number, salt = 0): VectorRecord[] {
  const texts = ['plain', '', 'nul\0inside', 'é e\u0301 漢字 🚀', 'line\nbreak\ttab\\back"quote', undefined];
  return Array.from({ length: count }, (_, i) => {
    const text = texts[i % texts.length];
    const metadata = i % 5 === 4 ? undefined : { start: i, end: i + salt, label: `ü${i}`, nested: { list: [1, 'two', null] } };
    return {
      id: `id-${i}`,
      docId: `doc-${i % 17}`,
      vector: Float32Array.from([i === 0 ? -0 : i + salt, 1e-42, -3.4e38, (i * 7919) % 101 / 7]),
      ...(text === undefined ? {} : { text }),
      ...(metadata === undefined ? {} : { metadata }),
    };
  });
}

const rowsMd5Sql = (table: string) =>
  `SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), '')) AS md5, count(*)::int AS n ` +
  `FROM (SELECT id, doc_id, embedding, text, metadata FROM ${table}) t`;

async function fill(store: VectorStore, name: string, records: VectorRecord[]): Promise<string> {
  await store.open({ name, dimensions: 4, distance: 'cosine' });
  await store.upsert(records);
  // A re-run: the first half again with other vectors and metadata, as a resumed ingest overwrites.
  await store.upsert(tricky(records.length / 2, 3));
  return (await store.countWithChecksum!()).idChecksum;
}

/**
 * The pipelined path (hashing embedder on worker threads, overlapping adds, COPY straight into the table) against
 * the one-step-at-a-time path (in-process embedder, INSERT): an ingest of 300 Cranfield documents stores the same
 * rows (md5) under the same id checksum. Returns the two table names.
 */
async function ingestBothWays(store: Record<string, unknown>, env: Record<string, string>, workDir: string, tag: string): Promise<string[]> {
  const documents: Document[] = readFileSync(datasetPath('cranfield', 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .slice(0, 300)
    .map((line) => {
      const row = JSON.parse(line) as { _id: string; title?: string; text: string };
      return { id: row._id, text: row.text, ...(row.title ? { title: row.title } : {}) };
    });
  const chunker = chunkers.fixed.create(chunkers.fixed.options.parse({ sizeChars: 300, overlapChars: 30 }), {} as never);
  const tables: string[] = [];
  const checksums: string[] = [];
  for (const [workers, writeMethod] of [[0, 'insert'], [2, 'copy']] as const) {
    const options = retrievers.dense.options.parse({
      embedder: { kind: 'hashing', dimensions: 48, workers },
      store: { kind: 'pgvector', index: 'none', writeMethod, ...store },
      cache: false,
    });
    const retriever = await retrievers.dense.create(options, { env: createEnv(env), workDir });
    const identity = { corpus: { name: 'cranfield', fingerprint: tag }, chunker: { name: 'fixed-300', fingerprint: chunker.fingerprint }, retriever: { name: `w${workers}`, fingerprint: `${tag}-${writeMethod}` } };
    try {
      const result = await ingest({ documents, chunker, retriever, identity, workDir, batchSize: 32 });
      expect(result.mode).toBe('built');
      checksums.push((await retriever.stored!()).idChecksum!);
    } finally {
      await retriever.close();
    }
    tables.push(`ragbench_${indexKeyFor(identity)}`);
  }
  expect(checksums[1]).toBe(checksums[0]);
  return tables;
}

describe.skipIf(!wanted('pglite'))('pgvector COPY writes: embedded PGlite', () => {
  let dataDir = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rb-copy-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores the same rows and checksums with COPY as with INSERT', async () => {
    const checksums: string[] = [];
    for (const writeMethod of ['copy', 'insert'] as const) {
      const store = await pgvector.create(pgvector.options.parse({ dataDir, index: 'none', writeMethod }), { env: createEnv({}), workDir: dataDir });
      checksums.push(await fill(store, `w_${writeMethod}`, tricky(600)));
      await store.close();
    }
    expect(checksums[0]).toBe(checksums[1]);
    const db = await PGlite.create({ dataDir, extensions: { vector: pgliteVector } });
    try {
      const [copy, insert] = await Promise.all(['copy', 'insert'].map(async (m) => (await db.query<{ md5: string; n: number }>(rowsMd5Sql(`ragbench_w_${m}`))).rows[0]!));
      expect(copy!.n).toBe(600);
      expect(copy).toEqual(insert);
    } finally {
      await db.close();
    }
  });

  it.skipIf(lacks('cranfield'))('an ingest through worker threads and overlapping COPY writes stores the same rows as one in-process INSERT at a time', async () => {
    const tables = await ingestBothWays({ dataDir }, {}, dataDir, 'pglite');
    const db = await PGlite.create({ dataDir, extensions: { vector: pgliteVector } });
    try {
      const [before, after] = await Promise.all(tables.map(async (table) => (await db.query<{ md5: string; n: number }>(rowsMd5Sql(table))).rows[0]!));
      expect(before!.n).toBeGreaterThan(1000);
      expect(after).toEqual(before);
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!wanted('postgres') || databaseUrl === undefined)(
  `pgvector COPY writes: real server${databaseUrl ? '' : ' (skipped: DATABASE_URL is not set)'}`,
  () => {
    const prefix = `tcopy${Math.floor(Math.random() * 1e6).toString(36)}_`;
    afterAll(async () => {
      await dropTestIndexes(databaseUrl!, prefix);
    });

    it('stores the same rows and checksums with COPY as with INSERT, and warns of nothing', async () => {
      const notices: string[] = [];
      const checksums: string[] = [];
      for (const writeMethod of ['copy', 'insert'] as const) {
        const store = await pgvector.create(pgvector.options.parse({ mode: 'server', urlEnv: 'TEST_PG', index: 'none', writeMethod }), {
          env: createEnv({ TEST_PG: databaseUrl! }),
          workDir: tmpdir(),
          notice: (message) => notices.push(message),
        });
        checksums.push(await fill(store, `${prefix}${writeMethod}`, tricky(2500)));
        await store.close();
      }
      expect(checksums[0]).toBe(checksums[1]);
      expect(notices.filter((n) => /COPY/.test(n))).toEqual([]);
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const copy = (await client.query(rowsMd5Sql(`ragbench_${prefix}copy`))).rows[0];
        const insert = (await client.query(rowsMd5Sql(`ragbench_${prefix}insert`))).rows[0];
        expect(copy.n).toBe(2500);
        expect(copy).toEqual(insert);
        // The staging tables lived for their transactions only.
        const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'ragbench_stage_%' AND relpersistence = 't'");
        expect(rows[0].n).toBe(0);
      } finally {
        await client.end();
      }
    });

    it.skipIf(lacks('cranfield'))('an ingest through worker threads and overlapping COPY writes stores the same rows as one in-process INSERT at a time', async () => {
      const workDir = await mkdtemp(join(tmpdir(), 'rb-copy-ingest-'));
      const client = new pg.Client({ connectionString: databaseUrl });
      let tables: string[] = [];
      try {
        tables = await ingestBothWays({ mode: 'server', urlEnv: 'TEST_PG' }, { TEST_PG: databaseUrl! }, workDir, prefix);
        await client.connect();
        const [before, after] = await Promise.all(tables.map(async (table) => (await client.query(rowsMd5Sql(table))).rows[0]));
        expect(before.n).toBeGreaterThan(1000);
        expect(after).toEqual(before);
      } finally {
        for (const table of tables) {
          await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
          await client.query('DELETE FROM ragbench_indexes WHERE name = $1', [table.slice('ragbench_'.length)]).catch(() => undefined);
        }
        await client.end();
        await rm(workDir, { recursive: true, force: true });
      }
    });
  },
);

const refusing = [
  { key: 'pglite-socket', skip: undefined as string | undefined },
  { key: 'postgres', skip: databaseUrl ? undefined : 'DATABASE_URL is not set' },
].filter((target) => wanted(target.key));

for (const target of refusing) {
  describe.skipIf(target.skip !== undefined)(`pgvector COPY writes refused: ${target.key} behind a pooler that refuses COPY`, () => {
    let server: PgliteServer | undefined;
    let proxy: TcpProxy;
    const name = `tcopyref${Math.floor(Math.random() * 1e6).toString(36)}`;
    beforeAll(async () => {
      if (target.key === 'pglite-socket') server = await startPgliteServer({ maxConnections: 16 });
      // The pglite-socket double refuses COPY already (test/doubles/pglite-server.ts); a second refusing proxy is harmless.
      proxy = await startTcpProxy(server?.url ?? databaseUrl!, { refuseCopy: true });
    });
    afterAll(async () => {
      await proxy.close();
      await dropTestIndexes(server?.url ?? databaseUrl!, name);
      await server?.close();
    });

    it('falls back to INSERT with one warning and stores every row', async () => {
      const notices: string[] = [];
      const store = await pgvector.create(pgvector.options.parse({ mode: 'server', urlEnv: 'TEST_PG', index: 'none' }), {
        env: createEnv({ TEST_PG: proxy.url }),
        workDir: tmpdir(),
        notice: (message) => notices.push(message),
      });
      try {
        await store.open({ name, dimensions: 4, distance: 'cosine' });
        await store.upsert(tricky(700));
        await store.upsert(tricky(10, 1));
        expect(await store.count()).toBe(700);
        const copyNotices = notices.filter((n) => /refused COPY/.test(n));
        expect(copyNotices).toHaveLength(1);
        expect(copyNotices[0]).toMatch(/COPY is not supported by this connection pooler.*writing with INSERT/);
        expect(copyNotices[0]).not.toContain('\n');
      } finally {
        await store.close();
      }
    });
  });
}
