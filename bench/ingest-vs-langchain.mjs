// Benchmark 1: ingest Cranfield with every chunker into pgvector — ragbench vs LangChain.js PGVectorStore,
// same embedder (ragbench's offline hashing embedder, 384 dims), same chunks, EQUAL payloads: both sides store the
// chunk text, its metadata (jsonb) and the vector (LangChain adds a uuid id; ragbench's id is the chunk id).
//   ragbench embedded: PGlite in-process (the default `retrievers/local.yaml` path, binary vector parameters)
//   ragbench server:   the `pg` server path, over pglite-socket (and over --url when given)
//   LangChain:         PGVectorStore over the same socket / URL
//   COPY binary:       `COPY … FROM STDIN (FORMAT binary)` of the same rows through pg-copy-streams: the ceiling
// Two measurements: end to end (chunking + embedding + insert; each chunker is built once; each side timed from
// creating its table, ragbench's open and LangChain's initialize, to its last row stored) and store only (the
// same pre-computed vectors written by each; median of --runs). No ANN index, no embedding cache.
// On --url the end-to-end passes are repeated too (ragbench, then LangChain, --runs times; medians reported).
// The hashing embedder featurizes on its worker threads on ragbench's side (its default; --workers N sets how
// many, 0 = in-process) and in-process on LangChain's side (the faster choice for a caller that awaits each call).
// Run after `npm run build`:  node bench/ingest-vs-langchain.mjs [--url postgres://…] [--url-only] [--runs 3]
//   [--workers N] [--smoke]   (or BENCH_PG_URL=postgres://…; the bench's tables are dropped at the end).
// --smoke: the first 100 documents, one run (seconds; checks the bench runs, measures nothing).
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
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
import { loadCorpus, readAllDocuments } from '../dist/pipeline/load-corpus.js';
import { ingest } from '../dist/pipeline/index/ingest.js';
import { retrievers } from '../dist/retrievers/registry.js';
import { createEnv } from '../dist/shared/env.js';
import { manageStore } from '../dist/stores/managed-store.js';
import { stores } from '../dist/stores/registry.js';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { binaryCopyRows } from '../dist/stores/pgvector/copy-rows.js';
import { argOrEnv, binaryCopyBuffer, median, smoke, withSocketServer } from './pg-bench-util.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const chunkerSettings = {
  'fixed-512': { kind: 'fixed', options: { sizeChars: 512, overlapChars: 64 } },
  'tokens-256': { kind: 'tokens', options: { sizeTokens: 256, overlapTokens: 32 } },
  'recursive-800': { kind: 'recursive', options: { sizeChars: 800, overlapChars: 100 } },
  'sentences-5': { kind: 'sentences', options: { sentencesPerChunk: 5, overlapSentences: 1 } },
  'markdown-1500': { kind: 'markdown', options: { maxChars: 1500, overlapChars: 100 } },
};
const workersFlag = argOrEnv('workers', 'BENCH_WORKERS');
const ragbenchHashing = { kind: 'hashing', dimensions: 384, ...(workersFlag === undefined ? {} : { workers: Number(workersFlag) }) };
const hashingOptions = embedders.hashing.options.parse({ dimensions: 384, workers: 0 });

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

