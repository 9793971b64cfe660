import { describe, expect, it } from 'vitest';
import {
  adjustPValues,
  bhAdjust,
  holmAdjust,
  smallestAttainableP,
  logGamma,
  pairedRandomizationTest,
  pairedTTest,
  regularizedIncompleteBeta,
  studentTCdf,
} from '../../../src/stats/paired-tests.js';
import { createRandom } from '../../../src/stats/random.js';

// Student's sleep data (Cushny & Peebles 1905, analysed by "Student" 1908; R `datasets::sleep`): extra hours of
// sleep for 10 patients under two drugs. R `t.test(g1, g2, paired = TRUE)` prints t = -4.0621, df = 9,
// p-value = 0.002833; scipy.stats.ttest_rel gives t = -4.062127683382037, p = 0.002832890197384273.
const sleep1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const sleep2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('pairedRandomizationTest', () => {
  // d = a − b = [0.3, −0.1, 0.2], observed sum 0.4. The 8 sign vectors give sums
  // 0.6, 0.2, 0.4, 0, 0, −0.4, −0.2, −0.6 (enumerated by hand; scipy.stats.permutation_test agrees):
  // ≥ 0.4: {0.6, 0.4} → 2/8; ≤ 0.4: all but 0.6 → 7/8; |s| ≥ 0.4: {±0.6, ±0.4} → 4/8.
  it.each([
    ['greater', 0.25],
    ['less', 0.875],
    ['two-sided', 0.5],
  ] as const)('enumerates all 8 sign vectors of a 3-query example exactly (%s: p = %s)', (alternative, p) => {
    const result = pairedRandomizationTest([0.5, 0.4, 0.9], [0.2, 0.5, 0.7], { alternative });
    expect(result.method).toBe('exact');
    expect(result.permutations).toBe(8);
    expect(result.pValue).toBe(p);
    expect(result.meanDifference).toBeCloseTo(0.4 / 3, 12);
  });

  it('gives the sleep data its exact p: 9 non-zero differences all negative → 2/512 two-sided, 1/512 less', () => {
    const twoSided = pairedRandomizationTest(sleep1, sleep2);
    expect(twoSided).toMatchObject({ n: 10, nonZero: 9, method: 'exact', permutations: 512, pValue: 2 / 512 });
    expect(pairedRandomizationTest(sleep1, sleep2, { alternative: 'less' }).pValue).toBe(1 / 512);
    expect(pairedRandomizationTest(sleep1, sleep2, { alternative: 'greater' }).pValue).toBe(1);
  });

  it('gives p = 1 for identical systems, whatever the alternative or method', () => {
    const scores = [0.1, 0.5, 0.7, 0.2];
    for (const alternative of ['less', 'greater', 'two-sided'] as const) {
      expect(pairedRandomizationTest(scores, scores, { alternative }).pValue).toBe(1);
      expect(pairedRandomizationTest(scores, scores, { alternative, exactMaxN: 0, permutations: 99 }).pValue).toBe(1);
    }
  });

  it('uses the (b + 1) / (M + 1) Monte Carlo p, so an all-negative set of 30 queries gets 1/10001, not 0', () => {
    const b = Array.from({ length: 30 }, (_, i) => 0.5 + i / 100);
    const a = b.map((x) => x - 0.1);
    const result = pairedRandomizationTest(a, b, { alternative: 'less' });
    expect(result).toMatchObject({ method: 'monte-carlo', permutations: 10_000, pValue: 1 / 10_001 });
  });

  it('is reproducible with a seed and its Monte Carlo p is within sampling error of the exact p', () => {
    const random = createRandom(3);
    const b = Array.from({ length: 22 }, () => random.next());
    const a = b.map((x) => x + (random.next() - 0.45) * 0.3);
    const exact = pairedRandomizationTest(a, b, { exactMaxN: 22 }).pValue;
    const first = pairedRandomizationTest(a, b, { exactMaxN: 20, seed: 7 });
    const again = pairedRandomizationTest(a, b, { exactMaxN: 20, seed: 7 });
    expect(first.method).toBe('monte-carlo');
    expect(again.pValue).toBe(first.pValue);
    expect(pairedRandomizationTest(a, b, { exactMaxN: 20, seed: 8 }).pValue).not.toBe(first.pValue);
    // binomial standard error of a 10,000-draw estimate; 4 SE is a 1-in-15,000 false alarm
    const se = Math.sqrt((exact * (1 - exact)) / 10_000);
    expect(Math.abs(first.pValue - exact)).toBeLessThan(4 * se + 1e-4);
  });

  it('rejects mismatched or empty samples and bad options', () => {
    expect(() => pairedRandomizationTest([1, 2], [1])).toThrow(RangeError);
    expect(() => pairedRandomizationTest([], [])).toThrow(RangeError);
    expect(() => pairedRandomizationTest([NaN], [1])).toThrow(RangeError);
    expect(() => pairedRandomizationTest([1], [0], { permutations: 0 })).toThrow(RangeError);
  });
});

