import { describe, expect, it } from 'vitest';
import { calibrationIntervals, classifierIntervals } from '../../../../../src/metrics/faithfulness/validation/intervals.js';
import { evaluateScores, type LabelledRow } from '../../../../../src/metrics/faithfulness/validation/labelled-set.js';
import { clusterBootstrap } from '../../../../../src/stats/bootstrap.js';
import { normalQuantile } from '../../../../../src/stats/normal.js';
import { createRandom, type Random } from '../../../../../src/stats/random.js';
import { rocAuc } from '../../../../../src/stats/roc.js';

/**
 * DeLong, DeLong & Clarke-Pearson (1988), written here independently of src/: the AUC's variance from the
 * structural components V10(x) = mean over negatives y of ψ(x, y) and V01(y) = mean over positives x of ψ(x, y),
 * ψ = 1 if x > y, ½ if tied, 0 otherwise; Var = s²(V10)/m + s²(V01)/n.
 */
function delong(positives: readonly number[], negatives: readonly number[]): { auc: number; se: number } {
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  const v10 = positives.map((x) => negatives.reduce((s, y) => s + psi(x, y), 0) / negatives.length);
  const v01 = negatives.map((y) => positives.reduce((s, x) => s + psi(x, y), 0) / positives.length);
  const auc = v10.reduce((a, b) => a + b, 0) / v10.length;
  const variance = (v: number[]) => v.reduce((s, x) => s + (x - auc) ** 2, 0) / (v.length - 1);
  return { auc, se: Math.sqrt(variance(v10) / positives.length + variance(v01) / negatives.length) };
}

function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** Binormal scores: negatives N(0, 1), positives N(d, 1), so the true AUC is Φ(d / √2); each row its own question. */
function binormal(auc: number, positives: number, negatives: number, random: Random) {
  const d = Math.SQRT2 * normalQuantile(auc);
  const scores = [...Array.from({ length: positives }, () => d + gaussian(random)), ...Array.from({ length: negatives }, () => gaussian(random))];
  const labels = scores.map((_, i) => i < positives);
  return { scores, labels, predicted: scores.map((s) => s >= d / 2), questions: scores.map((_, i) => `q${i}`) };
}

describe('DeLong (the independent reference)', () => {
  it("reproduces Hanley & McNeil (1982)'s CT example: AUC 0.893, standard error ≈ 0.032", () => {
    // Ratings 1–5 (definitely normal … definitely abnormal) of 58 normal and 51 abnormal patients, their Table 1.
    const expand = (counts: number[]) => counts.flatMap((c, rating) => new Array<number>(c).fill(rating + 1));
    const normal = expand([33, 6, 6, 11, 2]);
    const abnormal = expand([3, 2, 2, 11, 33]);
    const { auc, se } = delong(abnormal, normal);
    expect(auc).toBeCloseTo(0.893, 3);
    expect(rocAuc([...abnormal, ...normal], [...abnormal.map(() => true), ...normal.map(() => false)])).toBeCloseTo(auc, 12);
    // Hanley & McNeil's exponential approximation gives 0.032; DeLong's nonparametric variance is close to it.
    expect(se).toBeGreaterThan(0.028);
    expect(se).toBeLessThan(0.036);
  });
});

