import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { datasetsHome } from '../../src/datasets/location.js';

/** Repository root (this file is test/helpers/datasets.ts). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Converted datasets (corpus.jsonl, queries.jsonl, qrels/, qa.jsonl, labels.jsonl) come from the datasets folder that
 * `ragbench datasets pull` fills: RAGBENCH_DATASETS, else the user's cache. `bin/dev test` pulls what the tests need.
 */
export const datasetsDir = datasetsHome();

/**
 * Reference outputs the tests compare against (trec_eval outputs, reference BM25 runs, overlap baselines) are not
 * upstream files: they are committed in test/reference-data/<dataset>/ (gzipped when over 100 kB).
 */
export const referenceDir = join(repoRoot, 'test', 'reference-data');

/**
 * SALAD has no stated licence, so it is never pulled or committed: tests that need it read the project's shared
 * copy (SALAD_DATASET_DIR, else ../shared/datasets/salad-lfqa-attribution beside the repository) and skip without it.
 */
export const saladDir = process.env.SALAD_DATASET_DIR ?? join(repoRoot, '..', 'shared', 'datasets', 'salad-lfqa-attribution');
export const saladMissingReason = `SALAD labels not found at ${saladDir} (no stated licence, so never pulled or committed; set SALAD_DATASET_DIR)`;

export const irDatasets = ['cranfield', 'cisi', 'pubmedqa-pqal'] as const;
export type IrDataset = (typeof irDatasets)[number];

/** The datasets the test suite reads; `bin/dev test` pulls exactly these. */
export const testDatasets = ['cranfield', 'cisi', 'pubmedqa-pqal', 'begin-wow'] as const;

/** Whether a dataset's files are available (pulled, or for SALAD the shared copy present). */
export function datasetAvailable(name: string): boolean {
  return existsSync(name === 'salad-lfqa-attribution' ? join(saladDir, 'labels.jsonl') : join(datasetsDir, name, 'dataset.json'));
}

/**
 * True when any of `names` is not available, for `describe.skipIf(lacks('cranfield'))`: the global setup
 * (pull-datasets.ts) has already said once, up front, which datasets are missing and the command that pulls them.
 */
export function lacks(...names: string[]): boolean {
  return names.some((name) => !datasetAvailable(name));
}

/** The one command that pulls `names` (with the mirror beside the repository when there is one). */
export function pullCommand(names: readonly string[], mirror?: string): string {
  return `bin/dev ragbench datasets pull ${names.join(' ')}${mirror ? ` --mirror ${mirror}` : ''}`;
}

export function datasetPath(name: string, ...parts: string[]): string {
  if (name === 'salad-lfqa-attribution') return existing(join(saladDir, ...parts), saladMissingReason);
  if (parts[0] === 'reference') return referencePath(name, parts.slice(1));
  return existing(
    join(datasetsDir, name, ...parts),
    `run \`bin/dev ragbench datasets pull ${name}\` (bin/dev test pulls every dataset the tests need into ${datasetsDir})`,
  );
}

function existing(path: string, fix: string): string {
  if (!existsSync(path)) throw new Error(`dataset file missing: ${path} (${fix})`);
  return path;
}

/** A committed reference file; a gzipped one is unpacked once into node_modules/.cache (keyed by its hash). */
function referencePath(name: string, parts: string[]): string {
  const plain = join(referenceDir, name, ...parts);
  if (existsSync(plain)) return plain;
  const gz = existing(`${plain}.gz`, `reference file ${join(name, ...parts)} is not in test/reference-data`);
  const bytes = readFileSync(gz);
  const key = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const target = join(repoRoot, 'node_modules', '.cache', 'ragbench-reference', key, name, ...parts);
  if (!existsSync(target)) {
    mkdirSync(dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, gunzipSync(bytes));
    renameSync(temp, target);
  }
  return target;
}