describe('pairedTTest', () => {
  it('reproduces the sleep data t-test (R and scipy)', () => {
    const result = pairedTTest(sleep1, sleep2);
    expect(result.t).toBeCloseTo(-4.062127683382037, 10);
    expect(result.df).toBe(9);
    expect(result.meanDifference).toBeCloseTo(-1.58, 12);
    expect(result.pValue).toBeCloseTo(0.002832890197384273, 12);
    expect(pairedTTest(sleep1, sleep2, 'less').pValue).toBeCloseTo(0.0014164450986921364, 12);
    expect(pairedTTest(sleep1, sleep2, 'greater').pValue).toBeCloseTo(1 - 0.0014164450986921364, 12);
  });

  it('gives p = 1 for identical samples and p = 0 for a constant non-zero difference', () => {
    expect(pairedTTest([1, 2, 3], [1, 2, 3])).toMatchObject({ t: 0, pValue: 1 });
    expect(pairedTTest([2, 3, 4], [1, 2, 3])).toMatchObject({ t: Infinity, pValue: 0 });
    expect(() => pairedTTest([1], [2])).toThrow(RangeError);
  });
});

describe('studentTCdf', () => {
  // Closed forms: df = 1 is Cauchy, F(t) = 1/2 + atan(t)/π; df = 2: F(t) = 1/2 + t / (2√(2 + t²)).
  it.each([
    [1, 1, 0.75],
    [-3, 1, 0.5 + Math.atan(-3) / Math.PI],
    [1, 2, 0.5 + 1 / (2 * Math.sqrt(3))],
    [0, 7, 0.5],
  ])('matches the closed form at t = %s, df = %s', (t, df, expected) => {
    expect(studentTCdf(t, df)).toBeCloseTo(expected, 13);
  });

  // scipy.stats.t.cdf(t, df), scipy 1.17
  it.each([
    [2.0, 5, 0.9490302605850708],
    [-2.5, 3, 0.04385332350403278],
    [0.5, 30, 0.6896384975574363],
    [3.0, 100, 0.9982960423283352],
    [10.0, 4, 0.999718998188642],
  ])('matches scipy at t = %s, df = %s', (t, df, expected) => {
    expect(studentTCdf(t, df)).toBeCloseTo(expected, 12);
  });

  it('handles infinite t and rejects df ≤ 0', () => {
    expect(studentTCdf(Infinity, 3)).toBe(1);
    expect(studentTCdf(-Infinity, 3)).toBe(0);
    expect(() => studentTCdf(1, 0)).toThrow(RangeError);
  });
});

