// Benchmark 3: `ragbench run evals/chunking-shootout.yaml` on Cranfield, offline, cold and warm cache.
// Reports wall time and peak RSS of the CLI process. Run after `npm run build`:  node bench/shootout.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// --smoke: the quick start's eval (corpora/sample) through the same cold/warm measurement.
const smoke = process.argv.includes('--smoke');
const evalFile = smoke ? 'evals/quickstart.yaml' : (process.argv.slice(2).find((arg) => arg !== '--smoke') ?? 'evals/chunking-shootout.yaml');

/** Runs the built CLI in a child that records its own peak RSS (process.resourceUsage) on exit. */
function runOnce(workDir) {
  const rssFile = join(workDir, 'rss.txt');
  const script =
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));` +
    `process.argv.splice(1, 0, 'ragbench'); import(${JSON.stringify(join(root, 'dist/cli/main.js'))});`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, 'run', evalFile, '--work-dir', workDir, '--json'], {
      cwd: root,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ragbench exited ${code}`));
      const seconds = (performance.now() - started) / 1000;
      const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
      resolve({ seconds, rssMiB, summary: JSON.parse(stdout) });
    });
  });
}

const workDir = mkdtempSync(join(tmpdir(), 'rb-bench-shootout-'));
try {
  const cold = await runOnce(workDir);
  const warm = await runOnce(workDir);
  const arms = cold.summary.arms.length;
  const chunks = cold.summary.arms.reduce((n, arm) => n + arm.chunks, 0);
  console.log(`eval: ${evalFile} (${arms} arms, ${chunks} chunks in all, ${cold.summary.corpus.documents} docs, ${cold.summary.arms[0].queries} queries)`);
  console.log(`cold: ${cold.seconds.toFixed(1)} s wall, peak RSS ${cold.rssMiB.toFixed(0)} MiB`);
  console.log(`warm: ${warm.seconds.toFixed(1)} s wall, peak RSS ${warm.rssMiB.toFixed(0)} MiB (indexes reused: ${warm.summary.arms.filter((a) => a.ingest.mode === 'reused').length}/${arms})`);
  for (const arm of cold.summary.arms) {
    console.log(`  ${arm.arm.padEnd(32)} chunks ${String(arm.chunks).padStart(6)}  ingest ${arm.ingest.seconds.toFixed(1)} s  ndcg@10 ${arm.metrics['ndcg@10']?.mean.toFixed(4)}`);
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
