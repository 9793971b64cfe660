import { describe, expect, it } from 'vitest';
import { bootstrapMean, meanOf, pairedBootstrapBounds, pairedBootstrapDiff, quantile, standardDeviation } from '../../../src/stats/bootstrap.js';
import { createRandom } from '../../../src/stats/random.js';

const sample = (n: number, seed: number): number[] => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => random.next());
};

describe('createRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
  });

  it('stays in [0, 1) with a mean near 1/2 and ints cover [0, n)', () => {
    const random = createRandom(1);
    const values = Array.from({ length: 100_000 }, () => random.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(meanOf(values)).toBeCloseTo(0.5, 2);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[random.int(3)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(9_500);
  });

  it('rejects a bad seed or range', () => {
    expect(() => createRandom(NaN)).toThrow(RangeError);
    expect(() => createRandom(1).int(0)).toThrow(RangeError);
  });
});

describe('quantile (type 7)', () => {
  it.each([
    [0, 1],
    [1, 5],
    [0.5, 3],
    [0.25, 2],
    [0.1, 1.4],
  ])('p = %s → %s', (p, expected) => {
    expect(quantile([1, 2, 3, 4, 5], p)).toBeCloseTo(expected, 12);
  });
});

describe('bootstrapMean', () => {
  const values = sample(200, 3);

  it('is deterministic for a seed and changes with the seed', () => {
    expect(bootstrapMean(values, { seed: 5 })).toEqual(bootstrapMean(values, { seed: 5 }));
    expect(bootstrapMean(values, { seed: 5 })).not.toEqual(bootstrapMean(values, { seed: 6 }));
    expect(bootstrapMean(values)).toEqual(bootstrapMean(values, { seed: 42, resamples: 2000, confidence: 0.95 }));
  });

  it('reports the sample mean inside its interval', () => {
    const ci = bootstrapMean(values);
    expect(ci.mean).toBeCloseTo(meanOf(values), 12);
    expect(ci.lower).toBeLessThan(ci.mean);
    expect(ci.upper).toBeGreaterThan(ci.mean);
  });

  it('narrows roughly as 1/√n', () => {
    const width = (n: number) => {
      const ci = bootstrapMean(sample(n, 11));
      return ci.upper - ci.lower;
    };
    const small = width(50);
    const large = width(5000);
    expect(large).toBeLessThan(small);
    // √(5000/50) = 10; allow sampling noise.
    expect(small / large).toBeGreaterThan(7);
    expect(small / large).toBeLessThan(13);
  });

  it('matches the normal approximation for a large sample: half-width ≈ 1.96 · s / √n', () => {
    const n = 2000;
    const data = sample(n, 21);
    const ci = bootstrapMean(data, { resamples: 4000 });
    const m = meanOf(data);
    const sd = Math.sqrt(data.reduce((sum, x) => sum + (x - m) ** 2, 0) / (n - 1));
    const halfWidth = (ci.upper - ci.lower) / 2;
    expect(halfWidth / ((1.96 * sd) / Math.sqrt(n))).toBeGreaterThan(0.93);
    expect(halfWidth / ((1.96 * sd) / Math.sqrt(n))).toBeLessThan(1.07);
  });

  it('widens with the confidence level', () => {
    const narrow = bootstrapMean(values, { confidence: 0.5 });
    const wide = bootstrapMean(values, { confidence: 0.99 });
    expect(wide.upper - wide.lower).toBeGreaterThan(narrow.upper - narrow.lower);
  });

  it('gives a zero-width interval for a constant sample', () => {
    expect(bootstrapMean([0.3, 0.3, 0.3, 0.3])).toEqual({ mean: 0.3, lower: 0.3, upper: 0.3 });
    expect(bootstrapMean([1])).toEqual({ mean: 1, lower: 1, upper: 1 });
  });

  it('spans 0..1 for the sample {0, 1}: resample means are 0, ½, 1 with probabilities ¼, ½, ¼', () => {
    // The 2.5% and 97.5% quantiles of that distribution are 0 and 1 exactly.
    expect(bootstrapMean([0, 1])).toEqual({ mean: 0.5, lower: 0, upper: 1 });
    // And the central 40% lies entirely on ½.
    expect(bootstrapMean([0, 1], { confidence: 0.4 })).toEqual({ mean: 0.5, lower: 0.5, upper: 0.5 });
  });

  it.each([
    ['an empty sample', [], {}],
    ['a NaN', [1, NaN], {}],
    ['zero resamples', [1, 2], { resamples: 0 }],
    ['confidence 1', [1, 2], { confidence: 1 }],
  ])('rejects %s', (_what, bad, options) => {
    expect(() => bootstrapMean(bad, options)).toThrow(RangeError);
  });
});