describe('regularizedIncompleteBeta and logGamma', () => {
  it.each([
    // I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b; I_{1/2}(a, a) = 1/2; I_x(1/2, 1/2) = (2/π) asin √x
    [0.3, 2.5, 1, 0.3 ** 2.5],
    [0.3, 1, 4, 1 - 0.7 ** 4],
    [0.5, 7.5, 7.5, 0.5],
    [0.2, 0.5, 0.5, (2 / Math.PI) * Math.asin(Math.sqrt(0.2))],
    // scipy.special.betainc
    [0.3, 2.5, 1.5, 0.08894372317066562],
    [0.4, 10, 20, 0.7853183897628262],
  ])('I_%s(%s, %s) = %s', (x, a, b, expected) => {
    expect(regularizedIncompleteBeta(x, a, b)).toBeCloseTo(expected, 13);
  });

  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });
});

describe('holmAdjust', () => {
  // By hand: sorted 0.005, 0.01, 0.03, 0.04 × 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 → running max 0.02, 0.03,
  // 0.06, 0.06; back in input order. R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") → 0.03 0.06 0.06 0.02.
  it('steps down and keeps monotone order, as R p.adjust does', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((p, i) => expect(adjusted[i]).toBeCloseTo(p, 15));
  });

  it('caps at 1, leaves a single p alone and accepts an empty family', () => {
    expect(holmAdjust([0.5, 0.6])).toEqual([1, 1]);
    expect(holmAdjust([0.2])).toEqual([0.2]);
    expect(holmAdjust([])).toEqual([]);
    expect(() => holmAdjust([1.5])).toThrow(RangeError);
  });
});

// Benjamini & Hochberg (1995, J. R. Statist. Soc. B 57, §4.2): 15 p-values from a study of myocardial infarction
// treatments; at q = 0.05 the step-up procedure rejects the four smallest (the paper's worked example). The same
// vector is the classic input to R's p.adjust.
const bh1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];

/** BH by its definition, independently of the step-up loop: p̃_i = min over p_j ≥ p_i of m · p_j / rank(p_j). */
function bhByDefinition(p: readonly number[]): number[] {
  const sorted = [...p].sort((x, y) => x - y);
  return p.map((pi) => Math.min(1, ...sorted.map((pj, j) => (pj >= pi ? (p.length * pj) / (j + 1) : Infinity))));
}

/** Holm by its definition: p̃_i = max over p_(j) ≤ p_i of min(1, (m − j + 1) p_(j)) (ranks j from 1). */
function holmByDefinition(p: readonly number[]): number[] {
  const sorted = [...p].sort((x, y) => x - y);
  return p.map((pi) => Math.max(...sorted.map((pj, j) => (pj <= pi ? Math.min(1, (p.length - j) * pj) : 0))));
}

describe('bhAdjust', () => {
  it('rejects exactly the four smallest of Benjamini & Hochberg\'s 1995 example at q = 0.05', () => {
    const adjusted = bhAdjust(bh1995);
    expect(adjusted.filter((p) => p < 0.05)).toHaveLength(4);
    // By hand: rank 4: 15 · 0.0095 / 4 = 0.035625; rank 5: min(15·0.0201/5 = 0.0603, later ratios 0.0695, 0.063857,
    // 0.0645, 0.0765, …) = 0.0603; ranks 1–3: min(15·0.0019/3 = 0.0095, …) = 0.0095 for p = 0.0019, and 0.003, 0.0015
    // capped by the running min from above (0.0095 ≥ 0.003 ≥ 0.0015).
    expect(adjusted[3]).toBeCloseTo(0.035625, 12);
    expect(adjusted[4]).toBeCloseTo(0.0603, 12);
    expect(adjusted[2]).toBeCloseTo(0.0095, 12);
    expect(adjusted[1]).toBeCloseTo(0.003, 12);
    expect(adjusted[0]).toBeCloseTo(0.0015, 12);
    expect(adjusted[14]).toBe(1);
  });

  it('agrees with the definition on random families with ties, in input order', () => {
    const random = createRandom(7);
    for (let rep = 0; rep < 50; rep++) {
      const p = Array.from({ length: 1 + random.int(30) }, () => Math.round(random.next() * 40) / 40);
      bhAdjust(p).forEach((value, i) => expect(value).toBeCloseTo(bhByDefinition(p)[i]!, 12));
      holmAdjust(p).forEach((value, i) => expect(value).toBeCloseTo(holmByDefinition(p)[i]!, 12));
    }
  });

  it('is never stricter than Holm and leaves edge cases alone', () => {
    const holm = holmAdjust(bh1995);
    bhAdjust(bh1995).forEach((p, i) => expect(p).toBeLessThanOrEqual(holm[i]!));
    expect(bhAdjust([])).toEqual([]);
    expect(bhAdjust([0.3])).toEqual([0.3]);
    expect(adjustPValues([0.01, 0.04], 'bh')).toEqual(bhAdjust([0.01, 0.04]));
    expect(adjustPValues([0.01, 0.04], 'holm')).toEqual(holmAdjust([0.01, 0.04]));
    expect(() => bhAdjust([-0.1])).toThrow(RangeError);
  });
});

