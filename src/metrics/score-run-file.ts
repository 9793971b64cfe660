import type { DataError } from '../shared/errors.js';
import { finishScores, noRelevant, runMetricSpecs, scoreQuery, scoreRun, type RunScores, type ScoreRunOptions } from './evaluate-run.js';
import { checkDuplicates } from './run-file.js';
import { inTrecOrder, readRunLines, readRunRankings } from './run-stream.js';

export interface ScoreRunFileOptions extends Omit<ScoreRunOptions, 'run'> {
  /** A TREC run file (`qid Q0 docid rank score tag`). */
  readonly path: string;
}

export interface RunFileScores extends RunScores {
  /**
   * How the file was scored: `streamed` when each query's lines were contiguous (one query in memory at a time),
   * `accumulated` when a query reappeared after another one (the whole run was then read into memory).
   */
  readonly pass: 'streamed' | 'accumulated';
}

/**
 * `scoreRun({ run: await readRunRankings(path), … })` for a run file, without holding the run: nearly every run
 * lists each query's lines together, so each query is checked and scored as soon as the next one starts, and only
 * its metric values are kept (a 5M-line run: ~650 MB → see bench/RESULTS.md). When a query id comes back after
 * another query (a non-contiguous file), reading stops and the file is scored the accumulating way instead. Same
 * values and the same errors either way: parse errors as they are met, then the first duplicate (by query in
 * first-appearance order, as readRunRankings reports it), then scoreRun's checks.
 */
export async function scoreRunFile(options: ScoreRunFileOptions): Promise<RunFileScores> {
  const { path, judgments } = options;
  const specs = runMetricSpecs(options.metrics);
  const seen = new Set<string>();
  const values = new Map<string, readonly number[]>();
  let duplicate: DataError | undefined; // reported after the whole file parsed, as readRunRankings does
  let group: { id: string; docIds: string[]; scores: number[]; lines: number[] } | undefined;
  const close = () => {
    if (!group || duplicate) return;
    try {
      checkDuplicates(group.id, group.docIds, group.lines, path);
    } catch (error) {
      duplicate = error as DataError;
      return;
    }
    const relevant = judgments.get(group.id) ?? (options.includeUnjudged ? noRelevant : undefined);
    if (relevant) values.set(group.id, scoreQuery(inTrecOrder(group.docIds, group.scores), relevant, specs));
  };
  const complete = await readRunLines(path, (queryId, docId, score, line) => {
    if (queryId !== group?.id) {
      if (seen.has(queryId)) return false; // not contiguous
      close();
      seen.add(queryId);
      group = { id: queryId, docIds: [], scores: [], lines: [] };
    }
    group.docIds.push(docId);
    group.scores.push(score);
    group.lines.push(line);
  });
  if (!complete) {
    const run = await readRunRankings(path);
    return { ...scoreRun({ ...options, run }), pass: 'accumulated' };
  }
  close();
  if (duplicate) throw duplicate;
  return { ...finishScores(options, specs, seen, seen.size, (queryId, relevant) => values.get(queryId) ?? scoreQuery([], relevant, specs)), pass: 'streamed' };
}
