import { describe, expect, it } from 'vitest';
import { jaccardAtK, rankBiasedOverlap, recallAgainst } from '../../../src/metrics/overlap.js';

const a = ['a', 'b', 'c', 'd'];
const b = ['b', 'a', 'd', 'e'];

describe('jaccardAtK', () => {
  it.each([
    // top-4: {a,b,c,d} vs {b,a,d,e}: 3 shared of 5 distinct
    [a, b, 4, 3 / 5],
    // top-2: {a,b} vs {b,a}: order inside the cut does not matter
    [a, b, 2, 1],
    // top-3: {a,b,c} vs {b,a,d}: 2 of 4
    [a, b, 3, 2 / 4],
    // k beyond both lists: the whole lists
    [a, b, 100, 3 / 5],
    [['x'], ['y'], 1, 0],
    [[], [], 10, 1],
    [['x'], [], 10, 0],
    // a duplicate id counts once: {a,b} vs {a,b}
    [['a', 'a', 'b'], ['a', 'b'], 2, 1],
  ] as const)('%j vs %j at %i = %d', (left, right, k, expected) => {
    expect(jaccardAtK(left, right, k)).toBeCloseTo(expected, 12);
  });
});

describe('rankBiasedOverlap (extrapolated)', () => {
  it('identical lists score 1 at any p', () => {
    expect(rankBiasedOverlap(a, a, { p: 0.9 })).toBeCloseTo(1, 12);
    expect(rankBiasedOverlap(a, a, { p: 0.5 })).toBeCloseTo(1, 12);
  });

  it('disjoint lists score 0', () => {
    expect(rankBiasedOverlap(['a', 'b'], ['c', 'd'])).toBe(0);
  });

  it('matches a hand computation at p = 0.5', () => {
    // X1..X4 = 0, 2, 2, 3. Σ (X_i/i)·p^i = 0 + 1·0.25 + (2/3)·0.125 + 0.75·0.0625 = 0.380208…
    // (1−p)/p = 1; tail (X4/4)·p^4 = 0.75·0.0625 = 0.046875 → 0.4270833…
    expect(rankBiasedOverlap(a, b, { p: 0.5 })).toBeCloseTo(0.25 + 0.125 * (2 / 3) + 0.0625 * 0.75 + 0.046875, 12);
  });

  it('weighs the top more than the bottom: a swap at the top costs more than one at the bottom', () => {
    const swappedTop = rankBiasedOverlap(['a', 'b', 'c', 'd'], ['b', 'a', 'c', 'd']);
    const swappedBottom = rankBiasedOverlap(['a', 'b', 'c', 'd'], ['a', 'b', 'd', 'c']);
    expect(swappedTop).toBeLessThan(swappedBottom);
    expect(swappedBottom).toBeLessThan(1);
  });

  it('cuts at k and at the shorter list; empty against non-empty is 0, both empty 1', () => {
    // depth 1: X1 = 1 → (1−p)/p·p + p = 1
    expect(rankBiasedOverlap(['a', 'x'], ['a', 'y'], { k: 1 })).toBeCloseTo(1, 12);
    expect(rankBiasedOverlap(['a'], ['a', 'b', 'c'])).toBeCloseTo(1, 12);
    expect(rankBiasedOverlap([], ['a'])).toBe(0);
    expect(rankBiasedOverlap([], [])).toBe(1);
    expect(() => rankBiasedOverlap(a, b, { p: 1 })).toThrow(RangeError);
  });
});

describe('recallAgainst', () => {
  it.each([
    // exact top-3 {a,b,c}; approximate top-3 {b,a,d} finds 2
    [b, a, 3, 2 / 3],
    [a, a, 4, 1],
    [['z'], a, 2, 0],
    [['z'], [], 10, 1],
    // the approximate list is cut at k too: d at place 3 does not count for k = 2
    [['x', 'y', 'a'], ['a', 'b'], 2, 0],
  ] as const)('%j against exact %j at %i = %d', (approximate, exact, k, expected) => {
    expect(recallAgainst(approximate, exact, k)).toBeCloseTo(expected, 12);
  });
});
