import { describe, expect, it } from 'vitest';
import { armPairs, comparePairwise, describeFamily } from '../../../src/stats/pairwise.js';
import { holmAdjust, bhAdjust, pairedRandomizationTest } from '../../../src/stats/paired-tests.js';
import { createRandom } from '../../../src/stats/random.js';

const options = { kind: 'all-pairs', correction: 'holm', alpha: 0.05, confidence: 0.95, permutations: 1000, seed: 42 } as const;

describe('armPairs', () => {
  it('lists every unordered pair once, or each arm against the baseline', () => {
    expect(armPairs(['x', 'y', 'z'])).toEqual([{ a: 'x', b: 'y' }, { a: 'x', b: 'z' }, { a: 'y', b: 'z' }]);
    expect(armPairs(['x', 'y', 'z'], 'y')).toEqual([{ a: 'x', b: 'y' }, { a: 'z', b: 'y' }]);
    expect(armPairs(['x'])).toEqual([]);
  });
});

describe('comparePairwise', () => {
  const a = [0.5, 0.7, 0.2, 0.9, 0.4];
  const b = [0.4, 0.5, 0.2, 0.6, 0.5];
  const c = [0.1, 0.1, 0.2, 0.3, 0.0];

  it('gives delta, the paired p, the family-adjusted p and d_z = mean/sd of the differences', () => {
    const result = comparePairwise(
      [
        { metric: 'm', a: 'a', b: 'b', x: a, y: b },
        { metric: 'm', a: 'a', b: 'c', x: a, y: c },
        { metric: 'm', a: 'b', b: 'c', x: b, y: c },
      ],
      options,
    );
    // a − b = [0.1, 0.2, 0, 0.3, −0.1]: mean 0.1, sd = √((0 + 0.01 + 0.01 + 0.04 + 0.04)/4) = √0.025
    const first = result.entries[0]!;
    expect(first.delta).toBeCloseTo(0.1, 12);
    expect(first.effectSize).toBeCloseTo(0.1 / Math.sqrt(0.025), 10);
    expect(first.queries).toBe(5);
    expect(first.ci.lower).toBeLessThanOrEqual(first.delta);
    const ps = [pairedRandomizationTest(a, b).pValue, pairedRandomizationTest(a, c).pValue, pairedRandomizationTest(b, c).pValue];
    expect(result.entries.map((e) => e.p)).toEqual(ps);
    expect(result.entries.map((e) => e.pAdjusted)).toEqual(holmAdjust(ps));
    expect(result.family).toMatchObject({ kind: 'all-pairs', correction: 'holm', size: 3 });
    const bh = comparePairwise([{ metric: 'm', a: 'a', b: 'c', x: a, y: c }, { metric: 'm', a: 'b', b: 'c', x: b, y: c }], { ...options, correction: 'bh' });
    expect(bh.entries.map((e) => e.pAdjusted)).toEqual(bhAdjust([ps[1]!, ps[2]!]));
    expect(describeFamily(result.family)).toContain('Holm over 3 tests');
  });

  it('reports a zero effect for identical arms and an infinite one for a constant shift', () => {
    const result = comparePairwise(
      [
        { metric: 'm', a: 'a', b: 'a2', x: a, y: a },
        { metric: 'm', a: 'a', b: 'a3', x: a.map((v) => v + 0.1), y: a },
      ],
      options,
    );
    expect(result.entries[0]).toMatchObject({ delta: 0, effectSize: 0, p: 1 });
    expect(result.entries[1]!.effectSize).toBe(Infinity);
  });

  it('warns when α over the family is below the smallest p the permutations can reach', () => {
    const long = Array.from({ length: 40 }, (_, i) => i / 40);
    const series = Array.from({ length: 100 }, (_, i) => ({ metric: `m${i}`, a: 'a', b: 'b', x: long, y: long.map((v) => v - 0.1) }));
    const result = comparePairwise(series, { ...options, permutations: 999 });
    expect(result.warning).toMatch(/smallest p .* 0.001 .*above α\/100 = 0.0005/);
    expect(comparePairwise(series.slice(0, 10), { ...options, permutations: 999 }).warning).toBeUndefined();
  });
});

describe('comparePairwise: what a tie can say', () => {
  it('gives a non-significant entry the queries that would detect its Δ, by the formula over the family', () => {
    const x = [0.5, 0.7, 0.2, 0.9, 0.4];
    const y = [0.4, 0.5, 0.2, 0.6, 0.5];
    const result = comparePairwise(
      [
        { metric: 'm', a: 'a', b: 'b', x, y },
        { metric: 'n', a: 'a', b: 'b', x, y: x },
      ],
      options,
    );
    const [tied, equal] = result.entries;
    // Δ = 0.1, sd = √0.025, F = 2: z = Φ⁻¹(1 − 0.05/4) + Φ⁻¹(0.8) = 2.241403 + 0.841621 = 3.083024
    const z = 2.241403 + 0.841621;
    expect(tied!.pAdjusted).toBeGreaterThan(0.05);
    expect(tied!.queriesNeeded).toBe(Math.ceil(((z * Math.sqrt(0.025)) / 0.1) ** 2));
    expect(tied!.minDetectableDelta).toBeCloseTo((z * Math.sqrt(0.025)) / Math.sqrt(5), 5);
    expect(equal!.queriesNeeded).toBeNull();
  });

  it('is right about it: at queriesNeeded, the test detects the true Δ about 80% of the time (300 simulated studies)', () => {
    const random = createRandom(23);
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    const delta = 0.1;
    const sd = 0.5;
    // One test (F = 1): z = 1.959964 + 0.841621; n = ⌈(z · sd / Δ)²⌉ = 197.
    const n = Math.ceil((((1.959964 + 0.841621) * sd) / delta) ** 2);
    let detected = 0;
    const studies = 300;
    for (let t = 0; t < studies; t++) {
      const d = Array.from({ length: n }, () => delta + sd * gaussian());
      const p = pairedRandomizationTest(d, d.map(() => 0), { permutations: 2000, stopAfterExtreme: 50, seed: t }).pValue;
      if (p < 0.05) detected++;
    }
    expect(Math.abs(detected / studies - 0.8)).toBeLessThan(3 * Math.sqrt((0.8 * 0.2) / studies));
  });
});

describe('comparePairwise: family-wise error by simulation', () => {
  it('under a global null (4 exchangeable arms, 2 metrics, 12 tests), Holm rejects anything in at most ≈ α of 300 runs', () => {
    const random = createRandom(31);
    const runs = 300;
    let anyRejected = 0;
    for (let run = 0; run < runs; run++) {
      // Per query a difficulty shared by every arm, plus arm noise from one distribution: no arm is better.
      const queries = 40;
      const difficulty = Array.from({ length: queries }, () => random.next());
      const arms = ['a', 'b', 'c', 'd'].map((name) => ({ name, m: difficulty.map((d) => d + 0.2 * random.next()), n: difficulty.map((d) => d * random.next()) }));
      const series = armPairs(arms.map((a) => a.name)).flatMap(({ a, b }) => {
        const [x, y] = [arms.find((arm) => arm.name === a)!, arms.find((arm) => arm.name === b)!];
        return [
          { metric: 'm', a, b, x: x.m, y: y.m },
          { metric: 'n', a, b, x: x.n, y: y.n },
        ];
      });
      const result = comparePairwise(series, { ...options, permutations: 'auto', seed: run });
      if (result.entries.some((e) => e.pAdjusted < 0.05)) anyRejected++;
    }
    expect(anyRejected / runs).toBeLessThan(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs));
  });
});
