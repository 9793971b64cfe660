// The README's reading of the chunking shootout, counted from a run's own paired comparisons (summary.json
// `pairwise`: every arm pair × metric, Holm over the run): significant differences across and within retrievers,
// significant pairs whose per-arm intervals overlap, the detectable differences at ten chunks, and the pairs at the
// token budget.
//   npm run build && node dist/cli/main.js run evals/chunking-shootout.yaml --out /tmp/shootout && node bench/shootout-pairs.mjs /tmp/shootout
//   node bench/shootout-pairs.mjs --smoke   (runs evals/quickstart.yaml in a temporary folder first)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const smoke = process.argv.includes('--smoke');
let runDir = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
let scratch;
if (smoke) {
  scratch = mkdtempSync(join(tmpdir(), 'rb-shootout-pairs-'));
  runDir = join(scratch, 'run');
  const cli = [join(root, 'dist', 'cli', 'main.js'), 'run', join(root, 'evals', 'quickstart.yaml'), '--work-dir', join(scratch, 'work'), '--out', runDir];
  const run = spawnSync(process.execPath, cli, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: 'true' } });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
if (!runDir) {
  console.error('usage: node bench/shootout-pairs.mjs <run folder> | --smoke');
  process.exit(2);
}
const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
if (!summary.pairwise) {
  console.error(`${runDir}/summary.json has no pairwise section (a one-arm run, or written before ragbench 0.2)`);
  process.exit(2);
}
const { entries, family } = summary.pairwise;
const alpha = family.alpha;
const significant = (e) => e.pAdjusted < alpha;
const retriever = (arm) => arm.split(' × ')[1];
const chunker = (arm) => arm.split(' × ')[0];
const arms = new Map(summary.arms.map((arm) => [arm.arm, arm]));
const overlaps = (e) => {
  const [a, b] = [arms.get(e.a).metrics[e.metric], arms.get(e.b).metrics[e.metric]];
  return a.lower <= b.upper && b.lower <= a.upper;
};
const count = (list) => `${list.filter(significant).length} of ${list.length}`;
const cross = entries.filter((e) => retriever(e.a) !== retriever(e.b));
const sameChunker = cross.filter((e) => chunker(e.a) === chunker(e.b));
const within = entries.filter((e) => retriever(e.a) === retriever(e.b));
const budget = (metric) => metric.includes('@tokens=');
const atK = within.filter((e) => !budget(e.metric));
const range = (values) => `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)}`;

console.log(`${runDir}: ${summary.arms.length} arms, ${summary.arms[0].queries} queries, ${family.size} tests, ${family.correction} α ${alpha}, up to ${family.permutations} sign flips`);
console.log(`significant overall: ${count(entries)}`);
console.log(`significant with overlapping per-arm intervals: ${entries.filter((e) => significant(e) && overlaps(e)).length}`);
console.log(`across retrievers: ${count(cross)} (same chunker: ${count(sameChunker)})`);
console.log(`within a retriever, rank cut-off metrics: ${count(atK)}; largest |Δ| ${atK.length ? Math.max(...atK.map((e) => Math.abs(e.delta))).toFixed(3) : '–'}; ` +
  `minimum detectable Δ ${atK.length ? range(atK.map((e) => e.minDetectableDelta)) : '–'}`);
for (const e of within.filter((x) => budget(x.metric))) {
  const ci = `[${e.ci.lower >= 0 ? '+' : ''}${e.ci.lower.toFixed(3)}, ${e.ci.upper >= 0 ? '+' : ''}${e.ci.upper.toFixed(3)}]`;
  console.log(`  ${e.metric} ${e.a} − ${e.b}: ${e.delta >= 0 ? '+' : ''}${e.delta.toFixed(3)} ${ci} ${significant(e) ? 'significant' : `tied (about ${e.queriesNeeded ?? '∞'} queries would decide)`}`);
}
if (scratch) rmSync(scratch, { recursive: true, force: true });
