// Runs every benchmark in turn (bin/dev bench). Numbers go into bench/RESULTS.md by hand, with the date and machine.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
for (const script of ['ingest-vs-langchain.mjs', 'vector-params.mjs', 'bm25-retrieve.mjs', 'recursive-vs-langchain.mjs', 'shootout.mjs', 'hostile-service.mjs']) {
  console.log(`\n=== ${script}`);
  const result = spawnSync(process.execPath, [`${here}${script}`], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