describe('classifierIntervals', () => {
  it("the AUC interval agrees with DeLong's normal interval (AUC ± 1.96 SE) on 150 + 150 binormal rows", () => {
    const data = binormal(0.8, 150, 150, createRandom(3));
    const result = classifierIntervals(data, { seed: 1, resamples: 4000 });
    const reference = delong(data.scores.slice(0, 150), data.scores.slice(150));
    expect(result.auc!.mean).toBeCloseTo(reference.auc, 12);
    expect(result.auc!.lower!).toBeCloseTo(reference.auc - 1.96 * reference.se, 2);
    expect(result.auc!.upper!).toBeCloseTo(reference.auc + 1.96 * reference.se, 2);
    const width = result.auc!.upper! - result.auc!.lower!;
    expect(width / (2 * 1.96 * reference.se)).toBeGreaterThan(0.9);
    expect(width / (2 * 1.96 * reference.se)).toBeLessThan(1.1);
  });

  it.each([0.7, 0.9])('covers a known AUC of %f in about 95 percent of 300 binormal samples (60 + 60 rows)', (auc) => {
    const random = createRandom(Math.round(auc * 100));
    let covered = 0;
    for (let s = 0; s < 300; s++) {
      const data = binormal(auc, 60, 60, random);
      const { lower, upper } = classifierIntervals(data, { seed: s, resamples: 500 }).auc!;
      if (lower! <= auc && auc <= upper!) covered++;
    }
    console.info(`AUC ${auc}, 60 + 60 rows: coverage of the 95% interval ${(covered / 300).toFixed(3)} over 300 samples`);
    // Nominal 0.95, SE ≈ 0.013 over 300 samples; the percentile interval runs slightly short near AUC 0.9.
    expect(covered / 300).toBeGreaterThanOrEqual(0.91);
    expect(covered / 300).toBeLessThanOrEqual(0.985);
  });

  it('resamples questions, not rows: when a question’s rows agree the interval is wider than a row bootstrap’s', () => {
    // 40 questions of 6 rows each; the rows of a question share its label and nearly its score.
    const random = createRandom(5);
    const scores: number[] = [];
    const labels: boolean[] = [];
    const questions: string[] = [];
    for (let q = 0; q < 40; q++) {
      const label = q % 2 === 0;
      const base = (label ? 0.8 : 0) + gaussian(random);
      for (let r = 0; r < 6; r++) scores.push(base + 0.05 * gaussian(random)), labels.push(label), questions.push(`q${q}`);
    }
    const input = { scores, labels, predicted: scores.map((s) => s > 0.4), questions };
    const byQuestion = classifierIntervals(input, { seed: 1 }).auc!;
    const byRow = classifierIntervals({ ...input, questions: scores.map((_, i) => `row${i}`) }, { seed: 1 }).auc!;
    expect(byQuestion.upper! - byQuestion.lower!).toBeGreaterThan(1.8 * (byRow.upper! - byRow.lower!));
  });

  it('a perfect per-class rate gets the exact Clopper–Pearson interval over its questions, not [1, 1]', () => {
    const data = binormal(0.99, 30, 30, createRandom(9));
    const result = classifierIntervals({ ...data, predicted: data.labels }, { seed: 1 });
    expect(result.truePositiveRate).toEqual({ mean: 1, lower: 0.025 ** (1 / 30), upper: 1 });
    expect(result.trueNegativeRate!.lower).toBeCloseTo(0.025 ** (1 / 30), 12);
    expect(result.balancedAccuracy!.mean).toBe(1);
  });

  it('perfect separation (AUC 1) is not [1, 1]: AUC ≥ TPR·TNR and balanced accuracy ≥ their mean at 97.5% each side', () => {
    const scores = [...Array.from({ length: 30 }, (_, i) => 1 + i), ...Array.from({ length: 20 }, (_, i) => -i)];
    const labels = scores.map((_, i) => i < 30);
    const result = classifierIntervals({ scores, labels, predicted: labels, questions: scores.map((_, i) => `q${i}`) }, { seed: 1 });
    // Hand check: Clopper–Pearson lower bounds at α/2 = 0.0125 for 30 of 30 and 20 of 20 are 0.0125^(1/30), 0.0125^(1/20).
    const [tpr, tnr] = [0.0125 ** (1 / 30), 0.0125 ** (1 / 20)];
    expect(result.auc).toMatchObject({ mean: 1, upper: 1 });
    expect(result.auc!.lower!).toBeCloseTo(tpr * tnr, 10);
    expect(result.balancedAccuracy!.lower!).toBeCloseTo((tpr + tnr) / 2, 10);
  });

  it('computes no interval over fewer than 5 questions, and no AUC for a single class', () => {
    const few = classifierIntervals({ scores: [0.1, 0.9, 0.2, 0.8], labels: [false, true, false, true], predicted: [false, true, false, true], questions: ['a', 'a', 'b', 'c'] }, { seed: 1 });
    expect(few.auc).toEqual({ mean: 1, lower: null, upper: null });
    const one = classifierIntervals({ scores: [0.1, 0.9, 0.2, 0.8, 0.3], labels: [true, true, true, true, true], predicted: [true, true, false, true, true], questions: ['a', 'b', 'c', 'd', 'e'] }, { seed: 1 });
    expect(one.auc).toBeNull();
    expect(one.trueNegativeRate).toBeNull();
    expect(one.truePositiveRate!.mean).toBe(0.8);
  });
});

