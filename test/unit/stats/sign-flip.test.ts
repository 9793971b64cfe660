import { describe, expect, it } from 'vitest';
import { familyPermutationLimit, pairedRandomizationTest, smallestAttainableP } from '../../../src/stats/paired-tests.js';
import { createRandom } from '../../../src/stats/random.js';
import { signFlipMonteCarlo } from '../../../src/stats/sign-flip.js';

/** Straight enumeration of the 2^n sign vectors: the share at least as extreme (two-sided) as the observed sum. */
function exactTwoSided(d: readonly number[]): number {
  const observed = Math.abs(d.reduce((s, x) => s + x, 0));
  let extreme = 0;
  for (let mask = 0; mask < 2 ** d.length; mask++) {
    let s = 0;
    for (let i = 0; i < d.length; i++) s += mask & (1 << i) ? -d[i]! : d[i]!;
    if (Math.abs(s) >= observed - 1e-9) extreme++;
  }
  return extreme / 2 ** d.length;
}

describe('signFlipMonteCarlo', () => {
  it('draws each sign pattern of a short last group equally often (3 differences: 8 sums, 1/8 each)', () => {
    const d = [1, 2, 4];
    const counts = new Map<number, number>();
    const draws = 80_000;
    // isExtreme sees every drawn sum; count them instead of testing.
    signFlipMonteCarlo(d, (sum) => (counts.set(sum, (counts.get(sum) ?? 0) + 1), false), { limit: draws, seed: 7 });
    expect(counts.size).toBe(8);
    for (const count of counts.values()) expect(Math.abs(count / draws - 1 / 8)).toBeLessThan(4 * Math.sqrt((1 / 8) * (7 / 8) / draws));
  });

  it('lands within 4 binomial SE of the enumerated p on 18 differences (groups of 8, 8 and 2)', () => {
    const random = createRandom(3);
    const d = Array.from({ length: 18 }, () => random.next() - 0.35);
    const exact = exactTwoSided(d);
    const observed = Math.abs(d.reduce((s, x) => s + x, 0));
    const tolerance = 1e-9 * d.reduce((s, x) => s + Math.abs(x), 0);
    const limit = 200_000;
    const { pValue } = signFlipMonteCarlo(d, (s) => Math.abs(s) >= observed - tolerance, { limit, seed: 11 });
    expect(exact).toBeGreaterThan(0.001);
    expect(Math.abs(pValue - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / limit) + 1 / limit);
  });

  it('stops a large p early (h/m) and spends the whole limit on a tiny one', () => {
    const random = createRandom(5);
    const noise = Array.from({ length: 200 }, () => random.next() - 0.5);
    const early = pairedRandomizationTest(noise, noise.map(() => 0), { permutations: 100_000, stopAfterExtreme: 100 });
    expect(early.permutations).toBeLessThan(5_000);
    expect(early.permutationLimit).toBe(100_000);
    expect(early.pValue).toBeGreaterThan(0.02);
    const shifted = noise.map((x) => x + 0.4);
    const late = pairedRandomizationTest(shifted, noise.map(() => 0), { permutations: 100_000, stopAfterExtreme: 100 });
    expect(late.permutations).toBe(100_000);
    expect(late.pValue).toBe(1 / 100_001);
    expect(smallestAttainableP(early)).toBe(1 / 100_001);
  });

  it('keeps the sequential p valid: under H0, P(p ≤ α) ≤ α within simulation error (2,000 null samples)', () => {
    const random = createRandom(17);
    const trials = 2_000;
    const hits = { 0.05: 0, 0.2: 0 };
    for (let t = 0; t < trials; t++) {
      // Symmetric about 0: the null of the sign-flip test holds exactly.
      const d = Array.from({ length: 40 }, () => (random.next() < 0.5 ? -1 : 1) * random.next());
      const { pValue } = pairedRandomizationTest(d, d.map(() => 0), { permutations: 2_000, stopAfterExtreme: 20, seed: t });
      if (pValue <= 0.05) hits[0.05]++;
      if (pValue <= 0.2) hits[0.2]++;
    }
    for (const [alpha, count] of Object.entries(hits)) {
      const a = Number(alpha);
      expect(count / trials).toBeLessThan(a + 3 * Math.sqrt((a * (1 - a)) / trials));
      // Not absurdly conservative either: the test still rejects at close to its level.
      expect(count / trials).toBeGreaterThan(a - 4 * Math.sqrt((a * (1 - a)) / trials));
    }
  });
});

describe('familyPermutationLimit', () => {
  it('resolves α/F twenty times over: 315 tests at 0.05 → 126,000 draws; small families keep 10,000', () => {
    expect(familyPermutationLimit(315, 0.05)).toBe(126_000);
    expect(1 / (familyPermutationLimit(315, 0.05) + 1)).toBeLessThan(0.05 / 315 / 20 + 1e-12);
    expect(familyPermutationLimit(3, 0.05)).toBe(10_000);
    expect(familyPermutationLimit(0, 0.05)).toBe(10_000);
  });
});
