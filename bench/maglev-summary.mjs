// The attempted reproduction behind removing the CLI's `--no-maglev` (src/cli/main.ts): runs the quick start
// (`ragbench run evals/quickstart.yaml`, offline, 3 arms) --runs times as shipped (Maglev on) and --runs times with
// `node --no-maglev`, alternating, and counts the runs whose summary failed run-eval's cross-check against the
// per-query results ("internal check failed: … summary mean … ≠ mean of its per-query results"), which is how the
// miscompile showed (one arm given the estimate of its last metric for every metric).
// Run after `npm run build`:  node bench/maglev-summary.mjs [--runs 40] [--smoke]
// --smoke: one run each way (seconds; checks the bench runs, measures nothing).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argOrEnv, smoke } from './pg-bench-util.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = smoke ? 1 : Number(argOrEnv('runs', 'BENCH_RUNS') ?? 40);
const counts = { 'maglev on (default)': { runs: 0, wrong: 0, other: 0 }, 'node --no-maglev': { runs: 0, wrong: 0, other: 0 } };
for (let i = 0; i < runs; i++) {
  for (const [mode, flags] of Object.entries({ 'maglev on (default)': [], 'node --no-maglev': ['--no-maglev'] })) {
    const workDir = mkdtempSync(join(tmpdir(), 'rb-maglev-'));
    const result = spawnSync(process.execPath, [...flags, join(root, 'dist/cli/main.js'), 'run', 'evals/quickstart.yaml', '--work-dir', workDir], {
      cwd: root,
      env: { ...process.env, CI: 'true' },
      encoding: 'utf8',
    });
    rmSync(workDir, { recursive: true, force: true });
    const count = counts[mode];
    count.runs++;
    if (/internal check failed: .* summary mean/.test(result.stderr)) count.wrong++;
    else if (result.status !== 0) {
      count.other++;
      console.error(`${mode}: exit ${result.status}: ${result.stderr.trim().split('\n')[0]}`);
    }
  }
}
console.log(`Node ${process.versions.node} (V8 ${process.versions.v8}), quick start × ${runs} each way`);
console.log('| mode | runs | summary ≠ per-query results | other failures |');
console.log('| --- | ---: | ---: | ---: |');
for (const [mode, c] of Object.entries(counts)) console.log(`| ${mode} | ${c.runs} | ${c.wrong} | ${c.other} |`);
if (Object.values(counts).some((c) => c.other > 0)) process.exit(1);
