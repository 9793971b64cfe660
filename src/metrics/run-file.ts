import { readFile } from 'node:fs/promises';
import { DataError, type Place } from '../shared/errors.js';
import { decodeUtf8 } from '../shared/text/utf8.js';
import { writeFileAtomic } from '../shared/files/write-atomic.js';

/** One retrieved document of a run. `score`: higher is better. */
export interface RankedDoc {
  readonly docId: string;
  readonly score: number;
}

/** A TREC run: queryId → documents best first (query order = first appearance in the file). */
export type TrecRun = ReadonlyMap<string, readonly RankedDoc[]>;

/**
 * Reads a TREC run file (`qid Q0 docid rank score tag`, whitespace separated) as trec_eval 10.0's
 * get_trec_results.c does: blank lines and lines whose first non-blank character is `#` are skipped, fields after
 * the run tag are ignored, and the rank field is not read (any token). Stricter than trec_eval in one place: a
 * score that is not a number is an error here (trec_eval's `atof` silently reads it as 0 or as its numeric prefix).
 *
 * Each query's documents are ordered exactly as trec_eval orders them, NOT by the rank column (which trec_eval
 * ignores): score descending, ties broken by docno descending as a byte string (form_res_rels.c `comp_sim_docno`:
 * `strcmp(p2->docno, p1->docno)`). Scores are compared as doubles, as trec_eval's `atof` reads them.
 *
 * Throws DataError with `file:line` and a fix on a malformed line (field count, non-numeric score, non-integer
 * rank) and on a document listed twice for one query (trec_eval: "duplicate docs"). Missing file → DataError.
 */
export async function readRun(path: string): Promise<TrecRun> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DataError(`cannot read run file: ${(error as Error).message}`, {
      place: { file: path },
      fix: 'check the run path (TREC run lines are `qid Q0 docid rank score tag`)',
      cause: error,
    });
  }
  return parseRun(decodeUtf8(bytes, path), path);
}

/** `readRun` on text already in memory; `file` only names the source in errors. */
export function parseRun(text: string, file = '<run>'): TrecRun {
  const run = new Map<string, RankedDoc[]>();
  // Line numbers parallel to each query's documents, for duplicate messages. Duplicates are found per query by
  // sorting, not with a set of every (query, doc) pair: at 5M lines that set alone took over a GB.
  const linesOf = new Map<string, number[]>();
  const body = text.replace(/^\uFEFF/, '');
  let lineNumber = 0;
  // Walked with indexOf instead of split('\n'): no array of every line next to the text.
  for (let start = 0; start <= body.length; ) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    lineNumber++;
    const line = body.slice(start, end).trim();
    start = end + 1;
    if (isSkippedRunLine(line)) continue;
    const { queryId, docId, score } = parseRunLine(line, { file, line: lineNumber });
    let docs = run.get(queryId);
    if (!docs) {
      run.set(queryId, (docs = []));
      linesOf.set(queryId, []);
    }
    docs.push({ docId, score });
    linesOf.get(queryId)!.push(lineNumber);
  }
  for (const [queryId, docs] of run) checkDuplicates(queryId, docs.map((doc) => doc.docId), linesOf.get(queryId)!, file);
  for (const docs of run.values()) docs.sort(compareTrecOrder);
  return run;
}

/** A document listed twice for one query is an error (trec_eval: "duplicate docs"), reported at its second line. */
export function checkDuplicates(queryId: string, docIds: readonly string[], lines: readonly number[], file: string): void {
  if (new Set(docIds).size === docIds.length) return; // the usual case, without sorting strings
  const order = docIds.map((_, i) => i).sort((a, b) => (docIds[a]! < docIds[b]! ? -1 : docIds[a]! > docIds[b]! ? 1 : a - b));
  let first: { docId: string; line: number; second: number } | undefined;
  for (let i = 1; i < order.length; i++) {
    const [earlier, later] = [order[i - 1]!, order[i]!];
    if (docIds[earlier] !== docIds[later]) continue;
    // Of all duplicates, the one whose second listing comes first in the file: what a line-by-line reader meets first.
    if (!first || lines[later]! < first.second) first = { docId: docIds[later]!, line: lines[earlier]!, second: lines[later]! };
  }
  if (!first) return;
  throw new DataError(`query ${queryId} lists doc ${first.docId} twice (first at line ${first.line})`, {
    place: { file, line: first.second },
    fix: 'a run ranks each document at most once per query; map chunk hits to documents with toDocRanking',
  });
}

