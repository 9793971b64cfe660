import { kPrecision } from './k-precision.js';
import { lexicalFaithfulness } from './model/lexical-alignment.js';
import type { FaithfulnessMetric } from './score.js';

/**
 * Offline faithfulness metrics by the name users write (`ragbench faithfulness --metric lexical-alignment`).
 * `lexical-alignment` is the default and best; `k-precision` is the documented baseline.
 */
export const faithfulnessMetrics = {
  'k-precision': kPrecision,
  'lexical-alignment': (answer, context) => lexicalFaithfulness(answer, context),
} as const satisfies Record<string, FaithfulnessMetric>;
export type FaithfulnessMetricName = keyof typeof faithfulnessMetrics;
export { kPrecision } from './k-precision.js';
export { lexicalFaithfulness, lexicalAlignmentModel, type LexicalFaithfulnessOptions } from './model/lexical-alignment.js';
export { referenceOverlap } from './validation/overlap-baseline.js';
export { featureNames, modelInputNames, type SupportFeatures } from './features.js';
export { readLabelledSet, evaluateFaithfulness, type LabelledRow, type FaithfulnessEvaluation } from './validation/labelled-set.js';
export { fitFaithfulnessModel, crossValidatedScores, type TrainingExample } from './model/fit.js';
export { validateFaithfulnessMetric, type FaithfulnessValidation, type ValidationBasis } from './validation/validate.js';
export { isShippedTrainingRow, trainingRowKey } from './model/training-rows.js';
export type { Score, FaithfulnessMetric } from './score.js';
