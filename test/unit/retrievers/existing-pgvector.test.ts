/**
 * An index ragbench did not write: LangChain's PGVectorStore fills a pgvector table (over the socket into PGlite,
 * and into a PGlite data folder), then ragbench evaluates it read-only and must score exactly as its own index
 * of the same chunks with the same embedder.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PGVectorStore } from '@langchain/community/vectorstores/pgvector';
import { Document as LangChainDocument } from '@langchain/core/documents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgliteServer, type PgliteServer } from '../../doubles/pglite-server.js';
import { datasetPath, lacks, repoRoot } from '../../helpers/datasets.js';
import { annRecallOf, HashingLangChainEmbeddings, maxDifference, ownExactIndex, runSample, sampleChunks, type EvalRun } from '../../helpers/external-index.js';

const table = 'lc_chunks';

/** The user's ingestion: LangChain documents with the document id in metadata, no offsets. */
async function ingestWithLangChain(url: string, tableName = table, ghosts = 0, documentsFile?: string): Promise<number> {
  const { chunks } = await sampleChunks(documentsFile);
  const store = await PGVectorStore.initialize(new HashingLangChainEmbeddings(), {
    postgresConnectionOptions: { connectionString: url, max: 3 },
    tableName,
    columns: { idColumnName: 'id', vectorColumnName: 'embedding', contentColumnName: 'content', metadataColumnName: 'metadata' },
    distanceStrategy: 'cosine',
    dimensions: 384,
  });
  const documents = chunks.map((c) => new LangChainDocument({ pageContent: c.text, metadata: { source: { id: c.docId } } }));
  // Chunks of documents the corpus does not have (a stale index, another tenant's data), same texts.
  for (const [i, c] of chunks.slice(0, ghosts).entries()) documents.push(new LangChainDocument({ pageContent: c.text, metadata: { source: { id: `ghost-${i}` } } }));
  await store.addDocuments(documents);
  await store.end();
  return documents.length;
}

/** Independent of ragbench's own snapshot: row count and a hash over every column. */
async function tableState(db: PGlite): Promise<{ n: number; sum: string }> {
  const { rows } = await db.query<{ n: number; sum: string }>(
    `SELECT count(*)::int AS n, md5(string_agg(id::text || content || metadata::text || embedding::text, ',' ORDER BY id)) AS sum FROM ${table}`,
  );
  return rows[0]!;
}

const existing = (source: Record<string, unknown>) => ({
  kind: 'existing',
  embedder: { kind: 'hashing' },
  cache: false,
  source: { kind: 'pgvector', table, columns: { text: 'content', metadata: 'metadata' }, docIdPath: 'source.id', exact: true, ...source },
});

describe('kind: existing, source pgvector (a LangChain PGVectorStore table)', () => {
  let server: PgliteServer;
  let written = 0;
  let reference: EvalRun;

  beforeAll(async () => {
    server = await startPgliteServer();
    written = await ingestWithLangChain(server.url);
    reference = await runSample(ownExactIndex);
  }, 120_000);
  afterAll(async () => server?.close());

  it('over the socket (server mode): same metrics as ragbench’s own exact index, to 1e-9, and nothing written', async () => {
    const before = await tableState(server.db);
    expect(before.n).toBe(written);
    const run = await runSample(existing({ mode: 'server', urlEnv: 'LC_DATABASE_URL' }), { env: { LC_DATABASE_URL: server.url } });
    expect(run.perQuery.size).toBeGreaterThan(0);
    expect(maxDifference(run, reference)).toBeLessThanOrEqual(1e-9);
    expect(await tableState(server.db)).toEqual(before);
    const evaluated = run.manifest.arms[0]!.retriever.evaluated as Record<string, unknown>;
    expect(evaluated).toMatchObject({ store: 'pgvector', table, urlEnv: 'LC_DATABASE_URL', records: written, dimensions: 384 });
    expect(evaluated.checksum).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(run.manifest)).not.toContain(server.url);
    const matched = evaluated.matched as { unmatchedDocIds: number; unlocated: number; located: { exact: number } };
    expect(matched.unmatchedDocIds).toBe(0);
    expect(matched.unlocated).toBe(0);
    expect(matched.located.exact).toBeGreaterThan(0);
  }, 120_000);

  it('refuses an embedder of other dimensions with a clear error (exit 2), before any query', async () => {
    const wrong = { ...existing({ mode: 'server', urlEnv: 'LC_DATABASE_URL' }), embedder: { kind: 'hashing', dimensions: 256 } };
    await expect(runSample(wrong, { env: { LC_DATABASE_URL: server.url } })).rejects.toMatchObject({
      code: 'E_DIMENSION',
      message: expect.stringContaining('384-dimensional vectors, the embedder makes 256'),
    });
  });

  it('applies a filter through bind parameters, and counts chunks whose document is not in the corpus', async () => {
    const db = server.db;
    const before = await tableState(db);
    // Only documents whose id sorts before "5": everything else is filtered out, by a parameter.
    const filtered = await runSample(
      existing({ mode: 'server', urlEnv: 'U', filter: { where: "metadata #>> '{source,id}' < :below", params: { below: '5' } } }),
      { env: { U: server.url } },
    );
    const evaluated = filtered.manifest.arms[0]!.retriever.evaluated as { records: number };
    expect(evaluated.records).toBeGreaterThan(0);
    expect(evaluated.records).toBeLessThan(written);
    // Chunks of documents not in the corpus are retrieved, kept in the ranking (as misses) and counted.
    await ingestWithLangChain(server.url, 'lc_mixed', 120);
    const mixed = await runSample(existing({ mode: 'server', urlEnv: 'U', table: 'lc_mixed' }), { env: { U: server.url } });
    const stats = (mixed.manifest.arms[0]!.retriever.evaluated as { matched: { unmatchedDocIds: number; unmatchedExamples: string[] } }).matched;
    expect(stats.unmatchedDocIds).toBeGreaterThan(0);
    expect(stats.unmatchedExamples[0]).toMatch(/^ghost-/);
    expect(maxDifference(mixed, reference)).toBeGreaterThan(0);
    // A document id path that holds nothing is a mapping error: refused, not scored as all misses.
    await expect(runSample(existing({ mode: 'server', urlEnv: 'U', docIdPath: 'nope' }), { env: { U: server.url } })).rejects.toMatchObject({
      code: 'E_CONFIG',
      message: expect.stringContaining('has no document id at metadata path nope'),
    });
    expect(await tableState(db)).toEqual(before);
  }, 120_000);

  it('a missing filter parameter is a config error naming it', async () => {
    await expect(
      runSample(existing({ mode: 'server', urlEnv: 'U', filter: { where: 'content = :missing' } }), { env: { U: server.url } }),
    ).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining(':missing') });
  });
});

