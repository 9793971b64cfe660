import { z } from 'zod';

/**
 * A corpus manifest (`corpora/<name>.yaml`): data lives elsewhere, the YAML says where and how to read it.
 * `path` is relative to the YAML file, so a manifest works from any working directory.
 */
export const corpusConfigSchema = z.strictObject({
  /** Default: the YAML file's name without extension. */
  name: z.string().min(1).optional(),
  /** A folder relative to the YAML file; or instead `dataset:`. */
  path: z.string().min(1).optional(),
  /** A dataset by name (`ragbench datasets list`), pulled into RAGBENCH_DATASETS on first use. */
  dataset: z.string().min(1).optional(),
  /** Default: detected from the folder (corpus.jsonl → beir). */
  layout: z.enum(['beir', 'files']).optional(),
  /** BEIR: the documents file when it is not `<path>/corpus.jsonl` (relative to the YAML file). */
  documents: z.string().min(1).optional(),
  /** BEIR: take the documents (corpus.jsonl) from this dataset, e.g. synthetic queries over a pulled corpus. */
  documentsDataset: z.string().min(1).optional(),
  /** The qrels split, `qrels/<split>.tsv`. */
  qrels: z.string().min(1).default('test'),
  description: z.string().optional(),
}).refine((config) => (config.path === undefined) !== (config.dataset === undefined), {
  message: 'give exactly one of `path:` (a folder) or `dataset:` (a name from `ragbench datasets list`)',
}).refine((config) => config.documents === undefined || config.documentsDataset === undefined, {
  message: 'give at most one of `documents:` and `documentsDataset:`',
});

