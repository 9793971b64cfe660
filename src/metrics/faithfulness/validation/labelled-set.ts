import { readFile } from 'node:fs/promises';
import { DataError } from '../../../shared/errors.js';
import { bestThresholdCV, calibrationTable, rocAuc, type CalibrationBin } from '../../../stats/roc.js';
import type { FaithfulnessMetric } from '../score.js';

/**
 * One human-labelled (answer, context) pair in the faithfulness layout (`labels.jsonl` of a dataset such as begin-wow):
 * `{"id","question","context","answer","label":"faithful"|"unfaithful", ...}`. Extra fields (system, model,
 * question_id, docs_in_prompt, …) are kept in `fields` for grouping.
 */
export interface LabelledRow {
  readonly id: string;
  readonly question: string;
  readonly context: string;
  readonly answer: string;
  readonly faithful: boolean;
  readonly fields: Readonly<Record<string, unknown>>;
}

const fix = 'each line is {"id": "...", "question": "...", "context": "...", "answer": "...", "label": "faithful" | "unfaithful"}';

/**
 * Reads a labels.jsonl file. Blank lines are skipped; a line that is not a JSON object, lacks a string field,
 * has another label, or repeats an id throws a DataError at `file:line`. A missing file throws a DataError too.
 */
export async function readLabelledSet(path: string): Promise<LabelledRow[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DataError(`cannot read ${path}: ${(error as Error).message}`, {
      place: { file: path },
      fix: 'check the --labels path',
      cause: error,
    });
  }
  const rows: LabelledRow[] = [];
  const seen = new Set<string>();
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    const place = { file: path, line: index + 1 };
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new DataError(`malformed JSON: ${(error as Error).message}`, { place, fix, cause: error });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DataError('a line must be a JSON object', { place, fix });
    }
    const record = value as Record<string, unknown>;
    for (const key of ['id', 'question', 'context', 'answer', 'label']) {
      if (typeof record[key] !== 'string') throw new DataError(`"${key}" must be a string`, { place, fix });
    }
    const { id, question, context, answer, label, ...fields } = record as Record<string, string>;
    if (label !== 'faithful' && label !== 'unfaithful') {
      throw new DataError(`row ${id}: label ${JSON.stringify(label)} is neither "faithful" nor "unfaithful"`, {
        place,
        fix: 'map other labels (e.g. BEGIN "generic") to faithful/unfaithful or leave those rows out',
      });
    }
    if (seen.has(id!)) throw new DataError(`duplicate row id ${JSON.stringify(id)}`, { place, fix: 'ids must be unique' });
    seen.add(id!);
    rows.push({ id: id!, question: question!, context: context!, answer: answer!, faithful: label === 'faithful', fields });
  });
  return rows;
}

export interface EvaluateOptions {
  /** Row → group key for per-group AUCs (e.g. the generating system); omit for the overall numbers only. */
  readonly groupBy?: (row: LabelledRow) => string;
  /**
   * Row → fold unit: rows sharing it are never split across folds, so a threshold is never tested on sentences of
   * a question it was chosen on. Default: the question text (SALAD: one question, all its systems' sentences).
   */
  readonly foldBy?: (row: LabelledRow) => string;
  readonly folds: number;
  readonly seed: number;
}

export interface FaithfulnessEvaluation {
  /** ROC AUC of the scored rows for `faithful`. */
  readonly auc: number;
  /** AUC per group; a group whose scored rows hold only one class is left out (its AUC is undefined). */
  readonly aucByGroup: Readonly<Record<string, number>>;
  /** Out-of-fold balanced accuracy of a threshold chosen on the other folds (grouped by `foldBy`). */
  readonly balancedAccuracy: number;
  /** The threshold chosen on all scored rows: "faithful iff score ≥ threshold". */
  readonly threshold: number;
  readonly calibration: readonly CalibrationBin[];
  /** Rows the metric could not score (value null): excluded from every number above, and reported. */
  readonly nullCount: number;
  readonly scored: number;
}

/**
 * Scores every row with `metric` and measures agreement with the labels. The metric itself is not fitted here;
 * only the decision threshold is, by grouped cross-validation, so `balancedAccuracy` is an out-of-fold estimate.
 * Throws RangeError when the scored rows do not hold both labels.
 */
export function evaluateFaithfulness(
  rows: readonly LabelledRow[],
  metric: FaithfulnessMetric,
  options: EvaluateOptions,
): FaithfulnessEvaluation {
  return evaluateScores(rows, rows.map((row) => metric(row.answer, row.context).value), options);
}

/** `evaluateFaithfulness` on scores already computed (one per row, null = not scorable), e.g. out-of-fold ones. */
export function evaluateScores(rows: readonly LabelledRow[], rowValues: readonly (number | null)[], options: EvaluateOptions): FaithfulnessEvaluation {
  const scored: { row: LabelledRow; value: number }[] = [];
  rows.forEach((row, i) => {
    const value = rowValues[i];
    if (value !== null && value !== undefined) scored.push({ row, value });
  });
  const values = scored.map((s) => s.value);
  const labels = scored.map((s) => s.row.faithful);
  const cv = bestThresholdCV(values, labels, {
    groups: scored.map((s) => (options.foldBy ?? byQuestion)(s.row)),
    folds: options.folds,
    seed: options.seed,
  });
  return {
    auc: rocAuc(values, labels),
    aucByGroup: options.groupBy ? aucByGroup(values, labels, scored.map((s) => options.groupBy!(s.row))) : {},
    balancedAccuracy: cv.balancedAccuracy,
    threshold: cv.threshold,
    calibration: calibrationTable(values, labels),
    nullCount: rows.length - scored.length,
    scored: scored.length,
  };
}

export function byQuestion(row: LabelledRow): string {
  return row.question;
}

/** AUC within each group (sorted by key); groups with a single class are skipped, not reported as NaN. */
export function aucByGroup(values: readonly number[], labels: readonly boolean[], groups: readonly string[]): Record<string, number> {
  const members = new Map<string, number[]>();
  groups.forEach((group, i) => members.set(group, [...(members.get(group) ?? []), i]));
  const out: Record<string, number> = {};
  for (const group of [...members.keys()].sort()) {
    const index = members.get(group)!;
    const groupLabels = index.map((i) => labels[i]!);
    if (groupLabels.includes(true) && groupLabels.includes(false)) {
      out[group] = rocAuc(index.map((i) => values[i]!), groupLabels);
    }
  }
  return out;
}