describe('clusterBootstrap', () => {
  it('stratified by class composition, every resample holds both classes (rocAuc would throw otherwise)', () => {
    // 1 unfaithful question among 30 faithful ones: unstratified, (30/31)^31 ≈ 36% of resamples would lack it.
    const labels = [...new Array<boolean>(30).fill(true), false];
    const clusters = labels.map((_, i) => [i]);
    const scores = labels.map((_, i) => i / 31);
    const strata = labels.map((label) => (label ? 'faithful' : 'unfaithful'));
    const result = clusterBootstrap(clusters, strata, (rows) => ({ auc: rocAuc(rows.map((i) => scores[i]!), rows.map((i) => labels[i]!)) }), { resamples: 500, seed: 2 });
    expect(result.auc!.lower).toBeGreaterThanOrEqual(0);
    expect(result.auc!.upper).toBeLessThanOrEqual(1);
  });

  it('is deterministic for a seed and differs for another', () => {
    const clusters = Array.from({ length: 20 }, (_, i) => [i]);
    const strata = clusters.map(() => 'all');
    const mean = (rows: readonly number[]) => ({ mean: rows.reduce((a, b) => a + b, 0) / rows.length });
    expect(clusterBootstrap(clusters, strata, mean, { seed: 4 })).toEqual(clusterBootstrap(clusters, strata, mean, { seed: 4 }));
    expect(clusterBootstrap(clusters, strata, mean, { seed: 4 })).not.toEqual(clusterBootstrap(clusters, strata, mean, { seed: 5 }));
  });
});

describe('evaluateScores intervals', () => {
  const row = (i: number, faithful: boolean, system: string): LabelledRow => ({ id: `r${i}`, question: `q${i % 12}`, context: '', answer: '', faithful, fields: { system } });

  it('reports aucCi, per-group intervals and calibration intervals that contain their estimates', () => {
    const random = createRandom(11);
    const rows = Array.from({ length: 96 }, (_, i) => row(i, i % 3 !== 0, i % 2 === 0 ? 'a' : 'b'));
    const scores = rows.map((r) => Math.min(1, Math.max(0, (r.faithful ? 0.65 : 0.35) + 0.2 * gaussian(random))));
    const result = evaluateScores(rows, scores, { folds: 3, seed: 1, groupBy: (r) => String(r.fields.system), resamples: 500 });
    expect(result.aucCi.lower!).toBeLessThanOrEqual(result.auc);
    expect(result.aucCi.upper!).toBeGreaterThanOrEqual(result.auc);
    expect(result.aucCi.upper! - result.aucCi.lower!).toBeGreaterThan(0.02);
    expect(Object.keys(result.groups)).toEqual(['a', 'b']);
    for (const group of Object.values(result.groups)) {
      expect(group.questions).toBe(6);
      for (const figure of [group.auc, group.balancedAccuracy, group.truePositiveRate, group.trueNegativeRate]) {
        expect(figure!.lower!).toBeLessThanOrEqual(figure!.mean);
        expect(figure!.upper!).toBeGreaterThanOrEqual(figure!.mean);
      }
    }
    expect(result.groups.a!.auc!.mean).toBeCloseTo(result.aucByGroup.a!, 12);
    for (const bin of result.calibration.filter((b) => b.count > 0)) {
      expect(bin.positiveRateLower!).toBeLessThanOrEqual(bin.positiveRate!);
      expect(bin.positiveRateUpper!).toBeGreaterThanOrEqual(bin.positiveRate!);
    }
    // The same seed, the same intervals.
    expect(evaluateScores(rows, scores, { folds: 3, seed: 1, resamples: 500 }).aucCi).toEqual(result.aucCi);
  });

  it('calibrationIntervals: an empty bin has no interval', () => {
    const bins = calibrationIntervals({ scores: [0.05, 0.06, 0.95, 0.96, 0.97, 0.07], labels: [false, false, true, true, true, true], questions: ['a', 'b', 'c', 'd', 'e', 'f'] }, { bins: 10, seed: 1, resamples: 200 });
    expect(bins[5]).toEqual({ lower: null, upper: null });
    expect(bins[9]!.lower).toBeCloseTo(0.025 ** (1 / 3), 12);
  });
});
