import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import { DataError } from '../shared/errors.js';
import { isJsonObject, readJsonl } from './jsonl.js';
import { readQrels } from './qrels.js';
import { readSpanJudgments } from './spans.js';
import type { Progress } from '../shared/progress.js';
import type { CorpusSource, Document, Query } from './types.js';

interface BeirCorpusOptions {
  /** Short name used in index names and reports. */
  readonly name: string;
  /** Which `qrels/<split>.tsv` holds the judgments; default `test`. */
  readonly qrelsSplit?: string;
  /**
   * The documents file when it lives elsewhere (default `<dir>/corpus.jsonl`): a test set made for an existing
   * corpus (e.g. by `ragbench synth`) then needs no copy of the documents.
   */
  readonly documentsFile?: string;
}

/**
 * A corpus in BEIR layout: `corpus.jsonl` (`{"_id","title","text"}`), `queries.jsonl` (`{"_id","text"}`),
 * `qrels/<split>.tsv`, and optionally span judgments in `qrels/<split>.spans.jsonl` (see `readSpanJudgments`).
 * Nothing is read until asked for; documents stream in file order.
 * Throws a DataError (with fix) when `corpus.jsonl` is missing.
 */
export async function openBeirCorpus(dir: string, options: BeirCorpusOptions): Promise<CorpusSource> {
  const corpusFile = options.documentsFile ?? join(dir, 'corpus.jsonl');
  const queriesFile = join(dir, 'queries.jsonl');
  const qrelsFile = join(dir, 'qrels', `${options.qrelsSplit ?? 'test'}.tsv`);
  const spansFile = join(dir, 'qrels', `${options.qrelsSplit ?? 'test'}.spans.jsonl`);
  if (!(await exists(corpusFile))) {
    throw new DataError(options.documentsFile ? `documents file not found: ${corpusFile}` : `no corpus.jsonl in ${dir}`, {
      place: { file: options.documentsFile ?? dir },
      fix: 'a BEIR corpus folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv',
    });
  }
  let fingerprint: Promise<string> | undefined;
  return {
    name: options.name,
    documents: (documentOptions) => readBeirDocuments(corpusFile, documentOptions?.progress),
    queries: () => readQueriesJsonl(queriesFile),
    judgments: () => readRequired(qrelsFile, 'qrels', readQrels),
    spans: async (spanOptions) => ((await exists(spansFile)) ? readSpanJudgments(spansFile, spanOptions) : undefined),
    // Cached: hashing megabytes of corpus once per process is enough, and the files must not change mid-run.
    fingerprint: () => (fingerprint ??= hashFiles(dir, [corpusFile, queriesFile, qrelsFile])),
  };
}

/** Streams `corpus.jsonl`; throws a DataError at `file:line` on a bad record or a repeated `_id`. */
export async function* readBeirDocuments(file: string, progress?: Progress): AsyncGenerator<Document> {
  const seen = new Set<string>();
  // Progress in whole megabytes of the file (a count of documents is not known before the end).
  const megabyte = 1 << 20;
  let pending = 0;
  const onBytes = (bytes: number) => {
    pending += bytes;
    if (pending >= megabyte) {
      progress!.advance(Math.floor(pending / megabyte));
      pending %= megabyte;
    }
  };
  if (progress) progress.start(`read ${file} (MB)`, Math.ceil((await stat(file)).size / megabyte));
  for await (const { value, line } of readJsonl(file, progress ? { onBytes } : {})) {
    const place = { file, line };
    const id = requireId(value, place);
    if (!isJsonObject(value) || typeof value.text !== 'string') {
      throw new DataError(`document ${id}: "text" must be a string`, {
        place,
        fix: 'each corpus line is {"_id": "...", "title": "...", "text": "..."}; use "" for an empty text',
      });
    }
    const title = value.title;
    if (title !== undefined && title !== null && typeof title !== 'string') {
      throw new DataError(`document ${id}: "title" must be a string`, { place, fix: 'use a string title or omit it' });
    }
    if (seen.has(id)) {
      throw new DataError(`duplicate document id ${JSON.stringify(id)}`, {
        place,
        fix: 'document ids must be unique: qrels and chunk ids refer to them',
      });
    }
    seen.add(id);
    // An empty title (BEIR's convention for "none") is left out so consumers test one thing: `title === undefined`.
    yield typeof title === 'string' && title !== '' ? { id, title, text: value.text } : { id, text: value.text };
  }
  if (progress) {
    if (pending > 0) progress.advance(1); // the last partial megabyte, so the count ends at the total
    progress.done();
  }
}

/** Reads `queries.jsonl` (`{"_id","text"}`), in file order. Missing file → DataError. */
export async function readQueriesJsonl(file: string): Promise<Query[]> {
  return readRequired(file, 'queries', async () => {
    const queries: Query[] = [];
    const seen = new Set<string>();
    for await (const { value, line } of readJsonl(file)) {
      const place = { file, line };
      const id = requireId(value, place);
      if (!isJsonObject(value) || typeof value.text !== 'string') {
        throw new DataError(`query ${id}: "text" must be a string`, { place, fix: 'each line is {"_id": "...", "text": "..."}' });
      }
      if (seen.has(id)) {
        throw new DataError(`duplicate query id ${JSON.stringify(id)}`, { place, fix: 'query ids must be unique' });
      }
      // An empty query retrieves nothing and scores 0 on every metric: a data error, not a data point.
      if (value.text.trim() === '') {
        throw new DataError(`query ${id} has empty text`, { place, fix: 'give the query its text, or remove the line (and its qrels)' });
      }
      seen.add(id);
      queries.push({ id, text: value.text });
    }
    return queries;
  });
}

function requireId(value: unknown, place: { file: string; line: number }): string {
  const id = isJsonObject(value) ? value._id : undefined;
  // Numeric ids are common in converted collections; accept them as their decimal string.
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id !== 'string' || id === '') {
    throw new DataError('missing or empty "_id"', { place, fix: 'every line needs a non-empty string "_id"' });
  }
  return id;
}

/** Runs `read` if `file` exists, else a DataError naming what is missing. */
async function readRequired<T>(file: string, what: string, read: (file: string) => Promise<T>): Promise<T> {
  if (!(await exists(file))) {
    throw new DataError(`${what} file not found: ${file}`, {
      place: { file },
      fix: `add ${file}, or choose another qrels split in the corpus config (qrels: <split>)`,
    });
  }
  return read(file);
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * sha256 over the files' contents, streamed. Each file contributes its name and byte length, so moving bytes
 * from one file to the next changes the hash; a missing optional file contributes a marker.
 */
export async function hashFiles(dir: string, files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    // Labels are relative to the corpus folder: moving or renaming the folder keeps the fingerprint.
    const label = relative(dir, file).split(sep).join('/');
    if (!(await exists(file))) {
      hash.update(`missing:${label}\n`);
      continue;
    }
    const inner = createHash('sha256');
    let bytes = 0;
    for await (const piece of createReadStream(file)) {
      inner.update(piece as Buffer);
      bytes += (piece as Buffer).length;
    }
    hash.update(`file:${label}:${bytes}:${inner.digest('hex')}\n`);
  }
  return hash.digest('hex');
}