describe('kind: existing, source pgvector in a PGlite data folder', () => {
  it('reads the folder LangChain wrote (embedded mode) with the same metrics as ragbench’s own index', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rb-pglite-'));
    const db = await PGlite.create({ dataDir, extensions: { vector } });
    const socket = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await socket.start();
    const port = socket.getServerConn().split(':').at(-1);
    await ingestWithLangChain(`postgres://postgres@127.0.0.1:${port}/postgres`);
    const before = await tableState(db);
    await socket.stop();
    await db.close();

    const run = await runSample(existing({ mode: 'embedded', dataDir }));
    const reference = await runSample(ownExactIndex);
    expect(maxDifference(run, reference)).toBeLessThanOrEqual(1e-9);

    const reopened = await PGlite.create({ dataDir, extensions: { vector } });
    expect(await tableState(reopened)).toEqual(before);
    await reopened.close();
  }, 120_000);
});

describe.skipIf(lacks('cranfield'))('kind: existing, source pgvector: span metrics from located chunk texts', () => {
  it('on Cranfield with span labels, span and document metrics equal ragbench’s own index of the same chunks', async () => {
    const server = await startPgliteServer();
    try {
      await ingestWithLangChain(server.url, 'cranfield_chunks', 0, datasetPath('cranfield', 'corpus.jsonl'));
      const options = {
        corpus: join(repoRoot, 'corpora', 'cranfield-synth.yaml'),
        metrics: ['recall@10', 'ndcg@10'],
        extra: { queryLimit: 60, spanMetrics: ['span-recall@5', 'span-precision@5', 'span-iou@5', 'context-tokens@5'] },
      };
      const run = await runSample(existing({ mode: 'server', urlEnv: 'U', table: 'cranfield_chunks' }), { ...options, env: { U: server.url } });
      const reference = await runSample(ownExactIndex, options);
      expect([...run.perQuery.values()].some((m) => (m['span-recall@5'] ?? 0) > 0)).toBe(true);
      expect(maxDifference(run, reference)).toBeLessThanOrEqual(1e-9);
      const matched = (run.manifest.arms[0]!.retriever.evaluated as { matched: { unlocated: number; located: { exact: number } } }).matched;
      expect(matched.unlocated).toBe(0);
      expect((await annRecallOf(run)).ann).toBeUndefined(); // exact: true, and no ANN index yet

      // The user's table gets a (deliberately poor) HNSW index: searches through it are approximate, so the run
      // measures their recall against the same table searched exactly, and warns naming efSearch.
      await server.db.exec('CREATE INDEX cranfield_chunks_hnsw ON cranfield_chunks USING hnsw (embedding vector_cosine_ops) WITH (m = 2, ef_construction = 4)');
      const ann = { ...options, extra: { ...options.extra, annRecall: { queries: 30 } } };
      const viaIndex = await runSample(existing({ mode: 'server', urlEnv: 'U', table: 'cranfield_chunks', exact: false, efSearch: 1 }), { ...ann, env: { U: server.url } });
      const measured = await annRecallOf(viaIndex);
      expect(measured.ann).toMatchObject({ k: 10, queries: 30, raise: 'efSearch', index: expect.stringMatching(/hnsw cranfield_chunks_hnsw on cranfield_chunks \(hnsw\.ef_search 1\)/) });
      expect(measured.ann!.recall).toBeGreaterThan(0);
      expect(measured.ann!.recall).toBeLessThan(0.95);
      expect(measured.ann!.warning).toMatch(/raise efSearch/);
      expect(measured.cell).toMatch(/^0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] \(!\)$/);
      // exact: true on the indexed table stays exact (the distance as a function call, which no index serves).
      expect((await annRecallOf(await runSample(existing({ mode: 'server', urlEnv: 'U', table: 'cranfield_chunks' }), { ...ann, env: { U: server.url } }))).ann).toBeUndefined();
    } finally {
      await server.close();
    }
  }, 240_000);
});
