import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The datasets the tests read are pulled (once) into RAGBENCH_DATASETS / the user cache before any test runs.
    globalSetup: ['test/helpers/pull-datasets.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // PGlite instances are memory-hungry WASM; two workers match the 2-core machines CI runs on.
    maxWorkers: 2,
  },
});
