// Benchmark: BM25 retrieval speed on Cranfield (1,400 documents as title + text, 225 queries, top 110), the timing
// that used to be an assertion in test/reference/bm25.test.ts (tests hold no timings; this bench does).
// Run after `npm run build`:  node bench/bm25-retrieve.mjs [--runs 5]
import { chunkId } from '../dist/chunkers/chunker.js';
import { openBeirCorpus } from '../dist/corpus/beir.js';
import { ensureDataset } from '../dist/datasets/store.js';
import { bm25, bm25Options } from '../dist/retrievers/bm25.js';
import { createEnv } from '../dist/shared/env.js';
import { argOrEnv, median, smoke } from './pg-bench-util.mjs';

const runs = smoke ? 1 : Number(argOrEnv('runs', 'BENCH_RUNS') ?? 5);
// By name, as a user gets it: pulled into RAGBENCH_DATASETS (or the cache) on first use.
const corpus = await openBeirCorpus(await ensureDataset('cranfield'), { name: 'cranfield' });
const chunks = [];
for await (const doc of corpus.documents()) {
  chunks.push({ id: chunkId(doc.id, 0, doc.text.length), docId: doc.id, start: 0, end: doc.text.length, text: `${doc.title ?? ''} ${doc.text}` });
}
const queries = (await corpus.queries()).slice(0, smoke ? 10 : undefined);
const indexMs = [];
const retrieveMs = [];
for (let run = 0; run < runs; run++) {
  const retriever = await bm25.create(bm25Options.parse({}), { env: createEnv({}), workDir: '/tmp' });
  let started = performance.now();
  await retriever.open('bench');
  await retriever.add(chunks);
  await retriever.finish();
  indexMs.push(performance.now() - started);
  started = performance.now();
  for (const query of queries) await retriever.retrieve(query, 110);
  retrieveMs.push(performance.now() - started);
  await retriever.close();
}
console.log(
  `bm25 on cranfield: index ${chunks.length} documents in ${median(indexMs).toFixed(0)} ms, ` +
    `retrieve ${queries.length} queries (top 110) in ${median(retrieveMs).toFixed(0)} ms ` +
    `(${((median(retrieveMs) * 1000) / queries.length).toFixed(0)} µs/query), median of ${runs}`,
);
