// Benchmark 1: ingest Cranfield with every chunker into pgvector — ragbench vs LangChain.js PGVectorStore.addDocuments,
// same PGlite build, same embedder (ragbench's offline hashing embedder, 384 dims), same chunks.
//   ragbench embedded: PGlite in-process (the default `retrievers/local.yaml` path, binary vector parameters)
//   ragbench server:   the `pg` server path, over pglite-socket
//   LangChain:         PGVectorStore over pglite-socket (maxConnections 4: it holds one connection for itself)
// Two measurements, both on the same chunks:
//   end to end: chunking + embedding + insert (the embedder's cost is shared by both sides and bounds the ratio);
//   store only: the same pre-computed vectors written by ragbench's store vs LangChain's addVectors.
// No ANN index (index: none), no embedding cache.
// Run after `npm run build`:  node bench/ingest-vs-langchain.mjs
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PGVectorStore } from '@langchain/community/vectorstores/pgvector';
import { Document as LcDocument } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkers } from '../dist/chunkers/registry.js';
import { createHashingEmbedder } from '../dist/embedders/hashing.js';
import { embedders } from '../dist/embedders/registry.js';
import { datasetDir } from '../dist/datasets/location.js';
import { loadCorpus } from '../dist/pipeline/load-corpus.js';
import { ingest } from '../dist/pipeline/ingest.js';
import { retrievers } from '../dist/retrievers/registry.js';
import { createEnv } from '../dist/shared/env.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const chunkerSettings = {
  'fixed-512': { kind: 'fixed', options: { sizeChars: 512, overlapChars: 64 } },
  'tokens-256': { kind: 'tokens', options: { sizeTokens: 256, overlapTokens: 32 } },
  'recursive-800': { kind: 'recursive', options: { sizeChars: 800, overlapChars: 100 } },
  'sentences-5': { kind: 'sentences', options: { sentencesPerChunk: 5, overlapSentences: 1 } },
  'markdown-1500': { kind: 'markdown', options: { maxChars: 1500, overlapChars: 100 } },
};
const hashingOptions = embedders.hashing.options.parse({ dimensions: 384 });