describe('smallestAttainableP', () => {
  it('is reached by an all-positive sample: 1/(P + 1) for Monte Carlo, 1/2^m or 2/2^m exact', () => {
    const ones = Array.from({ length: 30 }, () => 1);
    const zeros = ones.map(() => 0);
    const mc = pairedRandomizationTest(ones, zeros, { permutations: 999, alternative: 'greater' });
    expect(mc.pValue).toBe(1 / 1000);
    expect(smallestAttainableP(mc)).toBe(mc.pValue);
    const exact = pairedRandomizationTest(ones.slice(0, 8), zeros.slice(0, 8));
    expect(exact.pValue).toBe(2 / 256);
    expect(smallestAttainableP(exact)).toBe(exact.pValue);
    expect(smallestAttainableP(pairedRandomizationTest(ones.slice(0, 8), zeros.slice(0, 8), { alternative: 'less' }))).toBe(1 / 256);
    expect(smallestAttainableP(pairedRandomizationTest([1, 2], [1, 2]))).toBe(1);
  });
});

describe('pairedRandomizationTest against straight enumeration', () => {
  /** Every one of the 2^n sign vectors summed from scratch: a different algorithm from the meet-in-the-middle one. */
  function bruteForceTwoSided(d: readonly number[]): number {
    const observed = Math.abs(d.reduce((s, x) => s + x, 0));
    const tolerance = 1e-9 * d.reduce((s, x) => s + Math.abs(x), 0);
    let count = 0;
    for (let mask = 0; mask < 2 ** d.length; mask++) {
      let s = 0;
      for (let i = 0; i < d.length; i++) s += (mask >> i) & 1 ? -d[i]! : d[i]!;
      if (Math.abs(s) >= observed - tolerance) count++;
    }
    return count / 2 ** d.length;
  }

  it('matches the exact p on 16 queries, and the Monte Carlo p lands within 4 binomial SE of it on 24', () => {
    const random = createRandom(11);
    const d = Array.from({ length: 16 }, () => Math.round((random.next() - 0.35) * 20) / 20 || 0.05);
    expect(pairedRandomizationTest(d, d.map(() => 0)).pValue).toBeCloseTo(bruteForceTwoSided(d), 12);
    const long = Array.from({ length: 24 }, (_, i) => [0.1, -0.05, 0.2, 0.15, -0.1, 0.05][i % 6]! + (i % 5) * 0.01);
    const exact = pairedRandomizationTest(long, long.map(() => 0), { exactMaxN: 24 }).pValue;
    const mc = pairedRandomizationTest(long, long.map(() => 0), { exactMaxN: 0, permutations: 20_000, seed: 3 });
    expect(mc.method).toBe('monte-carlo');
    expect(Math.abs(mc.pValue - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / 20_000) + 1 / 20_001);
  });
});
