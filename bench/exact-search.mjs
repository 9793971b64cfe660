// Exact search over embedded pgvector: PGlite's sequential scan (query vector sent in binary) vs the in-process
// streamed scan (binary-COPY pages scored in process, one pass per call), one query at a time and batched
// (searchBatch, what `index: none` / `exact: true` runs use). Usage: node bench/exact-search.mjs [rows]
import { stores } from '../dist/stores/registry.js';
import { createEnv } from '../dist/shared/env.js';
import { positional, smoke } from './pg-bench-util.mjs';

const rows = smoke ? 2_000 : Number(positional[0] ?? 50_000);
const dimensions = 384;
const queryCount = smoke ? 10 : 200; // a run's worth: runs hand the store all their queries for one pass
let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
const vector = () => Float32Array.from({ length: dimensions }, random);
const context = { env: createEnv({}), workDir: '/tmp' };
const open = async (flatScanPageMb) => {
  const store = await stores.pgvector.create(stores.pgvector.options.parse({ memory: true, flatScanPageMb }), context);
  await store.open({ name: 'bench', dimensions, distance: 'cosine' });
  return store;
};
const [flat, sql] = [await open(32), await open(0)];
for (let start = 0; start < rows; start += 500) {
  const batch = [];
  for (let i = start; i < Math.min(rows, start + 500); i++) {
    const v = vector();
    batch.push({ id: `c${i}`, docId: `d${i}`, vector: v });
  }
  await flat.upsert(batch);
  await sql.upsert(batch);
}
const queries = Array.from({ length: queryCount }, vector);
const time = async (label, count, work) => {
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  console.log(`${label}: ${(ms / count).toFixed(1)} ms per query (${count} queries, ${(ms / 1000).toFixed(2)} s)`);
};
console.log(`${rows} vectors × ${dimensions} dimensions, cosine, k 10 (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
await time('in-process streamed scan, one query (a whole pass of binary COPY pages)', 1, () => flat.search(queries[0], 10));
// Interleaved rounds: other jobs share the machine, so each path is timed in turns rather than in one block.
const totals = { sql: 0, flat: 0, batched: 0 };
for (let round = 0; round < 3; round++) {
  for (const [name, store] of [['sql', sql], ['flat', flat]]) {
    const started = performance.now();
    for (const q of queries.slice(0, 10)) await store.search(q, 10);
    totals[name] += performance.now() - started;
  }
  const started = performance.now();
  await flat.searchBatch(queries, 10);
  totals.batched += performance.now() - started;
}
console.log(`pgvector sequential scan in PGlite (exact SQL): ${(totals.sql / 30).toFixed(1)} ms per query`);
console.log(`in-process streamed scan, one pass per query (float64 scores, top-k): ${(totals.flat / 30).toFixed(1)} ms per query`);
console.log(`in-process streamed scan, searchBatch of ${queryCount} queries in one pass (what runs do): ${(totals.batched / (3 * queryCount)).toFixed(1)} ms per query`);
await Promise.all([flat.close(), sql.close()]);
