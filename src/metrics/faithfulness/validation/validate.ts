import { crossValidatedScores } from '../model/fit.js';
import { lexicalFaithfulness } from '../model/lexical-alignment.js';
import type { FaithfulnessMetric } from '../score.js';
import { byQuestion, evaluateFaithfulness, evaluateScores, type EvaluateOptions, type FaithfulnessEvaluation, type LabelledRow } from './labelled-set.js';
import { isShippedTrainingRow } from '../model/training-rows.js';

/**
 * How the figures of `ragbench faithfulness` were obtained:
 * - `refit-out-of-fold`: some rows were in the shipped lexical-alignment model's training set, so scoring them with
 *   the shipped weights would be in-sample; the model is refitted inside each fold (λ by an inner CV) and every row
 *   is scored by a model that never saw its fold. The figures describe the method, not the shipped weights.
 * - `shipped-weights-unseen`: none of the rows was a training row: the shipped weights score data they were not fitted on.
 * - `unfitted-metric`: the metric has no fitted weights (k-precision).
 * The decision threshold is always chosen by grouped cross-validation.
 */
export type ValidationBasis = 'refit-out-of-fold' | 'shipped-weights-unseen' | 'unfitted-metric';

export interface FaithfulnessValidation extends FaithfulnessEvaluation {
  readonly basis: ValidationBasis;
  /** Rows of the labelled set that were training rows of the shipped model (matched by answer and context). */
  readonly trainingOverlap: number;
  /** One sentence saying which basis applies and why, printed above the figures. */
  readonly note: string;
}

/** Validates a faithfulness metric on labelled rows without ever scoring a row with weights fitted on it. */
export function validateFaithfulnessMetric(
  rows: readonly LabelledRow[],
  name: string,
  metric: FaithfulnessMetric,
  options: EvaluateOptions,
): FaithfulnessValidation {
  if (name !== 'lexical-alignment') {
    const result = evaluateFaithfulness(rows, metric, options);
    return { ...result, basis: 'unfitted-metric', trainingOverlap: 0, note: `${name} has no fitted weights; the threshold is cross-validated (${options.folds}-fold).` };
  }
  const overlap = rows.filter((row) => isShippedTrainingRow(row.answer, row.context)).length;
  if (overlap === 0) {
    const result = evaluateFaithfulness(rows, (answer, context) => lexicalFaithfulness(answer, context), options);
    const note = `the shipped lexical-alignment weights were not fitted on these rows (none of the ${rows.length} is a training row): AUC and calibration are out-of-sample; the threshold is cross-validated (${options.folds}-fold).`;
    return { ...result, basis: 'shipped-weights-unseen', trainingOverlap: 0, note };
  }
  const foldBy = options.foldBy ?? byQuestion;
  const examples = rows.map((row) => ({ answer: row.answer, context: row.context, faithful: row.faithful, group: foldBy(row) }));
  const outOfFold = crossValidatedScores(examples, { folds: options.folds, seed: options.seed });
  const result = evaluateScores(rows, outOfFold, { ...options, foldBy });
  const note =
    `${overlap} of the ${rows.length} rows are training rows of the shipped lexical-alignment weights, so those weights ` +
    `would score them in-sample: the model was refitted inside each of ${options.folds} folds (λ by an inner CV) and every figure ` +
    `below (AUC, balanced accuracy, calibration) is out-of-fold. It measures the method on this data, not the shipped weights.`;
  return { ...result, basis: 'refit-out-of-fold', trainingOverlap: overlap, note };
}