// --smoke runs every pass: PGlite, pglite-socket, and the real server when DATABASE_URL is set (CI).
const serverUrl = argOrEnv('url', 'BENCH_PG_URL') ?? (smoke ? process.env.DATABASE_URL : undefined);
const runs = smoke ? 1 : Number(argOrEnv('runs', 'BENCH_RUNS') ?? 3);
// Only the --url columns: on a shared machine the PGlite and socket sides add minutes and load to a server figure.
const urlOnly = process.argv.includes('--url-only');
const runTag = Math.floor(Math.random() * 1e6).toString(36);
const corpus = await loadCorpus(
  // pulled into RAGBENCH_DATASETS (or the user cache) on first use, like `dataset: cranfield` in a corpus YAML
  { name: 'cranfield', path: datasetDir('cranfield'), qrelsSplit: 'test', datasets: ['cranfield'] },
  { requireQueries: false },
);
// The corpus streams (issue 14); the bench holds Cranfield's 1,400 documents so every side chunks the same array.
const documents = (await readAllDocuments(corpus)).slice(0, smoke ? 100 : undefined);
// Built once each: creating a `tokens` chunker loads the BPE ranks (0.5–1 s), which is not ingest work.
const chunkerOf = Object.fromEntries(
  Object.entries(chunkerSettings).map(([name, { kind, options }]) => [name, chunkers[kind].create(chunkers[kind].options.parse(options), { env: createEnv({}), workDir: tmpdir() })]),
);
// One untimed pass per chunker: the first chunks of a chunker pay JIT and lazy BPE setup (tokens-256 ran at a
// fifth of its speed for whichever side came first), which is neither side's ingest work.
for (const chunker of Object.values(chunkerOf)) for (const doc of documents) chunker.chunk(doc);
const metadataOf = (c) => ({ docId: c.docId, start: c.start, end: c.end });

async function ragbenchIngest(storeOptions, env, workDir) {
  const results = {};
  for (const name of Object.keys(chunkerSettings)) {
    const options = retrievers.dense.options.parse({
      embedder: ragbenchHashing,
      store: { kind: 'pgvector', index: 'none', ...storeOptions },
      cache: false,
    });
    const retriever = await retrievers.dense.create(options, { env, workDir });
    const started = performance.now();
    const result = await ingest({
      documents,
      chunker: chunkerOf[name],
      retriever,
      workDir,
      identity: { corpus: { name: 'cranfield', fingerprint: corpus.fingerprint }, chunker: { name, fingerprint: name }, retriever: { name: 'bench', fingerprint: JSON.stringify(storeOptions) + runTag } },
    });
    results[name] = { chunks: result.chunks, seconds: (performance.now() - started) / 1000, key: result.key };
    await retriever.close();
  }
  return results;
}

async function langchainIngest(url) {
  const results = {};
  const embeddings = new HashingEmbeddings();
  for (const name of Object.keys(chunkerSettings)) {
    // Timed from before initialize (connect, CREATE TABLE), as ragbench's side is timed from its open.
    const started = performance.now();
    const store = await PGVectorStore.initialize(embeddings, {
      postgresConnectionOptions: { connectionString: url, max: 3 },
      tableName: `lc_${runTag}_${name.replace(/-/g, '_')}`,
      dimensions: 384,
      distanceStrategy: 'cosine',
    });
    const chunker = chunkerOf[name];
    const docs = documents.flatMap((doc) => chunker.chunk(doc).map((c) => new LcDocument({ pageContent: c.text, metadata: metadataOf(c) })));
    await store.addDocuments(docs);
    results[name] = { chunks: docs.length, seconds: (performance.now() - started) / 1000 };
    await store.end();
  }
  return results;
}

/** Store-only: pre-computed vectors with their chunk text and metadata through ragbench's store. */
async function storeOnly(env, storeOptions, chunks, vectors, workDir) {
  const store = manageStore(await stores.pgvector.create(stores.pgvector.options.parse({ index: 'none', ...storeOptions }), { env, workDir }));
  await store.open({ name: `bench_store_only_${runTag}`, dimensions: 384, distance: 'cosine' });
  const records = chunks.map((c, i) => ({ id: c.id, docId: c.docId, vector: vectors[i], text: c.text, metadata: { start: c.start, end: c.end } }));
  const started = performance.now();
  await store.upsert(records);
  const seconds = (performance.now() - started) / 1000;
  await store.drop();
  await store.close();
  return { chunks: chunks.length, seconds };
}

