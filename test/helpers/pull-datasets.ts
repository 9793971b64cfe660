import { datasetsHome, defaultMirror } from '../../src/datasets/location.js';
import { pullDataset } from '../../src/datasets/store.js';
import { testDatasets } from './datasets.js';

/**
 * Vitest global setup: pulls the datasets the tests read (download, checksum, convert) unless already present.
 * From the internet on a user's machine; from RAGBENCH_DATASETS_MIRROR (a folder or URL) in CI and air-gapped setups.
 */
export default async function setup(): Promise<void> {
  const mirror = defaultMirror();
  for (const name of testDatasets) {
    const result = await pullDataset(name);
    if (result.status === 'pulled') console.info(`pulled ${name} into ${datasetsHome()}${mirror ? ` from ${mirror}` : ''}`);
  }
}
