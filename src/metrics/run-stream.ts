import { createReadStream } from 'node:fs';
import { DataError } from '../shared/errors.js';
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
  let rest = '';
  let first = true;
  try {
    for await (const piece of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      let text = rest + (piece as string);
      if (first) text = text.replace(/^\uFEFF/, '');
      first = false;
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        take(text.slice(start, end));
        start = end + 1;
      }
      rest = text.slice(start);
    }
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
