import { createReadStream } from 'node:fs';
import { DataError } from '../shared/errors.js';
import { createUtf8Stream } from '../shared/text/utf8.js';
import { checkDuplicates, compareTrecOrder, isSkippedRunLine, parseRunLine } from './run-file.js';

/**
 * Receives each line of a run file that is not blank or a `#` comment: its query id, doc id, score and 1-based line number. While the
 * query does not change, `queryId` is the same string as on the previous line (no new string per line). Returning
 * `false` stops the reading.
 */
type RunLineSink = (queryId: string, docId: string, score: number, line: number) => boolean | void;

/**
 * Reads a run file line by line in 1 MB pieces, with readRun's parsing and errors (malformed line, invalid
 * UTF-8, missing file: DataError naming the place), and hands each line to `sink`. Duplicates are the caller's
 * to check. Resolves true when the whole file was read, false when `sink` stopped it.
 */
export async function readRunLines(path: string, sink: RunLineSink): Promise<boolean> {
  let lineNumber = 0;
  let lastQueryId = '';
  let stopped = false;
  const take = (raw: string) => {
    lineNumber++;
    const line = raw.trim();
    if (isSkippedRunLine(line)) return;
    const { queryId, docId, score } = parseRunLine(line, { file: path, line: lineNumber });
    if (queryId !== lastQueryId) lastQueryId = queryId;
    if (sink(lastQueryId, docId, score, lineNumber) === false) stopped = true;
  };
  // Fast path for the common line (ASCII, fields split by spaces or tabs): fields are read in place, so the only
  // strings made are a new query id and the doc id. Anything else goes through parseRunLine, which also owns every
  // error message; so the result and the errors are the same either way.
  const bounds = new Int32Array(12);
  const takeFast = (text: string, start: number, end: number): boolean => {
    let fields = 0;
    let at = start;
    while (at < end) {
      let code = text.charCodeAt(at);
      if (code === 32 || code === 9 || code === 13) {
        at++;
        continue;
      }
      // A 7th field (ignored after the run tag) or a `#` comment: the general path handles both.
      if (fields === 6 || (fields === 0 && code === 35)) return false;
      bounds[2 * fields] = at;
      while (at < end && (code = text.charCodeAt(at)) !== 32 && code !== 9 && code !== 13) {
        if (code >= 128) return false;
        at++;
      }
      bounds[2 * fields + 1] = at;
      fields++;
    }
    if (fields !== 6) return false;
    const score = Number(text.slice(bounds[8], bounds[9]));
    if (!Number.isFinite(score)) return false;
    lineNumber++;
    const [qStart, qEnd] = [bounds[0]!, bounds[1]!];
    if (lastQueryId.length !== qEnd - qStart || !text.startsWith(lastQueryId, qStart)) lastQueryId = text.slice(qStart, qEnd);
    if (sink(lastQueryId, text.slice(bounds[4], bounds[5]), score, lineNumber) === false) stopped = true;
    return true;
  };
  let rest = '';
  let first = true;
  try {
    // Strict decoding: invalid bytes fail with their offset instead of becoming U+FFFD.
    const utf8 = createUtf8Stream(path);
    for await (const piece of createReadStream(path, { highWaterMark: 1 << 16 })) {
      let text = rest + utf8.push(piece as Buffer);
      if (first) text = text.replace(/^\uFEFF/, '');
      first = false;
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1 && !stopped; end = text.indexOf('\n', start)) {
        if (!takeFast(text, start, end)) take(text.slice(start, end));
        start = end + 1;
      }
      if (stopped) return false; // leaving the loop closes the file
      rest = text.slice(start);
    }
    rest += utf8.end();
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`cannot read run file: ${(error as Error).message}`, {
      place: { file: path },
      fix: 'check the run path (TREC run lines are `qid Q0 docid rank score tag`)',
      cause: error,
    });
  }
  take(rest);
  return !stopped;
}

/**
 * `runRankings(readRun(path))` without holding the file or an object per line: the run is kept as, per query, its
 * doc ids, scores and line numbers; then each query is checked for duplicates and put in trec_eval's order. Same
 * result and the same errors as readRun (bench/scale.mjs: a 5M-line run took 13.5 s and 1.9 GB through readRun on
 * this machine). `ragbench score` uses scoreRunFile instead, which keeps only one query at a time.
 */
export async function readRunRankings(path: string): Promise<Map<string, string[]>> {
  const queries = new Map<string, { docIds: string[]; scores: number[]; lines: number[] }>();
  let last: { id: string; entry: { docIds: string[]; scores: number[]; lines: number[] } } | undefined;
  await readRunLines(path, (queryId, docId, score, line) => {
    if (last?.id !== queryId) {
      let entry = queries.get(queryId);
      if (!entry) queries.set(queryId, (entry = { docIds: [], scores: [], lines: [] }));
      last = { id: queryId, entry };
    }
    last.entry.docIds.push(docId);
    last.entry.scores.push(score);
    last.entry.lines.push(line);
  });
  const rankings = new Map<string, string[]>();
  for (const [queryId, { docIds, scores, lines }] of queries) {
    checkDuplicates(queryId, docIds, lines, path);
    rankings.set(queryId, inTrecOrder(docIds, scores));
    queries.delete(queryId);
  }
  return rankings;
}

/** One query's doc ids (parallel to their scores) in trec_eval's order: score descending, then docno descending. */
export function inTrecOrder(docIds: readonly string[], scores: readonly number[]): string[] {
  const order = docIds.map((_, i) => i);
  order.sort((a, b) => compareTrecOrder({ docId: docIds[a]!, score: scores[a]! }, { docId: docIds[b]!, score: scores[b]! }));
  return order.map((i) => docIds[i]!);
}
