import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkers } from '../../../src/chunkers/registry.js';
import type { Document } from '../../../src/corpus/types.js';
import { indexKeyFor } from '../../../src/pipeline/index-manifest.js';
import { ingest } from '../../../src/pipeline/ingest.js';
import { loadCorpus } from '../../../src/pipeline/load-corpus.js';
import { retrievers } from '../../../src/retrievers/registry.js';
import { stores } from '../../../src/stores/registry.js';
import type { Retriever } from '../../../src/retrievers/retriever.js';
import { createEnv } from '../../../src/shared/env.js';
import type { Progress } from '../../../src/shared/progress.js';
import { repoRoot } from '../../helpers/datasets.js';

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
    documents = corpus.documents;
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
    expect(checkpoint).toMatchObject({ status: 'building', documentsDone: 16 });

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

  it('names indexes after everything that shapes them', () => {
    const a = indexKeyFor(identity('dense:a'));
    expect(a).toMatch(/^rb_sample_fixed_200_[0-9a-f]{12}$/);
    expect(indexKeyFor(identity('dense:b'))).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(48);
  });
});
