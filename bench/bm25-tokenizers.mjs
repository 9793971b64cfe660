// Benchmark (quality, not speed): BM25's two tokenizers, `ascii` (the reference runs' `[a-z0-9]+`) and `unicode`
// (the default), on the English IR datasets: nDCG@10 over the judged queries (trec_eval's ndcg_cut.10), one chunk per
// document holding title + text as the reference runs index, and the paired difference with its 95% bootstrap
// interval over the queries. The README's tokenizer figures come from this script.
// Run after `npm run build`:  node bench/bm25-tokenizers.mjs [--smoke]
// --smoke: Cranfield's first 20 queries only (seconds; checks the bench runs, measures nothing).
import { chunkId } from '../dist/chunkers/chunker.js';
import { openBeirCorpus } from '../dist/corpus/beir.js';
import { ensureDataset } from '../dist/datasets/store.js';
import { ndcg } from '../dist/metrics/retrieval.js';
import { bm25, bm25Options } from '../dist/retrievers/bm25.js';
import { createEnv } from '../dist/shared/env.js';
import { meanOf, pairedBootstrapDiff } from '../dist/stats/bootstrap.js';
import { smoke } from './pg-bench-util.mjs';

const datasets = smoke ? ['cranfield'] : ['cranfield', 'cisi', 'pubmedqa-pqal'];
const k = 10;

async function scores(corpus, tokenizer, queries, judgments) {
  const retriever = await bm25.create(bm25Options.parse({ tokenizer }), { env: createEnv({}), workDir: '/tmp' });
  await retriever.open('tokenizers');
  const chunks = [];
  for await (const doc of corpus.documents()) {
    chunks.push({ id: chunkId(doc.id, 0, doc.text.length), docId: doc.id, start: 0, end: doc.text.length, text: `${doc.title ?? ''} ${doc.text}` });
  }
  await retriever.add(chunks);
  await retriever.finish();
  const values = [];
  for (const query of queries) {
    const hits = await retriever.retrieve(query, k);
    values.push(ndcg(hits.map((hit) => hit.docId), judgments.get(query.id), k));
  }
  await retriever.close();
  return values;
}

console.log(`| dataset | judged queries | nDCG@${k} ascii | nDCG@${k} unicode | Δ unicode − ascii [95% paired bootstrap] |`);
console.log('| --- | ---: | ---: | ---: | --- |');
for (const name of datasets) {
  // By name, as a user gets it: pulled into RAGBENCH_DATASETS (or the cache) on first use.
  const corpus = await openBeirCorpus(await ensureDataset(name), { name });
  const judgments = await corpus.judgments();
  const queries = (await corpus.queries()).filter((query) => judgments.has(query.id)).slice(0, smoke ? 20 : undefined);
  const ascii = await scores(corpus, 'ascii', queries, judgments);
  const unicode = await scores(corpus, 'unicode', queries, judgments);
  const diff = pairedBootstrapDiff(unicode, ascii, { seed: 1 });
  const f = (x) => x.toFixed(4);
  console.log(
    `| ${name} | ${queries.length} | ${f(meanOf(ascii))} | ${f(meanOf(unicode))} | ${diff.mean >= 0 ? '+' : ''}${f(diff.mean)} [${f(diff.lower)}, ${f(diff.upper)}] |`,
  );
}
