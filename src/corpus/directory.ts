import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DataError } from '../shared/errors.js';
import { exists, hashFiles, readQueriesJsonl } from './beir.js';
import { readQrels } from './qrels.js';
import type { Progress } from '../shared/progress.js';
import type { CorpusSource, Document, Judgments, Query } from './types.js';
import { decodeUtf8 } from '../shared/text/utf8.js';

interface DirectoryCorpusOptions {
  /** Short name used in index names and reports. */
  readonly name: string;
  /** Which `qrels/<split>.tsv` holds the judgments, if present; default `test`. */
  readonly qrelsSplit?: string;
}

const documentExtensions = ['.md', '.txt'];

/**
 * A folder of notes: every `.md`/`.txt` file below `dir` (recursive, sorted by relative path) is one Document
 * whose id is the relative path with `/` separators and whose text is the file's UTF-8 contents (BOM stripped).
 * `queries.jsonl` and `qrels/<split>.tsv` in `dir` are optional: without them there is nothing to evaluate,
 * so `queries()` returns `[]` and `judgments()` an empty map.
 * Throws a DataError when the folder holds no document files.
 */
export async function openDirectoryCorpus(dir: string, options: DirectoryCorpusOptions): Promise<CorpusSource> {
  const files = await listDocumentFiles(dir);
  if (files.length === 0) {
    throw new DataError(`no .md or .txt files in ${dir}`, {
      place: { file: dir },
      fix: 'point the corpus path at a folder of .md/.txt files, or at a BEIR folder with corpus.jsonl',
    });
  }
  const queriesFile = join(dir, 'queries.jsonl');
  const qrelsFile = join(dir, 'qrels', `${options.qrelsSplit ?? 'test'}.tsv`);
  let fingerprint: Promise<string> | undefined;
  return {
    name: options.name,
    documents: (documentOptions) => readDocuments(dir, files, documentOptions?.progress),
    queries: async (): Promise<Query[]> => ((await exists(queriesFile)) ? readQueriesJsonl(queriesFile) : []),
    judgments: async (): Promise<Judgments> => ((await exists(qrelsFile)) ? readQrels(qrelsFile) : new Map()),
    // File names are hashed too: renaming a note changes document ids, so it must change the fingerprint.
    fingerprint: () =>
      (fingerprint ??= hashFiles(dir, [...files.map((id) => join(dir, id)), queriesFile, qrelsFile])),
  };
}

async function* readDocuments(dir: string, ids: readonly string[], progress?: Progress): AsyncGenerator<Document> {
  progress?.start(`read ${dir} (files)`, ids.length);
  for (const id of ids) {
    const text = decodeUtf8(await readFile(join(dir, id)), join(dir, id));
    // readFile keeps a UTF-8 BOM as U+FEFF; it is not content, and chunk offsets must not count it.
    yield { id, text: text.startsWith('\uFEFF') ? text.slice(1) : text };
    progress?.advance(1);
  }
  progress?.done();
}

/** Relative posix paths of the document files, sorted by UTF-16 code units (locale-independent). */
async function listDocumentFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw new DataError(`cannot read folder ${dir}: ${(error as Error).message}`, {
      place: { file: dir },
      fix: 'check the corpus path',
      cause: error,
    });
  }
  const ids: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    if (!documentExtensions.some((ext) => entry.name.toLowerCase().endsWith(ext))) continue;
    const id = toPosix(relative(dir, join(entry.parentPath, entry.name)));
    // Hidden folders (.git, .obsidian, .ragbench) hold tool state, not the user's documents.
    if (id.split('/').some((part) => part.startsWith('.'))) continue;
    ids.push(id);
  }
  return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
