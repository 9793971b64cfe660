import { mkdtemp, readFile, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkers } from '../../../../src/chunkers/registry.js';
import type { Document } from '../../../../src/corpus/types.js';
import { indexKeyFor } from '../../../../src/pipeline/index/manifest.js';
import { ingest } from '../../../../src/pipeline/index/ingest.js';
import { loadCorpus, readAllDocuments } from '../../../../src/pipeline/load-corpus.js';
import { retrievers } from '../../../../src/retrievers/registry.js';
import { stores } from '../../../../src/stores/registry.js';
import type { Retriever } from '../../../../src/retrievers/retriever.js';
import { createEnv } from '../../../../src/shared/env.js';
import type { Progress } from '../../../../src/shared/progress.js';
import { repoRoot } from '../../../helpers/datasets.js';
import { DataError, ServiceError } from '../../../../src/shared/errors.js';
import { createPgliteClient } from '../../../../src/stores/pgvector/clients.js';
import { tableName } from '../../../../src/stores/pgvector/sql.js';

const chunker = chunkers.fixed.create(chunkers.fixed.options.parse({ sizeChars: 200, overlapChars: 20 }), {} as never);

async function denseRetriever(workDir: string): Promise<Retriever> {
  const options = retrievers.dense.options.parse({
    embedder: { kind: 'hashing', dimensions: 64 },
    store: { kind: 'pgvector', mode: 'embedded', index: 'none' },
    cache: false,
  });
  return retrievers.dense.create(options, { env: createEnv({}), workDir });
}

/** Aborts the ingest after `batches` checkpoints, as Ctrl-C would. */
function abortAfter(batches: number, controller: AbortController): Progress {
  let seen = 0;
  return {
    start() {},
    advance() {
      if (++seen >= batches) controller.abort(new DOMException('interrupted', 'AbortError'));
    },
    done() {},
  };
}

