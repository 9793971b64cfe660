// Benchmark: an HNSW CREATE INDEX on a real Postgres + pgvector at the server's default maintenance_work_mem (64 MB)
// and at what ragbench's `maintenanceWorkMem: auto` gives the build session (src/stores/pgvector/build.ts), same
// table, same vectors (seeded, unit length, 384 dimensions), alternating, median of --runs. The README's figure
// for the build slowdown when the graph no longer fits comes from this script.
// Run after `npm run build`:  node bench/hnsw-build-memory.mjs --url "$DATABASE_URL" [--rows 100000] [--runs 1]
//   [--smoke]   (or BENCH_PG_URL / DATABASE_URL; the bench's table is dropped at the end).
// --smoke: 3,000 rows, one run (seconds; checks the bench runs, measures nothing). Without a server it says so and
// exits 0 (a user's clone has no DATABASE_URL).
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buildSettings, estimateBuildMb } from '../dist/stores/pgvector/build.js';
import { createRandom } from '../dist/stats/random.js';
import { argOrEnv, binaryCopyBuffer, median, smoke } from './pg-bench-util.mjs';

const url = argOrEnv('url', 'BENCH_PG_URL') ?? process.env.DATABASE_URL;
if (!url) {
  console.log('hnsw-build-memory: skipped (no server: pass --url postgres://… or set DATABASE_URL)');
  process.exit(0);
}
const rows = smoke ? 3000 : Number(argOrEnv('rows', 'BENCH_ROWS') ?? 100_000);
const runs = smoke ? 1 : Number(argOrEnv('runs', 'BENCH_RUNS') ?? 1);
const dimensions = 384;
const m = 16;
const efConstruction = 64;
const table = `bench_hnsw_mem_${process.pid}`;

/** Seeded (the project's mulberry32) → unit vectors, so every run builds over the same data. */
function vectors(count) {
  const random = createRandom(1);
  return Array.from({ length: count }, () => {
    const v = Float32Array.from({ length: dimensions }, () => random.next() * 2 - 1);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const { rows: version } = await client.query(
    "SELECT current_setting('server_version') AS server, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector, current_setting('maintenance_work_mem') AS mwm",
  );
  await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(`CREATE TABLE ${table} (id text PRIMARY KEY, doc_id text NOT NULL, embedding vector(${dimensions}) NOT NULL, text text, metadata jsonb)`);
  const data = vectors(rows).map((vector, i) => ({ id: `v${i}`, docId: `d${i}`, vector, text: '', metadata: {} }));
  await pipeline(Readable.from([binaryCopyBuffer(data)]), client.query(copyFrom(`COPY ${table} (id, doc_id, embedding, text, metadata) FROM STDIN (FORMAT binary)`)));
  const estimate = estimateBuildMb('hnsw', rows, dimensions, { m });
  const auto = buildSettings({ maintenanceWorkMem: 'auto', maxParallelMaintenanceWorkers: undefined }, estimate, 64).maintenance_work_mem ?? '64MB';
  const settings = [...new Set(['64MB', auto])];
  console.log(
    `PostgreSQL ${version[0].server}, pgvector ${version[0].vector}; ${rows} × ${dimensions} vectors, hnsw m=${m} ef_construction=${efConstruction}; ` +
      `ragbench's auto estimate ${estimate} MB → maintenance_work_mem ${auto}`,
  );
  const seconds = Object.fromEntries(settings.map((s) => [s, []]));
  const notices = Object.fromEntries(settings.map((s) => [s, new Set()]));
  let current = '';
  client.on('notice', (notice) => notices[current]?.add(notice.message.split('\n')[0]));
  for (let run = 0; run < runs; run++) {
    for (const setting of run % 2 === 0 ? settings : [...settings].reverse()) {
      current = setting;
      await client.query('BEGIN');
      await client.query(`SET LOCAL maintenance_work_mem = '${setting}'`);
      const started = performance.now();
      await client.query(`CREATE INDEX ${table}_hnsw ON ${table} USING hnsw (embedding vector_cosine_ops) WITH (m = ${m}, ef_construction = ${efConstruction})`);
      seconds[setting].push((performance.now() - started) / 1000);
      await client.query('ROLLBACK');
    }
  }
  console.log('\n| maintenance_work_mem | build s (median) | runs | server notice |');
  console.log('| --- | ---: | --- | --- |');
  for (const setting of settings) {
    console.log(`| ${setting} | ${median(seconds[setting]).toFixed(1)} | ${seconds[setting].map((s) => s.toFixed(1)).join(', ')} | ${[...notices[setting]].join('; ') || '—'} |`);
  }
  if (settings.length === 2) console.log(`\n64MB / ${auto}: ${(median(seconds['64MB']) / median(seconds[auto])).toFixed(1)}×`);
  else console.log('\nauto keeps the server setting at this size (the graph fits): nothing to compare');
} finally {
  await client.query('ROLLBACK').catch(() => {});
  await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
  await client.end();
}