describe('pairedBootstrapDiff', () => {
  it('estimates mean(a) − mean(b) and excludes 0 for a consistent improvement', () => {
    const b = sample(100, 4);
    const a = b.map((x) => x + 0.05);
    const ci = pairedBootstrapDiff(a, b);
    expect(ci.mean).toBeCloseTo(0.05, 12);
    // Every paired difference is 0.05, so pairing removes all query-to-query variance.
    expect(ci.lower).toBeCloseTo(0.05, 12);
    expect(ci.upper).toBeCloseTo(0.05, 12);
  });

  it('is narrower than an unpaired view when queries vary a lot', () => {
    const difficulty = sample(100, 5);
    const noise = sample(100, 6);
    const a = difficulty.map((d, i) => d + 0.02 + 0.01 * noise[i]!);
    const paired = pairedBootstrapDiff(a, difficulty);
    const unpaired = bootstrapMean(a);
    expect(paired.lower).toBeGreaterThan(0);
    expect(paired.upper - paired.lower).toBeLessThan((unpaired.upper - unpaired.lower) / 10);
  });

  it('includes 0 when neither system is better', () => {
    // b swaps adjacent scores of a: the differences come in ±d pairs, so their mean is exactly 0.
    const a = sample(100, 8);
    const b = a.map((_, i) => a[i % 2 === 0 ? i + 1 : i - 1]!);
    const ci = pairedBootstrapDiff(a, b);
    expect(ci.mean).toBeCloseTo(0, 12);
    expect(ci.lower).toBeLessThanOrEqual(0);
    expect(ci.upper).toBeGreaterThanOrEqual(0);
  });

  it('rejects samples of different lengths', () => {
    expect(() => pairedBootstrapDiff([1, 2], [1])).toThrow(/same length/);
  });
});

describe('pairedBootstrapBounds', () => {
  it('gives the two-sided interval\'s end points at level (1 + c)/2 and keeps lower ≤ mean ≤ upper', () => {
    const a = [0.2, 0.5, 0.9, 0.4, 0.1, 0.8, 0.3];
    const b = [0.1, 0.6, 0.7, 0.4, 0.0, 0.5, 0.2];
    const two = pairedBootstrapDiff(a, b, { confidence: 0.9, seed: 5 });
    const one = pairedBootstrapBounds(a, b, { level: 0.95, seed: 5 });
    expect(one.lower).toBeCloseTo(two.lower, 12);
    expect(one.upper).toBeCloseTo(two.upper, 12);
    expect(one.lower).toBeLessThanOrEqual(one.mean);
    expect(one.upper).toBeGreaterThanOrEqual(one.mean);
    expect(() => pairedBootstrapBounds(a, b, { level: 0.4 })).toThrow(RangeError);
  });

  it('raises the resamples so each tail holds at least 20 of them', () => {
    expect(pairedBootstrapBounds([1, 2], [0, 0], { level: 1 - 0.05 / 40 }).resamples).toBe(16_000);
    expect(pairedBootstrapBounds([1, 2], [0, 0], { level: 0.95 }).resamples).toBe(2000);
  });
});

describe('standardDeviation', () => {
  it('uses the n − 1 denominator and is 0 for one value', () => {
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(standardDeviation([3])).toBe(0);
  });
});
