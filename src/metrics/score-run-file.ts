import { stat } from 'node:fs/promises';
import { DataError } from '../shared/errors.js';
import { finishScores, noRelevant, runMetricSpecs, scoreQuery, scoreRun, type RunScores, type ScoreRunOptions } from './evaluate-run.js';
import { checkDuplicates } from './run-file.js';
import { inTrecOrder, readRunLines, readRunRankings } from './run-stream.js';

interface ScoreRunFileOptions extends Omit<ScoreRunOptions, 'run'> {
  /** A TREC run file (`qid Q0 docid rank score tag`). */
  readonly path: string;
}

interface RunFileScores extends RunScores {
  /**
   * Queries whose lines were not together in the file (listed again after another query): they were scored from a
   * second reading of the file, which kept only their lines. 0 when the run was read once.
   */
  readonly reread: number;
}

interface Group {
  readonly docIds: string[];
  readonly scores: number[];
  readonly lines: number[];
}

/**
 * `scoreRun({ run: await readRunRankings(path), … })` for a run file, without holding the run. Nearly every run
 * lists each query's lines together, so each query is checked and scored as soon as the next one starts, and only
 * its metric values are kept (a 5M-line run: 650 MB → 170 MB, bench/RESULTS.md). A query listed again after another
 * one is set aside and scored from a second reading of the file that keeps only such queries' lines: a fully
 * interleaved run thus costs what readRunRankings does. Same values and the same errors as scoreRun: parse errors
 * as they are met, then the duplicate of the first query (in first-appearance order) that has one, then scoreRun's.
 */
export async function scoreRunFile(options: ScoreRunFileOptions): Promise<RunFileScores> {
  const { path, judgments } = options;
  // A pipe (`--run /dev/stdin`, `<(…)`) cannot be read twice: it is read once, into memory.
  const file = await stat(path).catch(() => undefined); // a missing file: readRunLines reports it
  if (file && !file.isFile()) return { ...scoreRun({ ...options, run: await readRunRankings(path) }), reread: 0 };
  const specs = runMetricSpecs(options.metrics);
  const firstSeen = new Map<string, number>(); // query id → its order of first appearance
  const values = new Map<string, readonly number[]>();
  const duplicates = new Map<string, DataError>(); // reported once the whole file is parsed, as readRunRankings does
  const split = new Set<string>(); // queries whose lines are not together: scored from the second reading
  const score = (queryId: string, group: Group) => {
    try {
      checkDuplicates(queryId, group.docIds, group.lines, path);
    } catch (error) {
      duplicates.set(queryId, error as DataError);
      return;
    }
    const relevant = judgments.get(queryId) ?? (options.includeUnjudged ? noRelevant : undefined);
    if (relevant) values.set(queryId, scoreQuery(inTrecOrder(group.docIds, group.scores), relevant, specs));
  };
  const add = (group: Group, docId: string, docScore: number, line: number) => {
    group.docIds.push(docId);
    group.scores.push(docScore);
    group.lines.push(line);
  };
  let current: { id: string; group: Group } | undefined;
  await readRunLines(path, (queryId, docId, docScore, line) => {
    if (queryId !== current?.id) {
      if (split.has(queryId)) return;
      if (firstSeen.has(queryId)) {
        // Listed again: what was scored from its first lines is dropped, all its lines are read again later.
        split.add(queryId);
        values.delete(queryId);
        duplicates.delete(queryId);
        return;
      }
      if (current) score(current.id, current.group);
      firstSeen.set(queryId, firstSeen.size);
      current = { id: queryId, group: { docIds: [], scores: [], lines: [] } };
    }
    add(current.group, docId, docScore, line);
  });
  if (current && !split.has(current.id)) score(current.id, current.group);
  if (split.size > 0) {
    const now = await stat(path).catch(() => undefined);
    if (file && (now?.size !== file.size || now.mtimeMs !== file.mtimeMs)) {
      throw new DataError('the run file changed while it was being scored (it is read twice when a query\'s lines are not together)', {
        place: { file: path },
        fix: 'score the run once it is completely written',
      });
    }
    const groups = new Map<string, Group>([...split].map((queryId) => [queryId, { docIds: [], scores: [], lines: [] }]));
    await readRunLines(path, (queryId, docId, docScore, line) => {
      const group = groups.get(queryId);
      if (group) add(group, docId, docScore, line);
    });
    for (const [queryId, group] of groups) {
      score(queryId, group);
      groups.delete(queryId);
    }
  }
  if (duplicates.size > 0) {
    const first = [...duplicates.keys()].reduce((a, b) => (firstSeen.get(a)! <= firstSeen.get(b)! ? a : b));
    throw duplicates.get(first)!;
  }
  const scores = finishScores(options, specs, firstSeen.keys(), (queryId, relevant) => values.get(queryId) ?? scoreQuery([], relevant, specs));
  return { ...scores, reread: split.size };
}
