import type { Gate } from '../../config/eval-config.js';
import type { AnswerCellCheck } from '../../report/comparison/summary.js';
import { meanOf } from '../../stats/bootstrap.js';
import { perQueryMeans } from '../../stats/repeats.js';
import { readAnswerRecords } from '../run/folder.js';
import { judge } from './gate.js';

/** cell → metric → queryId → scores over repeats, from a run folder's answers.jsonl; undefined without one. */
type CellScores = Map<string, Map<string, Map<string, (number | null)[]>>>;

async function readCellScores(dir: string): Promise<CellScores | undefined> {
  const records = await readAnswerRecords(dir);
  if (!records) return undefined;
  const cells: CellScores = new Map();
  for (const record of records) {
    let metrics = cells.get(record.cell);
    if (!metrics) cells.set(record.cell, (metrics = new Map()));
    for (const [metric, score] of Object.entries(record.scores)) {
      let queries = metrics.get(metric);
      if (!queries) metrics.set(metric, (queries = new Map()));
      queries.set(record.queryId, [...(queries.get(record.queryId) ?? []), score]);
    }
  }
  return cells;
}

interface PendingCheck {
  readonly cell: string;
  readonly metric: string;
  readonly candidate: number[];
  readonly baseline: number[];
  readonly nullShare: number;
}

/**
 * The model-update regression gate over answer-matrix cells: each gated answer metric of each cell both runs have
 * (cells match by answerer × prompt × temperature × contexts × arm names, so a new model id or prompt version under
 * the same name is the candidate), compared on the questions both runs scored, each question's value its mean over
 * repeats. The verdict is the gate's own (gate.ts: non-inferiority bounds, Bonferroni over `family`).
 * Returns the pending checks first so the caller can size the family over retrieval and answer cells together.
 */
export async function pairAnswerCells(baselineDir: string, candidateDir: string, gate: Gate): Promise<PendingCheck[]> {
  const [baseline, candidate] = await Promise.all([readCellScores(baselineDir), readCellScores(candidateDir)]);
  if (!baseline || !candidate) return [];
  const checks: PendingCheck[] = [];
  for (const [cell, metrics] of candidate) {
    const before = baseline.get(cell);
    if (!before) continue;
    for (const [metric, queries] of metrics) {
      if (!gate[metric] || !before.has(metric)) continue;
      const a = perQueryMeans(queries);
      const b = perQueryMeans(before.get(metric)!);
      const shared = [...a.keys()].filter((id) => b.has(id));
      const answers = [...queries.values()].flat();
      checks.push({
        cell,
        metric,
        candidate: shared.map((id) => a.get(id)!),
        baseline: shared.map((id) => b.get(id)!),
        nullShare: answers.length === 0 ? 0 : answers.filter((v) => v === null).length / answers.length,
      });
    }
  }
  return checks;
}

export function judgeAnswerCells(checks: readonly PendingCheck[], gate: Gate, options: { readonly family: number; readonly seed: number }): AnswerCellCheck[] {
  return checks.map((c) => {
    const verdict = judge({ candidateMean: c.candidate.length > 0 ? meanOf(c.candidate) : Number.NaN, nullShare: c.nullShare, candidate: c.candidate, baseline: c.baseline }, gate[c.metric], options);
    return {
      cell: c.cell,
      metric: c.metric,
      queries: c.candidate.length,
      baselineMean: c.baseline.length > 0 ? meanOf(c.baseline) : Number.NaN,
      candidateMean: c.candidate.length > 0 ? meanOf(c.candidate) : Number.NaN,
      ...verdict,
    };
  });
}