async function langchainStoreOnly(url, chunks, vectors) {
  const tableName = `lc_store_only_${runTag}`;
  const store = await PGVectorStore.initialize(new HashingEmbeddings(), {
    postgresConnectionOptions: { connectionString: url, max: 3 },
    tableName,
    dimensions: 384,
    distanceStrategy: 'cosine',
  });
  const docs = chunks.map((c) => new LcDocument({ pageContent: c.text, metadata: metadataOf(c) }));
  const arrays = vectors.map((v) => Array.from(v));
  const started = performance.now();
  await store.addVectors(arrays, docs);
  const seconds = (performance.now() - started) / 1000;
  await store.pool.query(`DROP TABLE IF EXISTS ${tableName}`);
  await store.end();
  return { chunks: chunks.length, seconds };
}

const copyRowsOf = (chunks, vectors) => chunks.map((c, i) => ({ id: c.id, docId: c.docId, vector: vectors[i], text: c.text, metadata: { start: c.start, end: c.end } }));
/**
 * The ceiling's rows are encoded by the fastest encoder at hand, ragbench's own (one pass into one buffer), so the
 * ceiling is not lowered by slower encoding; the bench's independent encoder must give the very same bytes.
 */
function checkCopyEncoders(chunks, vectors) {
  const rows = copyRowsOf(chunks, vectors);
  if (!Buffer.from(binaryCopyRows(rows)).equals(binaryCopyBuffer(rows))) throw new Error('ragbench binaryCopyRows and the bench encoder differ');
}

/**
 * The ceiling: the same rows (ragbench's columns) in one binary COPY statement (no transaction of ragbench's, no
 * batching), with the buffer encoding timed.
 */
async function copyBinary(url, chunks, vectors) {
  const client = new pg.Client({ connectionString: url });
  // A server that drops the connection mid-COPY must fail this measurement, not the process.
  client.on('error', () => {});
  await client.connect();
  const table = `bench_copy_${runTag}`;
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`CREATE TABLE ${table} (id text PRIMARY KEY, doc_id text NOT NULL, embedding vector(384) NOT NULL, text text, metadata jsonb)`);
    const started = performance.now();
    const buffer = binaryCopyRows(copyRowsOf(chunks, vectors));
    const stream = client.query(copyFrom(`COPY ${table} (id, doc_id, embedding, text, metadata) FROM STDIN (FORMAT binary)`));
    await pipeline(Readable.from([buffer]), stream);
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
    if (rows[0].n !== chunks.length) throw new Error(`COPY stored ${rows[0].n} rows, expected ${chunks.length}`);
    return { chunks: chunks.length, seconds };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await client.end();
  }
}

/**
 * The ceiling on PGlite in-process: the same binary COPY from a blob (`COPY … FROM '/dev/blob'`). Over pglite-socket
 * `COPY … FROM STDIN` kills the connection (FATAL 08P01 "protocol synchronization was lost": the socket server runs
 * each protocol message on its own, and CopyData needs the COPY's state), so there ragbench keeps INSERTs.
 */
async function copyBinaryPglite(chunks, vectors) {
  const db = await PGlite.create({ extensions: { vector } });
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS vector');
    await db.query('CREATE TABLE bench_copy (id text PRIMARY KEY, doc_id text NOT NULL, embedding vector(384) NOT NULL, text text, metadata jsonb)');
    const started = performance.now();
    const buffer = binaryCopyRows(copyRowsOf(chunks, vectors));
    await db.query("COPY bench_copy (id, doc_id, embedding, text, metadata) FROM '/dev/blob' (FORMAT binary)", [], { blob: new Blob([buffer]) });
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await db.query('SELECT count(*)::int AS n FROM bench_copy');
    if (rows[0].n !== chunks.length) throw new Error(`COPY stored ${rows[0].n} rows, expected ${chunks.length}`);
    return { chunks: chunks.length, seconds };
  } finally {
    await db.close();
  }
}

/** Removes the end-to-end tables (ragbench's and LangChain's) from a server given by URL. */
async function dropBenchTables(url, ragbenchKeys) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const name of Object.keys(chunkerSettings)) await client.query(`DROP TABLE IF EXISTS lc_${runTag}_${name.replace(/-/g, '_')}`);
    for (const key of ragbenchKeys) {
      await client.query(`DROP TABLE IF EXISTS ragbench_${key}`);
      await client.query('DELETE FROM ragbench_indexes WHERE name = $1', [key]);
    }
  } finally {
    await client.end();
  }
}

