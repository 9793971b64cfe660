// Scale benchmark (issue 14): a synthetic BEIR-layout corpus (Zipf vocabulary, 80–250 words per document, 200
// known-item queries) at several sizes, each retrieval setup run on its own through the CLI under /usr/bin/time:
// wall time, peak RSS, ingest rows/s, queries/s, metrics, and the HNSW arm's ANN recall. Optionally `score` vs
// trec_eval on a large synthetic run (`TREC_EVAL=/path/to/trec_eval`). Results go to bench/RESULTS.md by hand.
//
//   node bench/scale.mjs [--docs 10000,100000] [--retrievers local,local-hnsw,bm25] [--score-queries 50000]
//   node bench/scale.mjs --generate-only --docs 1000 --out /tmp/corpus   (just write the corpus)
//
// Benchmarks, not tests: on a shared 2-core machine timings move ±30% between runs.
import { spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((arg, i, all) => (arg.startsWith('--') ? [[arg.slice(2), all[i + 1]?.startsWith('--') ? 'true' : (all[i + 1] ?? 'true')]] : [])),
);
const root = resolve(new URL('..', import.meta.url).pathname);
const cli = join(root, 'dist', 'cli', 'main.js');
// --smoke: 300 documents, the exact and BM25 arms, a 200-query score run, in a fresh folder (the same code paths).
if (args.smoke) Object.assign(args, { docs: '300', retrievers: 'local,bm25', 'score-queries': '200', work: args.work ?? mkdtempSync(join(tmpdir(), 'ragbench-scale-smoke-')) });
const sizes = (args.docs ?? '10000').split(',').map(Number).filter((n) => n > 0); // --docs 0: score benchmark only
const retrieverNames = (args.retrievers ?? 'local,local-hnsw,bm25').split(',');
const work = resolve(args.work ?? join(tmpdir(), 'ragbench-scale'));

/** mulberry32, as src/stats/random.ts: the same corpus for the same seed on every machine. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes corpus.jsonl, queries.jsonl and qrels/test.tsv for `documents` documents into `dir`. */
export async function generate(dir, documents, { vocabulary = 50_000, queries = 200, seed = 14 } = {}) {
  const next = random(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const words = Array.from({ length: vocabulary }, (_, i) => {
    const length = 3 + Math.floor(next() * 7);
    let word = '';
    for (let j = 0; j < length; j++) word += letters[Math.floor(next() * 26)];
    return `${word}${i % 10}`; // a digit keeps the words distinct without changing their shape
  });
  // Zipf (s = 1): P(rank r) ∝ 1/r, sampled through the cumulative distribution.
  const cdf = new Float64Array(vocabulary);
  let total = 0;
  for (let r = 0; r < vocabulary; r++) cdf[r] = total += 1 / (r + 1);
  const word = () => {
    const u = next() * total;
    let low = 0;
    let high = vocabulary - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cdf[middle] < u) low = middle + 1;
      else high = middle;
    }
    return words[low];
  };
  mkdirSync(join(dir, 'qrels'), { recursive: true });
  const picked = new Map();
  while (picked.size < Math.min(queries, documents)) {
    const d = Math.floor(next() * documents);
    if (!picked.has(d)) picked.set(d, picked.size);
  }
  const rank = new Map(words.map((w, r) => [w, r]));
  const out = createWriteStream(join(dir, 'corpus.jsonl'));
  const queryLines = [];
  for (let d = 0; d < documents; d++) {
    const length = 80 + Math.floor(next() * 171);
    const tokens = Array.from({ length }, word);
    const text = tokens.map((t, i) => (i % 15 === 14 ? `${t}.` : t)).join(' ');
    if (!out.write(`${JSON.stringify({ _id: `d${d}`, title: '', text })}\n`)) await once(out, 'drain');
    const q = picked.get(d);
    if (q !== undefined) {
      // A known-item query: six of the document's words, its rarer ones first (what a user remembers).
      const rare = [...new Set(tokens)].sort((a, b) => rank.get(b) - rank.get(a)).slice(0, 6);
      queryLines.push({ id: `q${q}`, text: rare.join(' '), doc: `d${d}` });
    }
  }
  out.end();
  await once(out, 'finish');
  queryLines.sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
  writeFileSync(join(dir, 'queries.jsonl'), queryLines.map((q) => JSON.stringify({ _id: q.id, text: q.text })).join('\n') + '\n');
  writeFileSync(join(dir, 'qrels', 'test.tsv'), ['query-id\tcorpus-id\tscore', ...queryLines.map((q) => `${q.id}\t${q.doc}\t1`)].join('\n') + '\n');
}

