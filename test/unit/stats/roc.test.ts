import { describe, expect, it } from 'vitest';
import { balancedAccuracy, bestThreshold, bestThresholdCV, calibrationTable, groupedFolds, rocAuc } from '../../../src/stats/roc.js';

const T = true;
const F = false;

describe('rocAuc', () => {
  it.each([
    ['sklearn docs example', [0.1, 0.4, 0.35, 0.8], [F, F, T, T], 0.75],
    ['a tie between classes counts one half', [0.5, 0.5, 0.2, 0.9], [T, F, F, T], 3.5 / 4],
    ['ties within a class change nothing', [0.3, 0.3, 0.7, 0.7], [F, F, T, T], 1],
    ['all-equal scores', [0.4, 0.4, 0.4, 0.4, 0.4], [T, F, T, F, F], 0.5],
    ['perfect ranking', [0.1, 0.2, 0.8, 0.9], [F, F, T, T], 1],
    ['inverted ranking', [0.9, 0.8, 0.2, 0.1], [F, F, T, T], 0],
  ])('%s', (_, scores, labels, expected) => {
    expect(rocAuc(scores, labels)).toBeCloseTo(expected, 12);
  });

  it('throws when a class is missing or the lengths differ', () => {
    expect(() => rocAuc([0.1, 0.2], [T, T])).toThrow(RangeError);
    expect(() => rocAuc([0.1], [T, F])).toThrow(RangeError);
    expect(() => rocAuc([Number.NaN, 0.2], [T, F])).toThrow(RangeError);
  });
});

describe('balancedAccuracy', () => {
  it.each([
    [0.65, 1],
    [0.5, (1 + 0.5) / 2],
    [0, 0.5],
    [1, 0.5],
  ])('at threshold %s is %s (mean of TPR and TNR, score ≥ threshold = positive)', (threshold, expected) => {
    expect(balancedAccuracy([0.2, 0.6, 0.7, 0.9], [F, F, T, T], threshold)).toBeCloseTo(expected, 12);
  });

  it('best threshold sits halfway between the rows it separates', () => {
    expect(bestThreshold([0.2, 0.6, 0.7, 0.9], [F, F, T, T])).toBeCloseTo(0.65, 12);
  });

  it('cross-validated threshold judges each row by a threshold chosen without its group', () => {
    const scores = [0.1, 0.2, 0.8, 0.9, 0.15, 0.85, 0.3, 0.7];
    const labels = [F, F, T, T, F, T, F, T];
    const groups = ['a', 'a', 'b', 'b', 'c', 'c', 'd', 'd'];
    const cv = bestThresholdCV(scores, labels, { groups, folds: 2, seed: 3 });
    expect(cv.thresholds).toHaveLength(2);
    expect(cv.balancedAccuracy).toBe(1);
    expect(cv.threshold).toBeCloseTo(0.5, 12);
  });
});

describe('calibrationTable', () => {
  it('bins scores, averages them and reports the observed positive rate; empty bins are null', () => {
    const table = calibrationTable([0.05, 0.15, 0.95, 1.0], [F, T, T, T], 2);
    expect(table).toEqual([
      { lower: 0, upper: 0.5, count: 2, meanScore: expect.closeTo(0.1, 12), positiveRate: 0.5 },
      { lower: 0.5, upper: 1, count: 2, meanScore: expect.closeTo(0.975, 12), positiveRate: 1 },
    ]);
    expect(calibrationTable([0.05], [T], 10)[5]).toMatchObject({ count: 0, meanScore: null, positiveRate: null });
  });

  it('rejects scores outside [0, 1]', () => {
    expect(() => calibrationTable([1.5], [T])).toThrow(RangeError);
  });
});

describe('groupedFolds', () => {
  const groups = Array.from({ length: 200 }, (_, i) => `q${i % 23}`);

  it('never splits a group and covers every row exactly once', () => {
    const folds = groupedFolds(groups, 5, 42);
    const seen = folds.flatMap((fold) => fold.test).sort((a, b) => a - b);
    expect(seen).toEqual(groups.map((_, i) => i));
    for (const { train, test } of folds) {
      const testGroups = new Set(test.map((i) => groups[i]));
      expect(train.some((i) => testGroups.has(groups[i]))).toBe(false);
      expect(train.length + test.length).toBe(groups.length);
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(groupedFolds(groups, 5, 42)).toEqual(groupedFolds(groups, 5, 42));
    expect(groupedFolds(groups, 5, 42)).not.toEqual(groupedFolds(groups, 5, 43));
  });

  it('needs at least as many groups as folds', () => {
    expect(() => groupedFolds(['a', 'b'], 3, 1)).toThrow(RangeError);
  });
});