class HashingEmbeddings extends Embeddings {
  #embedder = createHashingEmbedder(hashingOptions);
  constructor() {
    super({});
  }
  async embedDocuments(texts) {
    return (await this.#embedder.embed(texts, 'document')).map((v) => Array.from(v));
  }
  async embedQuery(text) {
    return Array.from((await this.#embedder.embed([text], 'query'))[0]);
  }
}

const corpus = await loadCorpus(
  // pulled into RAGBENCH_DATASETS (or the user cache) on first use, like `dataset: cranfield` in a corpus YAML
  { name: 'cranfield', path: datasetDir('cranfield'), qrelsSplit: 'test', datasets: ['cranfield'] },
  { requireQueries: false },
);
const makeChunker = (name) => chunkers[chunkerSettings[name].kind].create(chunkers[chunkerSettings[name].kind].options.parse(chunkerSettings[name].options), {});

async function ragbenchIngest(storeOptions, env, workDir) {
  const results = {};
  for (const name of Object.keys(chunkerSettings)) {
    const options = retrievers.dense.options.parse({
      embedder: { kind: 'hashing', dimensions: 384 },
      store: { kind: 'pgvector', index: 'none', ...storeOptions },
      cache: false,
    });
    const retriever = await retrievers.dense.create(options, { env, workDir });
    const started = performance.now();
    const result = await ingest({
      documents: corpus.documents,
      chunker: makeChunker(name),
      retriever,
      workDir,
      identity: { corpus: { name: 'cranfield', fingerprint: corpus.fingerprint }, chunker: { name, fingerprint: name }, retriever: { name: 'bench', fingerprint: JSON.stringify(storeOptions) } },
    });
    results[name] = { chunks: result.chunks, seconds: (performance.now() - started) / 1000 };
    await retriever.close();
  }
  return results;
}

async function langchainIngest(url) {
  const results = {};
  const embeddings = new HashingEmbeddings();
  for (const name of Object.keys(chunkerSettings)) {
    const store = await PGVectorStore.initialize(embeddings, {
      postgresConnectionOptions: { connectionString: url, max: 3 },
      tableName: `lc_${name.replace(/-/g, '_')}`,
      dimensions: 384,
      distanceStrategy: 'cosine',
    });
    const started = performance.now();
    const chunker = makeChunker(name);
    const docs = corpus.documents.flatMap((doc) =>
      chunker.chunk(doc).map((c) => new LcDocument({ pageContent: c.text, metadata: { docId: c.docId, start: c.start, end: c.end } })),
    );
    await store.addDocuments(docs);
    results[name] = { chunks: docs.length, seconds: (performance.now() - started) / 1000 };
    await store.end();
  }
  return results;
}

/** Store-only: write pre-computed vectors (all chunkers' chunks) through ragbench's store and LangChain's addVectors. */
async function storeOnly(env, storeOptions, chunks, vectors, workDir) {
  const { stores } = await import('../dist/stores/registry.js');
  const { manageStore } = await import('../dist/stores/managed-store.js');
  const store = manageStore(await stores.pgvector.create(stores.pgvector.options.parse({ index: 'none', ...storeOptions }), { env, workDir }));
  await store.open({ name: 'bench_store_only', dimensions: 384, distance: 'cosine' });
  const started = performance.now();
  await store.upsert(chunks.map((c, i) => ({ id: c.id, docId: c.docId, vector: vectors[i] })));
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return { chunks: chunks.length, seconds };
}

async function langchainStoreOnly(url, chunks, vectors) {
  const store = await PGVectorStore.initialize(new HashingEmbeddings(), {
    postgresConnectionOptions: { connectionString: url, max: 3 },
    tableName: 'lc_store_only',
    dimensions: 384,
    distanceStrategy: 'cosine',
  });
  const docs = chunks.map((c) => new LcDocument({ pageContent: c.text, metadata: { docId: c.docId, start: c.start, end: c.end } }));
  const arrays = vectors.map((v) => Array.from(v));
  const started = performance.now();
  await store.addVectors(arrays, docs);
  const seconds = (performance.now() - started) / 1000;
  await store.end();
  return { chunks: chunks.length, seconds };
}

async function withSocketServer(fn) {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const url = `postgres://postgres@127.0.0.1:${server.getServerConn().split(':').at(-1)}/postgres`;
  try {
    return await fn(url);
  } finally {
    await server.stop();
    await db.close();
  }
}

const workDir = mkdtempSync(join(tmpdir(), 'rb-bench-ingest-'));
try {
  const embedded = await ragbenchIngest({ mode: 'embedded', memory: true }, createEnv({}), workDir);
  const server = await withSocketServer((url) => ragbenchIngest({ mode: 'server', urlEnv: 'BENCH_PG_URL' }, createEnv({ BENCH_PG_URL: url }), workDir));
  const langchain = await withSocketServer((url) => langchainIngest(url));
  const total = (r) => Object.values(r).reduce((a, x) => ({ chunks: a.chunks + x.chunks, seconds: a.seconds + x.seconds }), { chunks: 0, seconds: 0 });
  const rate = (r) => r.chunks / r.seconds;
  console.log('chunker          chunks   ragbench embedded   ragbench pg/socket   LangChain pg/socket   (chunks/s)');
  for (const name of Object.keys(chunkerSettings)) {
    const cells = [embedded[name], server[name], langchain[name]].map((r) => rate(r).toFixed(0).padStart(18));
    console.log(`${name.padEnd(15)} ${String(embedded[name].chunks).padStart(7)} ${cells.join(' ')}`);
  }
  const [e, s, l] = [total(embedded), total(server), total(langchain)];
  console.log(`${'all'.padEnd(15)} ${String(e.chunks).padStart(7)} ${[e, s, l].map((r) => rate(r).toFixed(0).padStart(18)).join(' ')}`);
  console.log(`end to end, ratio vs LangChain: embedded ${(rate(e) / rate(l)).toFixed(1)}x, pg over socket ${(rate(s) / rate(l)).toFixed(1)}x`);

  const allChunks = Object.keys(chunkerSettings).flatMap((name) => corpus.documents.flatMap((doc) => makeChunker(name).chunk(doc)));
  const embedder = createHashingEmbedder(hashingOptions);
  const vectors = await embedder.embed(allChunks.map((c) => c.text), 'document');
  const storeEmbedded = await storeOnly(createEnv({}), { mode: 'embedded', memory: true }, allChunks, vectors, workDir);
  const storeServer = await withSocketServer((url) => storeOnly(createEnv({ BENCH_PG_URL: url }), { mode: 'server', urlEnv: 'BENCH_PG_URL' }, allChunks, vectors, workDir));
  const storeLangchain = await withSocketServer((url) => langchainStoreOnly(url, allChunks, vectors));
  console.log(`store only (${allChunks.length} pre-embedded chunks): ragbench embedded ${rate(storeEmbedded).toFixed(0)}/s, ragbench pg/socket ${rate(storeServer).toFixed(0)}/s, LangChain addVectors pg/socket ${rate(storeLangchain).toFixed(0)}/s`);
  console.log(`store only, ratio vs LangChain: embedded ${(rate(storeEmbedded) / rate(storeLangchain)).toFixed(1)}x, pg over socket ${(rate(storeServer) / rate(storeLangchain)).toFixed(1)}x`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