describe('ingest', () => {
  let documents: readonly Document[];
  let expectedChunks: number;
  const identity = (fingerprint: string) => ({
    corpus: { name: 'sample', fingerprint: 'f' },
    chunker: { name: 'fixed-200', fingerprint: chunker.fingerprint },
    retriever: { name: 'local', fingerprint },
  });

  beforeAll(async () => {
    const corpus = await loadCorpus({ name: 'sample', path: join(repoRoot, 'corpora', 'sample'), qrelsSplit: 'test' }, { requireQueries: true });
    documents = await readAllDocuments(corpus);
    expectedChunks = documents.reduce((n, doc) => n + chunker.chunk(doc).length, 0);
  });

  it('an interrupted ingest resumes where it stopped and stores every chunk exactly once', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'rb-ingest-'));
    const controller = new AbortController();
    const first = await denseRetriever(workDir);
    await expect(
      ingest({ documents, chunker, retriever: first, identity: identity(first.fingerprint), workDir, batchSize: 8, progress: abortAfter(2, controller), signal: controller.signal }),
    ).rejects.toThrow(/interrupted/);
    await first.close();
    const key = indexKeyFor(identity(first.fingerprint));
    const checkpoint = JSON.parse(await readFile(join(workDir, 'indexes', `${key}.json`), 'utf8'));
    // Three batches are in flight at a time (dense adds overlap): those in flight at the interrupt may finish and
    // be checkpointed too, but never a batch that was not stored.
    expect(checkpoint.status).toBe('building');
    expect([16, 24, 32]).toContain(checkpoint.documentsDone);
    const probe = await denseRetriever(workDir);
    expect(await probe.open(key)).toBeGreaterThanOrEqual(checkpoint.chunksDone);
    await probe.close();

    const second = await denseRetriever(workDir);
    const resumed = await ingest({ documents, chunker, retriever: second, identity: identity(second.fingerprint), workDir, batchSize: 8 });
    expect(resumed).toMatchObject({ mode: 'resumed', chunks: expectedChunks });
    await second.close();

    const third = await denseRetriever(workDir);
    expect(await third.open(key)).toBe(expectedChunks);
    const reused = await ingest({ documents, chunker, retriever: third, identity: identity(third.fingerprint), workDir, batchSize: 8 });
    expect(reused.mode).toBe('reused');
    await third.close();
  });

  it('an interrupt after the last batch is checkpointed stops before the index is marked complete; the rerun finishes it', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'rb-ingest-'));
    const controller = new AbortController();
    const batches = Math.ceil(documents.length / 8);
    const inner = await denseRetriever(workDir);
    // A retriever whose index build and count do not look at the signal: ingest itself must stop.
    const first = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'finish') return () => target.finish();
        if (property === 'stored') return () => target.stored!();
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(
      ingest({ documents, chunker, retriever: first, identity: identity(first.fingerprint), workDir, batchSize: 8, progress: abortAfter(batches, controller), signal: controller.signal }),
    ).rejects.toThrow(/interrupted/);
    await inner.close();
    const key = indexKeyFor(identity(inner.fingerprint));
    const checkpoint = JSON.parse(await readFile(join(workDir, 'indexes', `${key}.json`), 'utf8'));
    expect(checkpoint).toMatchObject({ status: 'building', documentsDone: documents.length, chunksDone: expectedChunks });
    const second = await denseRetriever(workDir);
    expect(await ingest({ documents, chunker, retriever: second, identity: identity(second.fingerprint), workDir, batchSize: 8 })).toMatchObject({
      mode: 'resumed',
      chunks: expectedChunks,
    });
    await second.close();
  });

  it('chunks and embeds the next batches while one is written, three adds at most; a checkpoint never names a batch still being written', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'rb-ingest-'));
    const inner = await denseRetriever(workDir);
    const events: string[] = [];
    let storedDocs = 0;
    let adding = 0;
    let mostAdding = 0;
    const key = indexKeyFor(identity(inner.fingerprint));
    const checkpointDocs = async () =>
      JSON.parse(await readFile(join(workDir, 'indexes', `${key}.json`), 'utf8').catch(() => '{"documentsDone":0}')).documentsDone as number;
    const add = async (chunks: Parameters<Retriever['add']>[0], signal?: AbortSignal) => {
        const docs = new Set(chunks.map((c) => c.docId)).size;
        events.push(`write ${docs}`);
        mostAdding = Math.max(mostAdding, ++adding);
        await new Promise((resolve) => setTimeout(resolve, 30));
        // While this batch is in flight, the checkpoint covers only what is already stored.
        expect(await checkpointDocs()).toBeLessThanOrEqual(storedDocs);
        await inner.add(chunks, signal);
        storedDocs += docs;
        adding--;
        events.push('written');
    };
    // The real retriever (private fields and all) with its add() watched.
    const watched = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'add') return add;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const watchedChunker = { ...chunker, chunk: (doc: Document) => (events.push('chunk'), chunker.chunk(doc)) };
    const result = await ingest({ documents, chunker: watchedChunker, retriever: watched, identity: identity(inner.fingerprint), workDir, batchSize: 8 });
    await inner.close();
    expect(result.chunks).toBe(expectedChunks);
    // Batches 2 to 4 were chunked before batch 1's write finished (2 and 3 handed to add meanwhile); no fourth add.
    const firstWritten = events.indexOf('written');
    expect(events.slice(events.indexOf('write 8'), firstWritten).filter((e) => e === 'chunk')).toHaveLength(24);
    expect(mostAdding).toBe(3);
    expect(await checkpointDocs()).toBe(documents.length);
  });

  describe('a fresh build embeds its first batches while the store opens (issue 25)', () => {
    /** The real retriever; ingest sees its open resolve only once `release` is called (the inner open runs at once). */
    const gated = (inner: Retriever) => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      // Should ingest never add early, the open still goes through (and the test fails on what it asserts).
      setTimeout(() => release(), 3000).unref();
      let openSeen = false;
      const addsBeforeOpen: number[] = [];
      let adds = 0;
      const retriever = new Proxy(inner, {
        get(target, prop) {
          if (prop === 'open') {
            return async (key: string, signal?: AbortSignal) => {
              const opened = target.open(key, signal);
              await gate;
              const stored = await opened;
              openSeen = true;
              return stored;
            };
          }
          if (prop === 'add') {
            return (...args: Parameters<Retriever['add']>) => {
              adds++;
              if (!openSeen) addsBeforeOpen.push(adds);
              // Three adds in flight is ingest's bound: the open is let through once it has them.
              if (adds === 3) release();
              return target.add(...args);
            };
          }
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      return { retriever, release, addsBeforeOpen };
    };

    it('with no checkpoint, the first three batches go to add before the open resolves; the index is whole', async () => {
      const workDir = await mkdtemp(join(tmpdir(), 'rb-ingest-'));
      const inner = await denseRetriever(workDir);
      expect(inner.addsWhileOpening).toBe(true);
      const { retriever, addsBeforeOpen } = gated(inner);
      const result = await ingest({ documents, chunker, retriever, identity: identity(inner.fingerprint), workDir, batchSize: 8 });
      expect(addsBeforeOpen).toEqual([1, 2, 3]);
      expect(result).toMatchObject({ mode: 'built', chunks: expectedChunks });
      expect(await inner.stored!()).toMatchObject({ chunks: expectedChunks });
      await inner.close();
    });

    it('with a checkpoint to resume, nothing is added before the open (it decides what is skipped)', async () => {
      const workDir = await mkdtemp(join(tmpdir(), 'rb-ingest-'));
      const controller = new AbortController();
      const first = await denseRetriever(workDir);
      await ingest({ documents, chunker, retriever: first, identity: identity(first.fingerprint), workDir, batchSize: 8, progress: abortAfter(2, controller), signal: controller.signal }).catch(() => undefined);
      await first.close();
      const inner = await denseRetriever(workDir);
      const { retriever, release, addsBeforeOpen } = gated(inner);
      const running = ingest({ documents, chunker, retriever, identity: identity(inner.fingerprint), workDir, batchSize: 8 });
      // Whatever ingest would do early, it has had the time to: every document is in memory and chunking is sync.
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      expect(await running).toMatchObject({ mode: 'resumed', chunks: expectedChunks });
      expect(addsBeforeOpen).toEqual([]);
      await inner.close();
    });

    it('a store that cannot be opened fails the ingest with its own error, and no checkpoint is written', async () => {
      const workDir = await mkdtemp(join(tmpdir(), 'rb-ingest-'));
      // Port 1 on loopback: nothing listens, the connection is refused at once.
      const options = retrievers.dense.options.parse({
        embedder: { kind: 'hashing', dimensions: 64 },
        store: { kind: 'pgvector', mode: 'server', urlEnv: 'UNREACHABLE_PG', index: 'none', connectTimeoutMs: 2000 },
        cache: false,
      });
      const retriever = await retrievers.dense.create(options, { env: createEnv({ UNREACHABLE_PG: 'postgres://rb@127.0.0.1:1/rb' }), workDir });
      const error = await ingest({ documents, chunker, retriever, identity: identity(retriever.fingerprint), workDir, batchSize: 8 }).catch((e: unknown) => e);
      await retriever.close();
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).message).toMatch(/127\.0\.0\.1:1/);
      await expect(stat(join(workDir, 'indexes', `${indexKeyFor(identity(retriever.fingerprint))}.json`))).rejects.toThrow(/ENOENT/);
    });
  });

  it('rebuilds when the manifest says complete but the store lost its rows', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'rb-ingest-'));
    const first = await denseRetriever(workDir);
    await ingest({ documents, chunker, retriever: first, identity: identity(first.fingerprint), workDir });
    await first.close();
    // Drop the table behind ragbench's back; the manifest still says complete.
    const key = indexKeyFor(identity(first.fingerprint));
    const store = await stores.pgvector.create(stores.pgvector.options.parse({ mode: 'embedded', index: 'none' }), { env: createEnv({}), workDir });
    await store.open({ name: key, dimensions: 64, distance: 'cosine' });
    await store.drop();
    await store.close();
    const again = await denseRetriever(workDir);
    const result = await ingest({ documents, chunker, retriever: again, identity: identity(again.fingerprint), workDir });
    expect(result).toMatchObject({ mode: 'built', chunks: expectedChunks });
    await again.close();
  });

  it('streams documents: loadCorpus keeps no texts, ingest reads them batch by batch with progress over the count', async () => {
    const corpus = await loadCorpus({ name: 'sample', path: join(repoRoot, 'corpora', 'sample'), qrelsSplit: 'test' }, { requireQueries: true });
    expect(corpus).not.toHaveProperty('documents');
    expect(corpus.documentCount).toBe(documents.length);
    expect(await readAllDocuments(corpus)).toEqual(documents); // streams again, same order
    let pulled = 0;
    async function* counted() {
      for await (const doc of corpus.readDocuments()) {
        pulled++;
        yield doc;
      }
    }
    const phases: Array<{ label: string; total?: number; advanced: number; pulledAtFirstAdvance?: number }> = [];
    const progress: Progress = {
      start: (label, total) => void phases.push({ label, ...(total !== undefined ? { total } : {}), advanced: 0 }),
      advance(units) {
        const phase = phases.at(-1)!;
        phase.pulledAtFirstAdvance ??= pulled;
        phase.advanced += units;
      },
      done() {},
    };
    const retriever = await retrievers.bm25.create(retrievers.bm25.options.parse({}), { env: createEnv({}), workDir: '/tmp' });
    const result = await ingest({
      documents: counted(),
      documentCount: corpus.documentCount,
      chunker,
      retriever,
      identity: identity(retriever.fingerprint),
      workDir: '/tmp',
      batchSize: 4,
      progress,
    });
    expect(result.chunks).toBe(expectedChunks);
    expect(phases[0]).toMatchObject({ total: documents.length, advanced: documents.length, pulledAtFirstAdvance: 4 });
    // BM25's finalisation has a count (two passes over the chunks), so its phase has a rate and an ETA, not seconds.
    expect(phases.map((p) => p.label)).toEqual([expect.stringMatching(/^ingest /), expect.stringMatching(/^build index /), 'bm25 postings (chunk passes)']);
    expect(phases[2]).toMatchObject({ total: 2 * expectedChunks, advanced: 2 * expectedChunks });
  });

  it('names indexes after everything that shapes them', () => {
    const a = indexKeyFor(identity('dense:a'));
    expect(a).toMatch(/^rb_sample_fixed_200_[0-9a-f]{12}$/);
    expect(indexKeyFor(identity('dense:b'))).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(48);
  });

  describe('integrity before an index is used (issue 11 #1)', () => {
    /** Runs SQL on the embedded database of a work dir (no ragbench store open at the same time). */
    async function sql<Row>(workDir: string, text: string): Promise<Row[]> {
      const client = await createPgliteClient(join(workDir, 'pglite'));
      try {
        return await client.query<Row>(text);
      } finally {
        await client.close();
      }
    }

    async function built(): Promise<{ workDir: string; key: string; table: string }> {
      const workDir = await mkdtemp(join(tmpdir(), 'rb-ingest-'));
      const first = await denseRetriever(workDir);
      await ingest({ documents, chunker, retriever: first, identity: identity(first.fingerprint), workDir });
      await first.close();
      const key = indexKeyFor(identity(first.fingerprint));
      return { workDir, key, table: tableName({ name: key }) };
    }

    it('a truncated table file is caught (count ≠ checkpoint), the index is emptied and rebuilt whole', async () => {
      const { workDir, key, table } = await built();
      const [{ path }] = (await sql<{ path: string }>(workDir, `SELECT pg_relation_filepath('${table}') AS path`)) as [{ path: string }];
      const file = join(workDir, 'pglite', path);
      // The red-team fault: cut the heap file to its first 8 KB page; the manifest still says complete.
      expect((await stat(file)).size).toBeGreaterThan(8192);
      await truncate(file, 8192);
      const [{ n: left }] = (await sql<{ n: number }>(workDir, `SELECT count(*)::int AS n FROM ${table}`)) as [{ n: number }];
      expect(left).toBeLessThan(expectedChunks);

      const warnings: string[] = [];
      const again = await denseRetriever(workDir);
      const result = await ingest({ documents, chunker, retriever: again, identity: identity(again.fingerprint), workDir, warn: (m) => warnings.push(m) });
      expect(result).toMatchObject({ mode: 'built', chunks: expectedChunks });
      expect(await again.stored!()).toMatchObject({ chunks: expectedChunks });
      await again.close();
      expect(warnings).toEqual([expect.stringContaining(`index ${key} (${join(workDir, 'indexes', `${key}.json`)}) holds ${left} chunks where its checkpoint says ${expectedChunks}; rebuilding it`)]);
    });

    it('the same count with other ids fails the id checksum and is rebuilt', async () => {
      const { workDir, table } = await built();
      await sql(workDir, `UPDATE ${table} SET id = id || '-x' WHERE id IN (SELECT id FROM ${table} ORDER BY id LIMIT 3)`);
      const warnings: string[] = [];
      const again = await denseRetriever(workDir);
      const result = await ingest({ documents, chunker, retriever: again, identity: identity(again.fingerprint), workDir, warn: (m) => warnings.push(m) });
      expect(result.mode).toBe('built');
      await again.close();
      expect(warnings[0]).toMatch(/as its checkpoint says, but not the same ids \(checksum \d+ ≠ \d+\)/);
    });

    it('a store that keeps losing rows fails after ingest with the place and the fix, and is never marked complete', async () => {
      const workDir = await mkdtemp(join(tmpdir(), 'rb-ingest-'));
      const inner = await denseRetriever(workDir);
      const lossy: Retriever = {
        fingerprint: inner.fingerprint,
        persistent: true,
        open: (key, signal) => inner.open(key, signal),
        add: (chunks, signal) => inner.add(chunks.filter((_, i) => i % 10 !== 3), signal),
        finish: (signal) => inner.finish(signal),
        retrieve: (query, k, signal) => inner.retrieve(query, k, signal),
        stored: (signal) => inner.stored!(signal),
        close: () => inner.close(),
      };
      const error = await ingest({ documents, chunker, retriever: lossy, identity: identity(inner.fingerprint), workDir }).catch((e: unknown) => e);
      await inner.close();
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).message).toMatch(/holds \d+ chunks where its checkpoint says \d+ right after ingest: the store is damaged/);
      expect((error as DataError).fix).toContain(join(workDir, 'indexes'));
      const key = indexKeyFor(identity(inner.fingerprint));
      expect(JSON.parse(await readFile(join(workDir, 'indexes', `${key}.json`), 'utf8')).status).toBe('building');
    });

    it('an unreadable data folder (truncated pg_control) is an error naming the folder and the recovery', async () => {
      const { workDir } = await built();
      await truncate(join(workDir, 'pglite', 'global', 'pg_control'), 100);
      const error = await denseRetriever(workDir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).message).toContain(`cannot open the data folder ${join(workDir, 'pglite')}`);
      expect((error as ServiceError).message).not.toContain('[object Object]');
      expect((error as ServiceError).fix).toMatch(/move the damaged folder aside \(mv .*pglite .*pglite\.damaged\) and run again/);
    });
  });
});
