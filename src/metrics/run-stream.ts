import { createReadStream } from 'node:fs';
import { DataError } from '../shared/errors.js';
import { createUtf8Stream } from '../shared/utf8.js';
import { checkDuplicates, compareTrecOrder, parseRunLine } from './run-file.js';

/**
 * `runRankings(readRun(path))` without holding the file or an object per line: the run is read in 1 MB pieces and
 * kept as, per query, its doc ids, scores and line numbers; then each query is checked for duplicates and put in
 * trec_eval's order. Same result and the same errors as readRun (bench/scale.mjs: a 5M-line run took 13.5 s and
 * 1.9 GB through readRun on this machine).
 */
export async function readRunRankings(path: string): Promise<Map<string, string[]>> {
  const queries = new Map<string, { docIds: string[]; scores: number[]; lines: number[] }>();
  let lineNumber = 0;
  const take = (raw: string) => {
    lineNumber++;
    const line = raw.trim();
    if (line === '') return;
    const { queryId, docId, score } = parseRunLine(line, { file: path, line: lineNumber });
    let query = queries.get(queryId);
    if (!query) queries.set(queryId, (query = { docIds: [], scores: [], lines: [] }));
    query.docIds.push(docId);
    query.scores.push(score);
    query.lines.push(lineNumber);
  };
  // Fast path for the common line (ASCII, fields split by spaces or tabs): fields are read in place, so the only
  // strings made are a new query id and the doc id. Anything else goes through parseRunLine, which also owns every
  // error message; so the result and the errors are the same either way.
  let last: { id: string; entry: { docIds: string[]; scores: number[]; lines: number[] } } | undefined;
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
      if (fields === 6) return false;
      bounds[2 * fields] = at;
      while (at < end && (code = text.charCodeAt(at)) !== 32 && code !== 9 && code !== 13) {
        if (code >= 128) return false;
        at++;
      }
      bounds[2 * fields + 1] = at;
      fields++;
    }
    if (fields !== 6) return false;
    for (let i = bounds[6]!; i < bounds[7]!; i++) {
      const code = text.charCodeAt(i);
      const sign = i === bounds[6]! && (code === 43 || code === 45) && bounds[7]! - bounds[6]! > 1;
      if (!sign && (code < 48 || code > 57)) return false;
    }
    const score = Number(text.slice(bounds[8], bounds[9]));
    if (!Number.isFinite(score)) return false;
    lineNumber++;
    const [qStart, qEnd] = [bounds[0]!, bounds[1]!];
    if (!last || last.id.length !== qEnd - qStart || !text.startsWith(last.id, qStart)) {
      const id = text.slice(qStart, qEnd);
      let entry = queries.get(id);
      if (!entry) queries.set(id, (entry = { docIds: [], scores: [], lines: [] }));
      last = { id, entry };
    }
    last.entry.docIds.push(text.slice(bounds[4], bounds[5]));
    last.entry.scores.push(score);
    last.entry.lines.push(lineNumber);
    return true;
  };
  let rest = '';
  let first = true;
  try {
    // Strict decoding: invalid bytes fail with their offset instead of becoming U+FFFD.
    const utf8 = createUtf8Stream(path);
    for await (const piece of createReadStream(path, { highWaterMark: 1 << 20 })) {
      let text = rest + utf8.push(piece as Buffer);
      if (first) text = text.replace(/^\uFEFF/, '');
      first = false;
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        if (!takeFast(text, start, end)) take(text.slice(start, end));
        start = end + 1;
      }
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
  const rankings = new Map<string, string[]>();
  for (const [queryId, { docIds, scores, lines }] of queries) {
    checkDuplicates(queryId, docIds, lines, path);
    const order = docIds.map((_, i) => i);
    order.sort((a, b) => compareTrecOrder({ docId: docIds[a]!, score: scores[a]! }, { docId: docIds[b]!, score: scores[b]! }));
    rankings.set(queryId, order.map((i) => docIds[i]!));
    queries.delete(queryId);
  }
  return rankings;
}