/** trec_eval's result order: score descending, then docno descending as a byte string. */
export function compareTrecOrder(a: RankedDoc, b: RankedDoc): number {
  if (a.score !== b.score) return b.score - a.score;
  return compareBytes(b.docId, a.docId);
}

/** queryId → doc ids best first: the input of `scoreRun`. */
export function runRankings(run: TrecRun): Map<string, string[]> {
  return new Map([...run].map(([queryId, docs]) => [queryId, docs.map((doc) => doc.docId)]));
}

/**
 * Formats a run as TREC lines `qid Q0 docid rank score tag`, queries in map order, documents in the order given
 * with ranks 1..n. Scores are written with full precision (`String(score)`), so reading the file back gives the
 * same order unless the caller's order disagrees with the scores (trec_eval would re-sort it; so does `readRun`).
 * Throws DataError when an id or the tag is empty or contains whitespace, or a score is not finite.
 */
export function formatRun(run: TrecRun, tag: string): string {
  checkToken(tag, 'run tag');
  const out: string[] = [];
  for (const [queryId, docs] of run) {
    checkToken(queryId, 'query id');
    docs.forEach((doc, index) => {
      checkToken(doc.docId, 'doc id');
      if (!Number.isFinite(doc.score)) {
        throw new DataError(`query ${queryId}, doc ${doc.docId}: score ${doc.score} is not a finite number`, {
          fix: 'retrievers must return finite scores',
        });
      }
      out.push(`${queryId} Q0 ${doc.docId} ${index + 1} ${String(doc.score)} ${tag}`);
    });
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** Writes `formatRun(run, tag)` to `path` atomically (temp file + rename). */
export async function writeRun(path: string, run: TrecRun, tag: string): Promise<void> {
  await writeFileAtomic(path, formatRun(run, tag));
}

interface RunLine {
  readonly queryId: string;
  readonly docId: string;
  readonly score: number;
}

/** True for a run line trec_eval skips: blank, or `#` as its first non-blank character (a comment). */
export function isSkippedRunLine(trimmed: string): boolean {
  return trimmed === '' || trimmed.startsWith('#');
}

/**
 * One trimmed, non-comment run line. At least 6 fields (trec_eval requires the run tag; anything after it is
 * ignored); the rank field is not read, as trec_eval never reads it (documents are ordered by score).
 */
export function parseRunLine(line: string, place: Place): RunLine {
  const fields = line.split(/\s+/);
  if (fields.length < 6) {
    throw new DataError(`expected 6 whitespace-separated fields (qid Q0 docid rank score tag), got ${fields.length}`, {
      place,
      fix: 'each TREC run line is `qid Q0 docid rank score tag` (fields after the tag are ignored); ids and the tag cannot contain spaces',
    });
  }
  const [queryId, , docId, , scoreText] = fields as [string, string, string, string, string, string];
  const score = Number(scoreText);
  if (scoreText === '' || !Number.isFinite(score)) {
    throw new DataError(`score ${JSON.stringify(scoreText)} is not a finite number`, {
      place,
      fix: 'the 5th field is the score (higher = better); check the column order (qid Q0 docid rank score tag)',
    });
  }
  return { queryId, docId, score };
}

function checkToken(value: string, what: string): void {
  if (value === '' || /\s/.test(value)) {
    throw new DataError(`${what} ${JSON.stringify(value)} cannot be written to a TREC run`, {
      fix: `TREC run fields are whitespace separated: the ${what} must be non-empty and contain no whitespace`,
    });
  }
}

// UTF-16 code-unit order (JS `<`) differs from strcmp's UTF-8 byte order for astral characters; code point order
// equals UTF-8 byte order, so compare code points to tie-break exactly as trec_eval does.
function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
