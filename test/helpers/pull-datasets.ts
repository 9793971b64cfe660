import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsHome, defaultMirror } from '../../src/datasets/location.js';
import { pullDataset } from '../../src/datasets/store.js';
import { repoRoot, testDatasets } from './datasets.js';

/**
 * Vitest global setup: pulls the datasets the tests read (download, checksum, convert) unless already present.
 * From RAGBENCH_DATASETS_MIRROR when set (CI, air-gapped machines), else from the project's own mirror when it sits
 * beside the repository (../shared/datasets, laid out as <mirror>/<name>/raw/<file>), else from the internet.
 * A failed pull does not stop the run: tests that need the dataset then fail naming the pull command, the others run.
 */
export default async function setup(): Promise<void> {
  const besideRepo = join(repoRoot, '..', 'shared', 'datasets');
  const mirror = defaultMirror() ?? (existsSync(besideRepo) ? besideRepo : undefined);
  for (const name of testDatasets) {
    try {
      const result = await pullDataset(name, mirror ? { mirror } : {});
      if (result.status === 'pulled') console.info(`pulled ${name} into ${datasetsHome()}${mirror ? ` from ${mirror}` : ''}`);
    } catch (error) {
      console.warn(`could not pull ${name} for the tests (${(error as Error).message}); tests that read it will fail`);
    }
  }
}
