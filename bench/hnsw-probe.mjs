import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { readFileSync } from 'node:fs';
import { embedders } from '../dist/embedders/registry.js';
import { chunkers } from '../dist/chunkers/registry.js';
import { encodeVector } from '../dist/stores/pgvector/sql.js';
// Why HNSW recall collapses on the synthetic corpus (README, "ANN recall"): builds a pgvector HNSW index (m 16,
// ef_construction 64) in PGlite over hashing-384 vectors of the first N documents, then reports ANN recall@10 vs
// exact for ef_search 40/100/400 and how far the queries sit from the chunks. Modes: hashing (the corpus' known-item
// queries), random (random vectors, a control), doc-queries (chunks as queries). `all` also tries iterative_scan off.
//   node bench/scale.mjs --generate-only --docs 10000 --out /tmp/corpus-10000
//   node bench/hnsw-probe.mjs /tmp/corpus-10000 3000 hashing
const dir = process.argv[2];
const N = Number(process.argv[3] ?? 3000);
const mode = process.argv[4] ?? 'hashing';
const docs = readFileSync(`${dir}/corpus.jsonl`, 'utf8').trim().split('\n').slice(0, N).map((l) => { const o = JSON.parse(l); return { id: o._id, text: o.text }; });
const chunker = chunkers.recursive.create(chunkers.recursive.options.parse({}), {});
const chunks = docs.flatMap((d) => chunker.chunk(d));
const emb = await embedders.hashing.create(embedders.hashing.options.parse({ dimensions: 384 }));
let vecs = await emb.embed(chunks.map((c) => c.text), 'document');
const qs = readFileSync(`${dir}/queries.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l).text);
let qv = (await emb.embed(qs, 'query')).slice(0, 50);
if (mode === 'doc-queries') qv = vecs.slice(0, 50).map((v, i) => vecs[(i * 97) % vecs.length]);
if (mode === 'random') { let s = 1; const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5; vecs = vecs.map(() => Float32Array.from({ length: 384 }, r)); qv = qv.map(() => Float32Array.from({ length: 384 }, r)); }
// mean pairwise cosine (sample)
let sum = 0; for (let i = 0; i < 200; i++) { const a = vecs[i], b = vecs[i + 200]; let d = 0; for (let j = 0; j < 384; j++) d += a[j] * b[j]; sum += d; }
console.log(mode, 'chunks', chunks.length, 'mean cosine of random pairs', (sum / 200).toFixed(3));
const db = await PGlite.create({ extensions: { vector } });
await db.query('CREATE EXTENSION vector');
const [{ oid }] = (await db.query("SELECT 'vector'::regtype::oid AS oid")).rows;
const opts = { serializers: { [oid]: (v) => v } };
await db.query('CREATE TABLE t (id int primary key, embedding vector(384))');
for (let i = 0; i < vecs.length; i += 500) {
  const part = vecs.slice(i, i + 500);
  await db.query(`INSERT INTO t VALUES ${part.map((_, j) => `($${2 * j + 1}, $${2 * j + 2})`).join(',')}`, part.flatMap((v, j) => [i + j, encodeVector(v)]), opts);
}
const exact = [];
const top1 = async (v) => (await db.query('SELECT 1 - cosine_distance(embedding, $1) AS s FROM t ORDER BY cosine_distance(embedding, $1) LIMIT 11', [encodeVector(v)], opts)).rows.map((r) => r.s);
let qs1 = 0, qs10 = 0, ds1 = 0;
for (const q of qv.slice(0, 20)) { const s = await top1(q); qs1 += s[0]; qs10 += s[9]; }
for (const d of vecs.slice(0, 20)) { const s = await top1(d); ds1 += s[1]; }
console.log('query→chunk similarity: top-1', (qs1 / 20).toFixed(3), 'top-10', (qs10 / 20).toFixed(3), '| chunk→nearest other chunk', (ds1 / 20).toFixed(3));
for (const q of qv) exact.push(new Set((await db.query('SELECT id FROM t ORDER BY cosine_distance(embedding, $1) LIMIT 10', [encodeVector(q)], opts)).rows.map((r) => r.id)));
let t = performance.now();
await db.query('CREATE INDEX ON t USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)');
console.log('build s', ((performance.now() - t) / 1000).toFixed(1), 'version', (await db.query("SELECT extversion FROM pg_extension WHERE extname='vector'")).rows[0].extversion);
for (const iter of process.argv[5] === 'all' ? ['off', 'strict_order'] : ['strict_order']) for (const ef of [40, 100, 400]) for (const sql of ['SELECT id, embedding <=> $1 AS d FROM t ORDER BY d LIMIT 14']) {
  await db.query(`SET hnsw.ef_search = ${ef}`); await db.query(`SET hnsw.iterative_scan = ${iter}`);
  let found = 0;
  for (const [i, q] of qv.entries()) { const rows = (await db.query(sql, [encodeVector(q)], opts)).rows.slice(0, 10); found += rows.filter((r) => exact[i].has(r.id)).length; }
  console.log(`iterative ${iter} ef ${ef} ${sql.includes(', id') ? 'ORDER BY d, id' : 'ORDER BY d   '} recall@10 ${(found / (10 * qv.length)).toFixed(3)}`);
}