const workDir = mkdtempSync(join(tmpdir(), 'rb-bench-ingest-'));
const rate = (r) => r.chunks / r.seconds;
/** Per chunker: the chunks and the median seconds over passes; "all" then adds those (so rate(total) is theirs). */
const medianPass = (passes) =>
  Object.fromEntries(Object.keys(passes[0]).map((name) => [name, { chunks: passes[0][name].chunks, seconds: median(passes.map((p) => p[name].seconds)) }]));
const total = (r) => Object.values(r).reduce((a, x) => ({ chunks: a.chunks + x.chunks, seconds: a.seconds + x.seconds }), { chunks: 0, seconds: 0 });
/** The server's version line and pgvector's, so a figure names what it was measured on. */
async function serverVersion(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT current_setting('server_version') AS server, (SELECT default_version FROM pg_available_extensions WHERE name = 'vector') AS vector");
    return `PostgreSQL ${rows[0].server}, pgvector ${rows[0].vector ?? 'not available'}`;
  } finally {
    await client.end();
  }
}
try {
  const serverEnv = (url) => createEnv({ BENCH_PG_URL: url });
  const serverStore = { mode: 'server', urlEnv: 'BENCH_PG_URL' };
  // PGlite behind pglite-socket is one session: one pooled connection (beside the lock's) and INSERT, because
  // COPY FROM STDIN loses pglite-socket's protocol state and kills the connection (what a user's pooler refusing
  // COPY gets too; the store falls back to INSERT there).
  const socketStore = { ...serverStore, maxConnections: 1, writeMethod: 'insert' };
  if (urlOnly && !serverUrl) throw new Error('--url-only needs --url postgres://… (or BENCH_PG_URL)');
  if (serverUrl) console.log(`--url server: ${await serverVersion(serverUrl)}; ${Object.keys(chunkerSettings).length} chunkers over ${documents.length} documents`);
  const columns = [];
  const endToEnd = [];
  if (!urlOnly) {
    endToEnd.push(await ragbenchIngest({ mode: 'embedded', memory: true }, createEnv({}), workDir));
    endToEnd.push(await withSocketServer((url) => ragbenchIngest(socketStore, serverEnv(url), workDir)));
    endToEnd.push(await withSocketServer((url) => langchainIngest(url)));
    columns.push('ragbench embedded', 'ragbench pg/socket', 'LangChain pg/socket');
  }
  if (serverUrl) {
    // Alternating sides, --runs times: each chunker's rate and the total are medians over the runs.
    const passes = { ragbench: [], LangChain: [] };
    for (let run = 0; run < runs; run++) {
      const onServer = await ragbenchIngest(serverStore, serverEnv(serverUrl), workDir);
      const lcOnServer = await langchainIngest(serverUrl);
      await dropBenchTables(serverUrl, Object.values(onServer).map((r) => r.key));
      passes.ragbench.push(onServer);
      passes.LangChain.push(lcOnServer);
      console.log(`end to end pass ${run + 1}/${runs}: ragbench ${rate(total(onServer)).toFixed(0)}, LangChain ${rate(total(lcOnServer)).toFixed(0)} chunks/s`);
    }
    endToEnd.push(medianPass(passes.ragbench), medianPass(passes.LangChain));
    columns.push('ragbench --url', 'LangChain --url');
  }
  console.log(`end to end (chunks/s): chunker, chunks, ${columns.join(', ')}`);
  for (const name of Object.keys(chunkerSettings)) {
    console.log(`${name.padEnd(15)} ${String(endToEnd[0][name].chunks).padStart(7)} ${endToEnd.map((r) => rate(r[name]).toFixed(0).padStart(20)).join(' ')}`);
  }
  const totals = endToEnd.map(total);
  console.log(`${'all'.padEnd(15)} ${String(totals[0].chunks).padStart(7)} ${totals.map((r) => rate(r).toFixed(0).padStart(20)).join(' ')}`);
  const urlRatio = serverUrl ? `--url ${(rate(totals.at(-2)) / rate(totals.at(-1))).toFixed(1)}x` : '';
  console.log(
    'end to end, ratio vs LangChain: ' +
      [urlOnly ? '' : `embedded ${(rate(totals[0]) / rate(totals[2])).toFixed(1)}x, pg over socket ${(rate(totals[1]) / rate(totals[2])).toFixed(1)}x`, urlRatio]
        .filter((part) => part !== '')
        .join(', '),
  );

  // Ids made unique across chunkers (two chunkers can cut the same span, and an upsert keeps one row per id), so
  // every side stores every one of the rows.
  const allChunks = Object.keys(chunkerSettings).flatMap((name) =>
    documents.flatMap((doc) => chunkerOf[name].chunk(doc).map((c) => ({ ...c, id: `${name}/${c.id}` }))),
  );
  const vectors = await createHashingEmbedder(hashingOptions).embed(allChunks.map((c) => c.text), 'document');
  checkCopyEncoders(allChunks, vectors);
  const targets = [...(urlOnly ? [] : [['socket', (fn) => withSocketServer(fn)]]), ...(serverUrl ? [['url', (fn) => fn(serverUrl)]] : [])];
  const timings = urlOnly ? {} : { 'ragbench embedded': [], 'COPY binary embedded': [] };
  for (let run = 0; run < runs; run++) {
    if (!urlOnly) {
      timings['ragbench embedded'].push(rate(await storeOnly(createEnv({}), { mode: 'embedded', memory: true }, allChunks, vectors, workDir)));
      timings['COPY binary embedded'].push(rate(await copyBinaryPglite(allChunks, vectors)));
    }
    for (const [where, using] of targets) {
      for (const [label, fn] of [
        ['ragbench', (url) => storeOnly(serverEnv(url), where === 'socket' ? socketStore : serverStore, allChunks, vectors, workDir)],
        ['LangChain', (url) => langchainStoreOnly(url, allChunks, vectors)],
        ...(where === 'socket' ? [] : [['COPY binary', (url) => copyBinary(url, allChunks, vectors)]]),
      ]) {
        const key = `${label} ${where}`;
        // A server that cannot take COPY FROM STDIN (pglite-socket given as --url) loses only that column.
        const measured = await using(fn).then(rate, (error) => (console.log(`${key} failed: ${error.message}`), Number.NaN));
        (timings[key] ??= []).push(measured);
      }
    }
  }
  const med = Object.fromEntries(Object.entries(timings).map(([key, values]) => [key, median(values)]));
  console.log(`store only, ${allChunks.length} pre-embedded chunks with text and metadata on every side, median of ${runs} runs (chunks/s):`);
  for (const [key, value] of Object.entries(med)) console.log(`  ${key.padEnd(22)} ${value.toFixed(0).padStart(8)}`);
  if (!urlOnly) {
    const lcSocket = med['LangChain socket'];
    console.log(
      `store only vs LangChain over the socket: ragbench embedded ${(med['ragbench embedded'] / lcSocket).toFixed(1)}x, ragbench pg/socket ${(med['ragbench socket'] / lcSocket).toFixed(1)}x; ` +
        `on PGlite in-process ragbench reaches ${((100 * med['ragbench embedded']) / med['COPY binary embedded']).toFixed(0)}% of binary COPY`,
    );
  }
  if (serverUrl) {
    const lc = med['LangChain url'];
    console.log(
      `store only on --url: ragbench ${(med['ragbench url'] / lc).toFixed(1)}x LangChain; binary COPY ${(med['COPY binary url'] / lc).toFixed(1)}x; ` +
        `ragbench at ${((100 * med['ragbench url']) / med['COPY binary url']).toFixed(0)}% of COPY (${(med['ragbench url'] / med['COPY binary url']).toFixed(2)} of it)`,
    );
    console.log(`end to end on --url: ragbench ${rate(totals.at(-2)).toFixed(0)} chunks/s, LangChain ${rate(totals.at(-1)).toFixed(0)} chunks/s, ${urlRatio}`);
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
