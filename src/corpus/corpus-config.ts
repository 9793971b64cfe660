import { z } from 'zod';

/**
 * A corpus manifest (`corpora/<name>.yaml`): data lives elsewhere, the YAML says where and how to read it.
 * `path` is relative to the YAML file, so a manifest works from any working directory.
 */
export const corpusConfigSchema = z.strictObject({
  /** Default: the YAML file's name without extension. */
  name: z.string().min(1).optional(),
  path: z.string().min(1),
  /** Default: detected from the folder (corpus.jsonl → beir). */
  layout: z.enum(['beir', 'files']).optional(),
  /** BEIR: the documents file when it is not `<path>/corpus.jsonl` (relative to the YAML file). */
  documents: z.string().min(1).optional(),
  /** The qrels split, `qrels/<split>.tsv`. */
  qrels: z.string().min(1).default('test'),
  description: z.string().optional(),
});

export type CorpusConfig = z.output<typeof corpusConfigSchema>;
