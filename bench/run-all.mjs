// Runs every benchmark in turn (bin/dev bench [--smoke]). Numbers go into bench/RESULTS.md by hand, with the date,
// the machine and the command. `--smoke` (what .ci/run runs): each bench's own code path on small data, in seconds.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const smoke = process.argv.includes('--smoke');
// Every bench in bench/ (pg-bench-util.mjs is their helper). faithfulness.mjs needs SALAD_DATASET_DIR (never pulled).
const scripts = [
  'ingest-vs-langchain.mjs',
  'vector-params.mjs',
  'bm25-retrieve.mjs',
  'recursive-vs-langchain.mjs',
  'shootout.mjs',
  'exact-search.mjs',
  'parity.mjs',
  'scale.mjs',
  'hnsw-probe.mjs',
  'faithfulness.mjs',
];
const failed = [];
for (const script of scripts) {
  if (script === 'faithfulness.mjs' && !process.env.SALAD_DATASET_DIR) {
    console.log(`\n=== ${script}: skipped (set SALAD_DATASET_DIR to a SALAD folder; SALAD is never pulled)`);
    continue;
  }
  // hnsw-probe needs a corpus folder when not smoking: bench/scale.mjs --generate-only makes one (see its header).
  if (script === 'hnsw-probe.mjs' && !smoke) continue;
  console.log(`\n=== ${script}${smoke ? ' --smoke' : ''}`);
  const started = performance.now();
  const result = spawnSync(process.execPath, [`${here}${script}`, ...(smoke ? ['--smoke'] : [])], { stdio: 'inherit' });
  console.log(`=== ${script}: exit ${result.status} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (result.status !== 0) failed.push(script);
}
if (failed.length > 0) {
  console.error(`bench/run-all.mjs: failed: ${failed.join(', ')}`);
  process.exit(1);
}