/** One `ragbench run` of one retriever under /usr/bin/time: wall seconds and peak RSS (MB), plus its summary. */
function runArm(corpusDir, retriever, label) {
  const evalFile = join(work, `${label}.yaml`);
  const runDir = join(work, 'runs', label);
  rmSync(runDir, { recursive: true, force: true });
  writeFileSync(
    evalFile,
    [
      `name: scale-${label}`,
      `corpus: { path: ${corpusDir}, layout: beir, qrels: test }`,
      `chunkers: [${join(root, 'chunkers', 'recursive-800.yaml')}]`,
      `retrievers: [${join(root, 'retrievers', `${retriever}.yaml`)}]`,
      'metrics: [recall@10, mrr@10]',
      '',
    ].join('\n'),
  );
  const workDir = join(work, 'work', label);
  rmSync(workDir, { recursive: true, force: true }); // a fresh index every time: ingest is part of the cost
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, cli, 'run', evalFile, '--work-dir', workDir, '--out', runDir], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const timing = /TIME ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !timing) throw new Error(`${label} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  return { wall: Number(timing[1]), rssMb: Number(timing[2]) / 1024, arm: summary.arms[0] };
}

async function main() {
  mkdirSync(work, { recursive: true });
  if (args['generate-only']) {
    await generate(resolve(args.out ?? join(work, `corpus-${sizes[0]}`)), sizes[0]);
    return;
  }
  console.log('| documents | chunks | retriever | wall s | peak RSS MB | ingest rows/s | queries/s | recall@10 | ANN recall@10 |');
  console.log('| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const documents of sizes) {
    const corpusDir = join(work, `corpus-${documents}`);
    if (!existsSync(join(corpusDir, 'qrels', 'test.tsv'))) await generate(corpusDir, documents);
    for (const retriever of retrieverNames) {
      const { wall, rssMb, arm } = runArm(corpusDir, retriever, `${documents}-${retriever}`);
      const ann = arm.annRecall ? (arm.annRecall.recall === null ? 'n/m' : `${arm.annRecall.recall.toFixed(3)} [${arm.annRecall.lower.toFixed(3)}, ${arm.annRecall.upper.toFixed(3)}] ${arm.annRecall.verdict}`) : '–';
      console.log(
        `| ${documents.toLocaleString('en')} | ${arm.chunks.toLocaleString('en')} | ${retriever} | ${wall.toFixed(0)} | ${rssMb.toFixed(0)} | ` +
          `${Math.round(arm.chunks / arm.ingest.seconds).toLocaleString('en')} | ${(arm.queries / arm.retrieveSeconds).toFixed(1)} | ` +
          `${arm.metrics['recall@10'].mean.toFixed(3)} | ${ann} |`,
      );
    }
  }
  if (args['score-queries']) scoreBench(Number(args['score-queries']));
}

/** `ragbench score` on a synthetic run (n queries × 100 documents, 5 judgments each), and trec_eval when given. */
function scoreBench(queries) {
  const next = random(7);
  const dir = join(work, `score-${queries}`);
  mkdirSync(dir, { recursive: true });
  const runFile = join(dir, 'run.trec');
  const qrelsFile = join(dir, 'qrels.txt');
  if (!existsSync(runFile)) {
    const run = openSync(runFile, 'w');
    const qrels = [];
    for (let q = 0; q < queries; q++) {
      const lines = [];
      const docs = Array.from({ length: 100 }, (_, r) => `d${Math.floor(next() * 1e6)}_${r}`);
      for (let r = 0; r < 100; r++) lines.push(`q${q} Q0 ${docs[r]} ${r + 1} ${(100 - r + next()).toFixed(4)} synth`);
      writeSync(run, lines.join('\n') + '\n');
      // Five judgments per query: four retrieved documents (at random ranks) and one the run missed.
      for (let j = 0; j < 4; j++) qrels.push(`q${q} 0 ${docs[j * 25 + Math.floor(next() * 25)]} ${1 + Math.floor(next() * 3)}`);
      qrels.push(`q${q} 0 missed${q} 1`);
    }
    closeSync(run);
    writeFileSync(qrelsFile, qrels.join('\n') + '\n');
  }
  const time = (command, commandArgs) => {
    const result = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', command, ...commandArgs], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const timing = /TIME ([\d.]+) (\d+)/.exec(result.stderr);
    if (result.status !== 0 || !timing) throw new Error(`${command} failed: ${result.stderr.slice(-1000)}`);
    return { seconds: Number(timing[1]), rssMb: Number(timing[2]) / 1024, stdout: result.stdout };
  };
  const ours = time(process.execPath, [cli, 'score', '--qrels', qrelsFile, '--run', runFile, '--metrics', 'map@1000,ndcg@10,recall@100']);
  console.log(`\nscore: ${queries} queries × 100 documents: ragbench ${ours.seconds.toFixed(1)} s, ${ours.rssMb.toFixed(0)} MB`);
  console.log(ours.stdout.trim());
  if (process.env.TREC_EVAL) {
    const theirs = time(process.env.TREC_EVAL, ['-m', 'map', '-m', 'ndcg_cut.10', '-m', 'recall.100', qrelsFile, runFile]);
    console.log(`trec_eval ${theirs.seconds.toFixed(1)} s, ${theirs.rssMb.toFixed(0)} MB; ratio ${(theirs.seconds / ours.seconds).toFixed(2)}×`);
    console.log(theirs.stdout.trim());
  } else {
    console.log('trec_eval: not measured (set TREC_EVAL=/path/to/trec_eval)');
  }
}

await main();
