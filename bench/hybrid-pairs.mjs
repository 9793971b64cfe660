// Paired comparisons between the arms of one run as a Markdown table (README "Hybrid retrieval and reranking"): for
// every pair of arms and every metric, the mean difference with its 95% paired-bootstrap interval and a two-sided
// paired randomization p, Holm-adjusted over all pairs × metrics. Runs now carry the same family in summary.json
// `pairwise` (and report.md); this script recomputes it independently, as a check on that code.
//   npm run build && node dist/cli/main.js run evals/hybrid.yaml --out /tmp/hybrid-run && node bench/hybrid-pairs.mjs /tmp/hybrid-run
//   node bench/hybrid-pairs.mjs --smoke   (runs evals/hybrid.yaml on corpora/sample first, in a temporary folder)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairedBootstrapDiff } from '../dist/stats/bootstrap.js';
import { holmAdjust, pairedRandomizationTest } from '../dist/stats/paired-tests.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const smoke = process.argv.includes('--smoke');
let runDir = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
let scratch;
if (smoke) {
  scratch = mkdtempSync(join(tmpdir(), 'rb-hybrid-pairs-'));
  const evalFile = join(scratch, 'hybrid-sample.yaml');
  // The same eval on the committed sample; names resolve next to the eval's folder, so they point at the repository.
  const text = readFileSync(join(root, 'evals', 'hybrid.yaml'), 'utf8')
    .replace(/^corpus: cranfield$/m, `corpus: ${join(root, 'corpora', 'sample.yaml')}`)
    .replace('chunkers: [fixed-512]', `chunkers: [${join(root, 'chunkers', 'fixed-512.yaml')}]`)
    .replace(/^  - (bm25|local|hybrid)$/gm, (_, name) => `  - ${join(root, 'retrievers', `${name}.yaml`)}`)
    .replaceAll('retrievers: [bm25, local]', `retrievers: [${join(root, 'retrievers', 'bm25.yaml')}, ${join(root, 'retrievers', 'local.yaml')}]`);
  writeFileSync(evalFile, text);
  runDir = join(scratch, 'run');
  const run = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'run', evalFile, '--work-dir', join(scratch, 'work'), '--out', runDir], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: 'true' } });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
if (!runDir) {
  console.error('usage: node bench/hybrid-pairs.mjs <run folder> | --smoke');
  process.exit(2);
}
const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
const rows = readFileSync(join(runDir, 'results.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const arms = summary.arms.map((arm) => arm.arm);
const valuesOf = (arm, metric) => {
  const byQuery = new Map(rows.filter((row) => row.arm === arm).map((row) => [row.queryId, row.metrics[metric]]));
  return [...byQuery.keys()].sort().map((id) => byQuery.get(id));
};
const tests = [];
for (const metric of summary.metrics) {
  for (let i = 0; i < arms.length; i++) {
    for (let j = i + 1; j < arms.length; j++) {
      const a = valuesOf(arms[j], metric);
      const b = valuesOf(arms[i], metric);
      const ci = pairedBootstrapDiff(a, b, { resamples: 2000, confidence: 0.95, seed: 42 });
      const test = pairedRandomizationTest(a, b, { permutations: 10000, seed: 42 });
      tests.push({ metric, candidate: arms[j], baseline: arms[i], ci, p: test.pValue });
    }
  }
}
const adjusted = holmAdjust(tests.map((t) => t.p));
const short = (arm) => arm.split(' × ')[1];
console.log(`Paired comparisons, ${runDir} (${summary.arms[0].queries} queries; Holm over ${tests.length} tests, α 0.05)\n`);
console.log('| metric | candidate − baseline | difference [95% CI] | Holm p | verdict |');
console.log('| --- | --- | ---: | ---: | --- |');
tests.forEach((t, k) => {
  const verdict = adjusted[k] < 0.05 ? (t.ci.mean > 0 ? 'better' : 'worse') : 'inconclusive';
  const f = (x) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(3);
  console.log(`| ${t.metric} | ${short(t.candidate)} − ${short(t.baseline)} | ${f(t.ci.mean)} [${f(t.ci.lower)}, ${f(t.ci.upper)}] | ${adjusted[k] < 0.0001 ? '< 0.0001' : adjusted[k].toFixed(4)} | ${verdict} |`);
});
if (scratch) rmSync(scratch, { recursive: true, force: true });
