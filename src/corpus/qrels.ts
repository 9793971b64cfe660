import { readFile } from 'node:fs/promises';
import { DataError, type Place } from '../shared/errors.js';
import { decodeUtf8 } from '../shared/text/utf8.js';
import type { Judgments } from './types.js';

/** The two qrels layouts `readQrels` accepts. */
type QrelsFormat = 'trec' | 'beir';

/**
 * Reads relevance judgments in either layout, detected from the first non-blank line:
 * - TREC (trec_eval's input): `qid iter docid rel`, whitespace separated, no header; `iter` is ignored as trec_eval does.
 *   A line starting with `#` is a comment, as in trec_eval 10.0 (get_qrels.c: `#` in the first column only, so an
 *   indented `#` or one inside a docno is data). trec_eval skips only the first of two consecutive comment lines
 *   and misreads the second; ragbench skips every comment line.
 * - BEIR: `query-id<TAB>corpus-id<TAB>score`, with that header line (or without, if the first line is three
 *   tab-separated fields ending in an integer).
 *
 * Grades are read as trec_eval reads them (C's atol: the leading integer, so "1e3" is 1 and "0x1" is 0). Grades ≤ 0 mean not relevant and are left out of the
 * query's map, but the query itself stays, with an EMPTY map, when all its grades are ≤ 0: trec_eval evaluates
 * every query that appears in the qrels (scoring 0 when it has no relevant docs) and skips the others, so
 * "judged" means `judgments.has(queryId)`, not "has a relevant doc". Query order is first appearance.
 *
 * Throws DataError with `file:line` and a fix on a malformed line, and on the same (query, doc) pair given two
 * different grades (repeating the same grade is tolerated). A missing file is a DataError too.
 */
export async function readQrels(path: string): Promise<Judgments> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DataError(`cannot read qrels file: ${(error as Error).message}`, {
      place: { file: path },
      fix: 'check the qrels path (TREC `qid 0 docid rel` or BEIR `query-id<TAB>corpus-id<TAB>score`)',
      cause: error,
    });
  }
  return parseQrels(decodeUtf8(bytes, path), path);
}

/** `readQrels` on text already in memory; `file` only names the source in errors. */
export function parseQrels(text: string, file = '<qrels>'): Judgments {
  const judgments = new Map<string, Map<string, number>>();
  const body = text.replace(/^\uFEFF/, '');
  // Non-relevant pairs are not stored (Judgments holds grades ≥ 1), but a later conflicting grade for the same
  // pair must still be caught, so they are remembered here for the duration of the parse.
  const nonRelevant = new Set<string>();
  let format: QrelsFormat | undefined;
  let lineNumber = 0;
  // Walked with indexOf, not split('\n'), and the pair key made only when needed: a 250k-line qrels file otherwise
  // made an array of every line and a key per line (`ragbench score`'s peak memory at trec_eval scale).
  for (let start = 0; start <= body.length; ) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    lineNumber++;
    const line = body.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    if (line.trim() === '' || (format !== 'beir' && line.startsWith('#'))) continue;
    const place = { file, line: lineNumber };
    if (format === undefined) {
      format = detectFormat(line, place);
      if (format === 'beir' && isBeirHeader(line)) continue;
    }
    const { queryId, docId, grade } = format === 'trec' ? parseTrecLine(line, place) : parseBeirLine(line, place);
    let docs = judgments.get(queryId);
    if (!docs) judgments.set(queryId, (docs = new Map()));
    const key = () => `${queryId}\u0000${docId}`;
    const previous = docs.get(docId) ?? (nonRelevant.size > 0 && nonRelevant.has(key()) ? 0 : undefined);
    if (previous !== undefined && previous !== Math.max(grade, 0)) {
      throw new DataError(`query ${queryId}, doc ${docId} is judged twice with different grades (${previous} and ${grade})`, {
        place,
        fix: 'keep one judgment per (query, doc) pair',
      });
    }
    if (grade > 0) docs.set(docId, grade);
    else nonRelevant.add(key());
  }
  return judgments;
}

/** Detects the layout of a qrels file from its first non-blank line. */
export function detectQrelsFormat(firstLine: string): QrelsFormat | undefined {
  if (isBeirHeader(firstLine)) return 'beir';
  const tabFields = firstLine.split('\t');
  if (tabFields.length === 3 && isInteger(tabFields[2]!.trim())) return 'beir';
  const fields = firstLine.trim().split(/\s+/);
  if (fields.length === 4 && isInteger(fields[3]!)) return 'trec';
  return undefined;
}

function detectFormat(line: string, place: Place): QrelsFormat {
  const format = detectQrelsFormat(line);
  if (format === undefined) {
    throw new DataError('not a qrels line: expected TREC `qid 0 docid rel` or a BEIR `query-id\\tcorpus-id\\tscore` header', {
      place,
      fix: 'use TREC qrels (4 whitespace-separated fields) or BEIR qrels (tab-separated, header query-id corpus-id score)',
    });
  }
  return format;
}

function isBeirHeader(line: string): boolean {
  return line.trim().toLowerCase().startsWith('query-id\t');
}

interface Judgment {
  readonly queryId: string;
  readonly docId: string;
  readonly grade: number;
}

function parseTrecLine(line: string, place: Place): Judgment {
  const fields = line.trim().split(/\s+/);
  if (fields.length !== 4) {
    throw new DataError(`expected 4 whitespace-separated fields (qid iter docid rel), got ${fields.length}`, {
      place,
      fix: 'each TREC qrels line is `qid 0 docid rel`; ids cannot contain spaces',
    });
  }
  return { queryId: fields[0]!, docId: fields[2]!, grade: parseGrade(fields[3]!, place) };
}

function parseBeirLine(line: string, place: Place): Judgment {
  const fields = line.split('\t').map((field) => field.trim());
  if (fields.length !== 3 || fields[0] === '' || fields[1] === '') {
    throw new DataError(`expected 3 tab-separated fields (query-id, corpus-id, score), got ${fields.length}`, {
      place,
      fix: 'each BEIR qrels line is query-id<TAB>corpus-id<TAB>score, after the header line',
    });
  }
  return { queryId: fields[0]!, docId: fields[1]!, grade: parseGrade(fields[2]!, place) };
}

/**
 * trec_eval reads a grade with C's atol: the leading decimal integer, the rest ignored, so "1e3" is 1, "0x1" is
 * 0 and "2.7" is 2 (issue 11: `Number` read 1000, 1 and an error). A field without a leading integer is an error
 * here (atol would silently make it 0).
 */
function parseGrade(text: string, place: Place): number {
  const grade = leadingInteger(text);
  if (grade === undefined) {
    throw new DataError(`relevance grade ${JSON.stringify(text)} is not an integer`, {
      place,
      fix: 'grades are integers: ≤ 0 not relevant, 1 and up relevant (higher = more relevant, the nDCG gain)',
    });
  }
  return grade;
}

function leadingInteger(text: string): number | undefined {
  const match = /^[+-]?\d+/.exec(text.trim());
  return match ? Number.parseInt(match[0], 10) : undefined;
}

function isInteger(text: string): boolean {
  return leadingInteger(text) !== undefined;
}
