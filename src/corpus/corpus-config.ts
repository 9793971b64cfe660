import { basename, dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import { openCorpus } from './open-corpus.js';
import type { CorpusSource } from './types.js';

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
  /** The qrels split, `qrels/<split>.tsv`. */
  qrels: z.string().min(1).default('test'),
  description: z.string().optional(),
});

export type CorpusConfig = z.output<typeof corpusConfigSchema>;

/** Opens the corpus a parsed manifest describes; `configFile` is the YAML file it came from. */
export function openConfiguredCorpus(config: CorpusConfig, configFile: string): Promise<CorpusSource> {
  return openCorpus(resolve(dirname(configFile), config.path), {
    name: config.name ?? basename(configFile, extname(configFile)),
    ...(config.layout ? { layout: config.layout } : {}),
    qrelsSplit: config.qrels,
  });
}
