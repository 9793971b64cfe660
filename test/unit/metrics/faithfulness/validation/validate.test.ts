import { describe, expect, it } from 'vitest';
import {
  crossValidatedScores,
  isShippedTrainingRow,
  kPrecision,
  lexicalFaithfulness,
  readLabelledSet,
  validateFaithfulnessMetric,
  type LabelledRow,
} from '../../../../../src/metrics/faithfulness/index.js';
import { fitLogistic, predictLogistic } from '../../../../../src/metrics/faithfulness/model/logistic.js';
import { rocAuc } from '../../../../../src/stats/roc.js';
import { datasetPath, lacks } from '../../../../helpers/datasets.js';

describe('fitLogistic against independent references', () => {
  it('recovers the closed-form MLE of a single binary feature (hand-solved)', () => {
    // x = 0: 1 of 4 positive, x = 1: 3 of 4 positive. Unpenalised MLE: P(y | x) equals each group's rate, so
    // bias = logit(1/4) = −ln 3 and bias + w = logit(3/4) = ln 3, i.e. w = 2 ln 3.
    const xs = [[0], [0], [0], [0], [1], [1], [1], [1]];
    const ys = [true, false, false, false, true, true, true, false];
    const model = fitLogistic(xs, ys, { l2: 0 });
    expect(model.bias).toBeCloseTo(-Math.log(3), 6);
    expect(model.weights[0]).toBeCloseTo(2 * Math.log(3), 6);
    expect(predictLogistic(model, [1])).toBeCloseTo(0.75, 6);
  });

  it('reproduces the published exam-pass example (Wikipedia, "Logistic regression": hours studied → pass)', () => {
    // 20 students; the article's fitted coefficients: intercept −4.0777, hours 1.5046.
    const hours = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.25, 3.5, 4, 4.25, 4.5, 4.75, 5, 5.5];
    const pass = [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1].map((v) => v === 1);
    const model = fitLogistic(hours.map((h) => [h]), pass, { l2: 0 });
    expect(model.bias).toBeCloseTo(-4.0777, 3);
    expect(model.weights[0]).toBeCloseTo(1.5046, 3);
  });

  it('treats a sample weight of 2 as the row counted twice', () => {
    const xs = [[0], [1], [2], [3], [1.5], [2.5]];
    const ys = [false, false, true, true, true, false];
    const weighted = fitLogistic(xs, ys, { l2: 0, sampleWeights: [1, 2, 1, 1, 1, 1] });
    const duplicated = fitLogistic([...xs, [1]], [...ys, false], { l2: 0 });
    expect(weighted.bias).toBeCloseTo(duplicated.bias, 8);
    expect(weighted.weights[0]).toBeCloseTo(duplicated.weights[0]!, 8);
  });
});

describe.skipIf(lacks('salad-lfqa-attribution'))('validateFaithfulnessMetric', () => {
  // 25 SALAD questions with all their systems' sentences: training rows of the shipped weights.
  const load = async () => {
    const rows = await readLabelledSet(datasetPath('salad-lfqa-attribution', 'labels.jsonl'));
    const questions = [...new Set(rows.map((r) => r.question))].slice(0, 25);
    return rows.filter((r) => questions.includes(r.question));
  };

  it('recognises the shipped training rows by content, and not an edited row', async () => {
    const rows = await load();
    expect(rows.every((r) => isShippedTrainingRow(r.answer, r.context))).toBe(true);
    expect(isShippedTrainingRow(`${rows[0]!.answer} (edited)`, rows[0]!.context)).toBe(false);
  });

  it('refits inside each fold on training rows instead of scoring them with the weights fitted on them', async () => {
    const rows = await load();
    const result = validateFaithfulnessMetric(rows, 'lexical-alignment', lexicalFaithfulness, { folds: 5, seed: 3 });
    expect(result.basis).toBe('refit-out-of-fold');
    expect(result.trainingOverlap).toBe(rows.length);
    expect(result.note).toMatch(/refitted inside each of 5 folds .* out-of-fold/);
    // The reported AUC is that of out-of-fold scores, not of the shipped (in-sample) weights.
    const oof = crossValidatedScores(rows.map((r) => ({ answer: r.answer, context: r.context, faithful: r.faithful, group: r.question })), { folds: 5, seed: 3 });
    const kept = oof.flatMap((v, i) => (v === null ? [] : [i]));
    expect(result.auc).toBeCloseTo(rocAuc(kept.map((i) => oof[i]!), kept.map((i) => rows[i]!.faithful)), 12);
    const inSample = rows.map((r) => lexicalFaithfulness(r.answer, r.context).value!);
    expect(result.auc).not.toBeCloseTo(rocAuc(inSample, rows.map((r) => r.faithful)), 6);
    expect(result.calibration.reduce((n, bin) => n + bin.count, 0)).toBe(result.scored);
  });

  it('uses the shipped weights on rows they were not fitted on, and says so', async () => {
    const rows: LabelledRow[] = (await load()).map((r) => ({ ...r, context: `${r.context}\nEnd of documents.` }));
    const result = validateFaithfulnessMetric(rows, 'lexical-alignment', lexicalFaithfulness, { folds: 5, seed: 3 });
    expect(result.basis).toBe('shipped-weights-unseen');
    expect(result.note).toMatch(/were not fitted on these rows/);
    const values = rows.map((r) => lexicalFaithfulness(r.answer, r.context).value!);
    expect(result.auc).toBeCloseTo(rocAuc(values, rows.map((r) => r.faithful)), 12);
    expect(validateFaithfulnessMetric(rows, 'k-precision', kPrecision, { folds: 5, seed: 3 }).basis).toBe('unfitted-metric');
  });
});
