import { createReadStream } from 'node:fs';
import { DataError } from '../shared/errors.js';
import { createUtf8Stream } from '../shared/text/utf8.js';

/** One parsed JSON value and the 1-based line it came from (for error places). */
export interface JsonlRecord {
  readonly value: unknown;
  readonly line: number;
}

/**
 * Streams a JSON Lines file one record at a time, so a large corpus never has to fit in memory.
 * Blank lines are skipped (editors and `cat a b` leave them); a line that is not JSON throws a DataError
 * at `file:line`. A missing file throws a DataError too.
 */
export async function* readJsonl(file: string, options: { readonly onBytes?: (bytes: number) => void } = {}): AsyncGenerator<JsonlRecord> {
  // Bytes, decoded strictly: invalid UTF-8 is an error at its byte offset, not a silent U+FFFD.
  const stream = createReadStream(file);
  // readline swallows stream errors until the first read; surface a missing file as data, not a crash.
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('ready', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new DataError(`cannot read ${file}: ${(error as Error).message}`, {
      place: { file },
      fix: 'check the corpus path and that the file exists and is readable',
      cause: error,
    });
  }
  let line = 0;
  try {
    for await (const raw of splitLines(decodeStrict(stream, file, options.onBytes))) {
      line++;
      // A UTF-8 BOM on the first line would make JSON.parse fail on an otherwise valid file.
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new DataError(`malformed JSON: ${(error as Error).message}`, {
          place: { file, line },
          fix: 'each line must be one complete JSON object (JSON Lines); fix or remove this line',
          cause: error,
        });
      }
      yield { value, line };
    }
  } finally {
    stream.destroy();
  }
}

/**
 * Lines split at `\n` (a trailing `\r` dropped) — not node:readline, which also breaks at U+2028/U+2029, characters
 * that are legal inside JSON strings (PubMedQA's qa.jsonl has one).
 */
async function* splitLines(stream: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      yield text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

async function* decodeStrict(stream: AsyncIterable<Buffer>, file: string, onBytes?: (bytes: number) => void): AsyncGenerator<string> {
  const decoder = createUtf8Stream(file);
  for await (const chunk of stream) {
    onBytes?.(chunk.length);
    yield decoder.push(chunk);
  }
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
