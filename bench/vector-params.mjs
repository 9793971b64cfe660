// Benchmark: pgvector vectors as binary parameters (ragbench's encodeVector → vector_recv) vs as text (the
// `pgvector` package's toSql → '[…]' parsed by vector_in), on the same INSERT statements of 500 rows × 384 dims;
// and reading vectors back as text through the `pgvector` package's registered type parser.
// PGlite in-process and over pglite-socket (and --url postgres://… or BENCH_PG_URL when given).
// Run after `npm run build`:  node bench/vector-params.mjs [--rows 20000] [--runs 5] [--url …]
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import pgvector from 'pgvector/pg';
import { encodeVector } from '../dist/stores/pgvector/sql.js';
import { argOrEnv, median, withSocketServer, smoke } from './pg-bench-util.mjs';

const rows = smoke ? 1_000 : Number(argOrEnv('rows', 'BENCH_ROWS') ?? 20_000);
const runs = smoke ? 1 : Number(argOrEnv('runs', 'BENCH_RUNS') ?? 5);
const url = argOrEnv('url', 'BENCH_PG_URL');
const dimensions = 384;
const batch = 500;
const table = `bench_params_${Math.floor(Math.random() * 1e6).toString(36)}`;

let seed = 42;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
const vectors = Array.from({ length: rows }, () => Float32Array.from({ length: dimensions }, random));

const insertSql = (n, cast) =>
  `INSERT INTO ${table} (id, embedding) VALUES ${Array.from({ length: n }, (_, i) => `($${2 * i + 1}, $${2 * i + 2}${cast})`).join(', ')}`;

/** One way of sending: `encode(vector)` per row, `query(sql, params)` per batch. Returns vectors per second. */
async function timeInserts(query, encode, cast) {
  await query(`TRUNCATE ${table}`);
  const started = performance.now();
  for (let start = 0; start < rows; start += batch) {
    const part = vectors.slice(start, start + batch);
    const params = part.flatMap((v, i) => [`v${start + i}`, encode(v)]);
    await query(insertSql(part.length, cast), params);
  }
  return rows / ((performance.now() - started) / 1000);
}

async function measure(label, query, close, readBack) {
  await query('CREATE EXTENSION IF NOT EXISTS vector');
  await query(`CREATE TABLE ${table} (id text PRIMARY KEY, embedding vector(${dimensions}) NOT NULL)`);
  const binary = [];
  const text = [];
  try {
    for (let run = 0; run < runs; run++) {
      // Alternating, so load on the machine hits both alike.
      binary.push(await timeInserts(query, encodeVector, ''));
      text.push(await timeInserts(query, (v) => pgvector.toSql(Array.from(v)), '::vector'));
    }
    const read = readBack ? await readBack() : undefined;
    const b = median(binary);
    const t = median(text);
    console.log(
      `${label.padEnd(16)} binary ${b.toFixed(0).padStart(7)} vectors/s, text ${t.toFixed(0).padStart(7)} vectors/s: binary ${(b / t).toFixed(1)}x` +
        (read ? `; read back as text via pgvector.registerTypes: ${read.toFixed(0)} vectors/s` : ''),
    );
  } finally {
    await query(`DROP TABLE IF EXISTS ${table}`);
    await close();
  }
}

async function overPg(label, connectionString) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  await pgvector.registerTypes(client);
  const query = (sql, params) => client.query(sql, params);
  const readBack = async () => {
    const started = performance.now();
    const { rows: got } = await client.query(`SELECT embedding FROM ${table}`);
    if (got.length !== rows || got[0].embedding.length !== dimensions) throw new Error('read back the wrong vectors');
    return rows / ((performance.now() - started) / 1000);
  };
  await measure(label, query, () => client.end(), readBack);
}

const db = await PGlite.create({ extensions: { vector } });
await db.query('CREATE EXTENSION IF NOT EXISTS vector');
const oid = (await db.query("SELECT 'vector'::regtype::oid AS oid")).rows[0].oid;
// PGlite sends a Uint8Array parameter as binary once the type has a pass-through serializer (as the store does).
const options = { serializers: { [oid]: (value) => value } };
await measure('PGlite in-process', (sql, params) => db.query(sql, params, options), () => db.close());
await withSocketServer((socketUrl) => overPg('pg over socket', socketUrl));
if (url) await overPg('pg --url', url);
console.log(`${rows} vectors × ${dimensions} dims in INSERTs of ${batch} rows, median of ${runs} alternating runs`);
