import type { FaithfulnessValidation } from '../metrics/faithfulness/index.js';
import type { ClassifierIntervals, IntervalEstimate } from '../metrics/faithfulness/validation/intervals.js';
import { textTable } from './text-table.js';

/** `0.8123 [0.7901, 0.8330]`; `n/a` for an undefined figure; `(no interval: …)` below the minimum of questions. */
function cell(estimate: IntervalEstimate | null, digits = 4): string {
  if (!estimate) return 'n/a';
  if (estimate.lower === null || estimate.upper === null) return `${estimate.mean.toFixed(digits)} [no interval]`;
  return `${estimate.mean.toFixed(digits)} [${estimate.lower.toFixed(digits)}, ${estimate.upper.toFixed(digits)}]`;
}

/**
 * The text of `ragbench faithfulness`: AUC, balanced accuracy and the per-class rates at the chosen threshold, each
 * with its bootstrap interval by question, per group when grouped, then calibration.
 */
export function renderFaithfulnessValidation(
  result: FaithfulnessValidation,
  context: { readonly metric: string; readonly labels: string; readonly folds: number; readonly groupBy?: string },
): string {
  const outOfFold = result.basis === 'refit-out-of-fold' ? ', out-of-fold' : '';
  const { overall, intervals } = result;
  const pct = Math.round(intervals.confidence * 100);
  const lines = [
    `metric ${context.metric} on ${context.labels}: ${result.scored} rows scored, ${result.nullCount} not scorable`,
    `note: ${result.note}`,
    `intervals: ${pct}% percentile bootstrap by question (${overall.questions} questions, resampled within all-faithful / all-unfaithful / mixed ` +
      `strata so both classes appear), ${intervals.resamples} resamples, seed ${intervals.seed}; the threshold and out-of-fold scores are held fixed` +
      (overall.questions < intervals.minQuestions ? `; fewer than ${intervals.minQuestions} questions: no interval` : ''),
    `ROC AUC (faithful${outOfFold})`.padEnd(36) + cell(overall.auc),
    `balanced accuracy (${context.folds}-fold CV)`.padEnd(36) + `${cell(overall.balancedAccuracy)}   threshold ${result.threshold.toFixed(4)} (faithful iff score ≥ threshold)`,
    `  faithful judged faithful`.padEnd(36) + cell(overall.truePositiveRate),
    `  unfaithful judged unfaithful`.padEnd(36) + cell(overall.trueNegativeRate),
  ];
  const groups = Object.entries(result.groups);
  if (groups.length > 0) lines.push('', ...groupTable(groups, context.groupBy ?? 'group'));
  lines.push('', `calibration${outOfFold ? ' (out-of-fold)' : ''}     rows  mean score  faithful rate [${pct}% interval]`);
  for (const bin of result.calibration) {
    if (bin.count === 0) continue;
    lines.push(
      `[${bin.lower.toFixed(1)}, ${bin.upper.toFixed(1)})`.padEnd(14) +
        String(bin.count).padStart(6) +
        (bin.meanScore ?? 0).toFixed(3).padStart(12) +
        (bin.positiveRate ?? 0).toFixed(3).padStart(15) +
        (bin.positiveRateLower !== null && bin.positiveRateUpper !== null ? ` [${bin.positiveRateLower.toFixed(3)}, ${bin.positiveRateUpper.toFixed(3)}]` : ' [no interval]'),
    );
  }
  return lines.join('\n');
}

/** One row per group: its rows, questions, and every figure with its interval (n/a: the group has one class only). */
function groupTable(groups: readonly (readonly [string, ClassifierIntervals])[], field: string): string[] {
  return textTable(
    [field, 'rows', 'questions', 'AUC', 'balanced accuracy', 'faithful judged faithful', 'unfaithful judged unfaithful'],
    groups.map(([name, g]) => [name, String(g.rows), String(g.questions), cell(g.auc, 3), cell(g.balancedAccuracy, 3), cell(g.truePositiveRate, 3), cell(g.trueNegativeRate, 3)]),
    (column) => column === 0,
  );
}
