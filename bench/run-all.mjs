// Runs every benchmark in bench/ in turn (bin/dev bench [--smoke]). Numbers go into bench/RESULTS.md by hand, with
// the date, the machine and the command. `--smoke` (what .ci/run runs): each bench's own code path on small data, in
// seconds; a new bench/*.mjs is picked up without being listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const smoke = process.argv.includes('--smoke');
const helpers = new Set(['run-all.mjs', 'pg-bench-util.mjs']);
// Without --smoke these read what another command made (a run folder, a generated corpus); their headers say which.
const needsInput = new Set(['hnsw-probe.mjs', 'hybrid-pairs.mjs', 'shootout-pairs.mjs']);
const scripts = readdirSync(here).filter((name) => name.endsWith('.mjs') && !helpers.has(name)).sort();
const failed = [];
for (const script of scripts) {
  if (script === 'faithfulness.mjs' && !process.env.SALAD_DATASET_DIR) {
    console.log(`\n=== ${script}: skipped (set SALAD_DATASET_DIR to a SALAD folder; SALAD is never pulled)`);
    continue;
  }
  if (needsInput.has(script) && !smoke) {
    console.log(`\n=== ${script}: skipped (needs an input folder; see its header, or run with --smoke)`);
    continue;
  }
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
