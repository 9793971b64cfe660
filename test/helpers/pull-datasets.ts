import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsHome, defaultMirror } from '../../src/datasets/location.js';
import { pullDataset } from '../../src/datasets/store.js';
import { chromiumMissingReason, findChromium } from './chromium.js';
import { pullCommand, repoRoot, saladMissingReason, testDatasets, datasetAvailable } from './datasets.js';

/**
 * Vitest global setup: pulls the datasets the tests read (download, checksum, convert) unless already present.
 * From RAGBENCH_DATASETS_MIRROR when set (CI, air-gapped machines), else from the project's own mirror when it sits
 * beside the repository (../shared/datasets, laid out as <mirror>/<name>/raw/<file>), else from the internet.
 * A failed pull does not stop the run: it is reported ONCE here with the command that pulls what is missing, and
 * the tests that read a missing dataset are skipped (helpers/datasets.ts `lacks`). The other optional inputs
 * (Chromium, SALAD, DATABASE_URL) are reported here too, so a skipped test's reason is at the top of the output.
 */
export default async function setup(): Promise<void> {
  const besideRepo = join(repoRoot, '..', 'shared', 'datasets');
  const mirror = defaultMirror() ?? (existsSync(besideRepo) ? besideRepo : undefined);
  const failed: { name: string; reason: string }[] = [];
  for (const name of testDatasets) {
    try {
      const result = await pullDataset(name, mirror ? { mirror } : {});
      if (result.status === 'pulled') console.info(`pulled ${name} into ${datasetsHome()}${mirror ? ` from ${mirror}` : ''}`);
    } catch (error) {
      failed.push({ name, reason: (error as Error).message.split('\n')[0]! });
    }
  }
  const skips: string[] = [];
  if (failed.length > 0) {
    skips.push(
      `datasets ${failed.map((f) => f.name).join(', ')} could not be pulled into ${datasetsHome()} (${failed[0]!.reason}); ` +
        `the tests that read them are skipped. Pull them with: ${pullCommand(failed.map((f) => f.name))} ` +
        `(offline: add --mirror DIR, a folder laid out as DIR/<name>/raw/<upstream file>)`,
    );
  }
  if (!findChromium()) skips.push(`browser tests skipped: ${chromiumMissingReason}`);
  if (!datasetAvailable('salad-lfqa-attribution')) skips.push(`SALAD tests skipped: ${saladMissingReason}`);
  if (!process.env.DATABASE_URL) {
    skips.push('real-PostgreSQL tests skipped: DATABASE_URL is not set (set it to a postgres:// URL of a server with pgvector; .ci/run starts one)');
  }
  for (const line of skips) console.warn(`ragbench tests: ${line}`);
}
