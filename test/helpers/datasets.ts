import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Repository root (this file is test/helpers/datasets.ts). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The shared datasets folder beside the repository: ../shared/datasets. */
export const datasetsDir = join(repoRoot, '..', 'shared', 'datasets');

export const irDatasets = ['cranfield', 'cisi', 'pubmedqa-pqal'] as const;
export type IrDataset = (typeof irDatasets)[number];

export function datasetPath(name: string, ...parts: string[]): string {
  const path = join(datasetsDir, name, ...parts);
  if (!existsSync(path)) throw new Error(`shared dataset file missing: ${path} (clone with ../shared beside the repository)`);
  return path;
}
