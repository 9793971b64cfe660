import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DataError } from '../shared/errors.js';
import { exists, openBeirCorpus } from './beir.js';
import { openDirectoryCorpus } from './directory.js';
import type { CorpusSource } from './types.js';

/** `beir`: corpus.jsonl + queries.jsonl + qrels/; `files`: a folder of .md/.txt documents. */
type CorpusLayout = 'beir' | 'files';

interface OpenCorpusOptions {
  /** Default: the folder's name. */
  readonly name?: string;
  /** Default: detected (`beir` when the folder holds corpus.jsonl, else `files`). */
  readonly layout?: CorpusLayout;
  /** Which `qrels/<split>.tsv` holds the judgments; default `test`. */
  readonly qrelsSplit?: string;
  /** BEIR only: the documents file when it is not `<path>/corpus.jsonl`. */
  readonly documentsFile?: string;
}

/**
 * Opens the corpus at `path`, a folder. Throws a DataError (with fix) when the path does not exist or is
 * not a folder, or when the forced layout does not fit.
 */
export async function openCorpus(path: string, options: OpenCorpusOptions = {}): Promise<CorpusSource> {
  const dir = resolve(path);
  const info = await stat(dir).catch(() => undefined);
  if (!info) {
    throw new DataError(`corpus path does not exist: ${path}`, {
      place: { file: path },
      fix: 'check the path (in a corpus YAML, `path` is relative to the YAML file)',
    });
  }
  if (!info.isDirectory()) {
    throw new DataError(`corpus path is not a folder: ${path}`, {
      place: { file: path },
      fix: 'point at the folder that holds corpus.jsonl (BEIR) or the .md/.txt files, not at a file',
    });
  }
  const layout = options.layout ?? (options.documentsFile || (await exists(join(dir, 'corpus.jsonl'))) ? 'beir' : 'files');
  const name = options.name ?? basename(dir);
  const qrelsSplit = options.qrelsSplit ?? 'test';
  if (layout === 'beir') {
    return openBeirCorpus(dir, { name, qrelsSplit, ...(options.documentsFile ? { documentsFile: options.documentsFile } : {}) });
  }
  return openDirectoryCorpus(dir, { name, qrelsSplit });
}
