import { describe, expect, it } from 'vitest';
import { bootstrapMean } from '../../../src/stats/bootstrap.js';
import { betaQuantile, boundedMeanInterval, queriesToDecide } from '../../../src/stats/bounded-mean.js';
import { regularizedIncompleteBeta } from '../../../src/stats/paired-tests.js';
import { createRandom, type Random } from '../../../src/stats/random.js';

/** P(Bin(n, p) ≥ x) by direct summation: the independent reference for I_p(x, n − x + 1). */
function binomialUpperTail(n: number, p: number, x: number): number {
  let sum = 0;
  for (let j = x; j <= n; j++) {
    let logChoose = 0;
    for (let i = 1; i <= j; i++) logChoose += Math.log(n - j + i) - Math.log(i);
    sum += Math.exp(logChoose + j * Math.log(p) + (n - j) * Math.log1p(-p));
  }
  return sum;
}

describe('regularizedIncompleteBeta and betaQuantile', () => {
  it.each([
    [20, 0.3, 7],
    [15, 0.9, 15],
    [50, 0.97, 45],
    [200, 0.5, 90],
    [10, 0.01, 1],
  ])('I_p(x, n − x + 1) equals the binomial tail P(Bin(%i, %f) ≥ %i)', (n, p, x) => {
    expect(regularizedIncompleteBeta(p, x, n - x + 1)).toBeCloseTo(binomialUpperTail(n, p, x), 11);
  });

  it('reproduces the Clopper–Pearson interval of 7 of 20 (R binom.test: 0.1539092, 0.5921885) and of 15 of 15', () => {
    expect(betaQuantile(0.025, 7, 14)).toBeCloseTo(0.1539092, 6);
    expect(betaQuantile(0.975, 8, 13)).toBeCloseTo(0.5921885, 6);
    // Beta(15, 1) has CDF x^15, so its 2.5% quantile is 0.025^(1/15).
    expect(betaQuantile(0.025, 15, 1)).toBeCloseTo(0.025 ** (1 / 15), 12);
  });

  it('rejects bad parameters', () => {
    expect(() => betaQuantile(2, 1, 1)).toThrow(RangeError);
  });
});

describe('boundedMeanInterval', () => {
  it('15 queries of recall 1 give [0.782, 1] (exact Clopper–Pearson at n = 15), where a percentile bootstrap gives [1, 1]', () => {
    const ones = new Array<number>(15).fill(1);
    const interval = boundedMeanInterval(ones);
    expect(interval.mean).toBe(1);
    expect(interval.lower).toBeCloseTo(0.025 ** (1 / 15), 10);
    expect(interval.upper).toBe(1);
    expect(bootstrapMean(ones)).toMatchObject({ lower: 1, upper: 1 });
  });

  it('on 0/1 values is the Clopper–Pearson interval at about n (the pseudo-zero shifts the dispersion by n/(n+1)·…)', () => {
    const values = [...new Array<number>(13).fill(1), ...new Array<number>(7).fill(0)];
    const interval = boundedMeanInterval(values);
    // Hand check: values + one 0 → 21 values, mean 13/21, variance (n−1) = 13·8/(21·20); φ̃ = 21/20 → n_eff = 20/1.05.
    expect(interval.effectiveN).toBeCloseTo(20 / 1.05, 10);
    expect(interval.lower).toBeCloseTo(betaQuantile(0.025, interval.effectiveN * 0.65, interval.effectiveN * 0.35 + 1), 12);
    expect(interval.lower).toBeGreaterThan(0.38);
    expect(interval.upper).toBeLessThan(0.87);
  });

  it('fractional per-query recall narrows the interval below the all-or-nothing width', () => {
    const values = [...new Array<number>(45).fill(1), ...new Array<number>(5).fill(0.9)];
    const interval = boundedMeanInterval(values);
    expect(interval.mean).toBeCloseTo(0.99, 12);
    expect(interval.effectiveN).toBeGreaterThan(50);
    expect(interval.lower).toBeGreaterThan(boundedMeanInterval(new Array<number>(50).fill(1)).lower - 0.05);
    expect(interval.lower).toBeLessThan(0.99);
    expect(interval.upper).toBeGreaterThan(0.99);
  });

  it('queriesToDecide: 72 perfect queries are the fewest whose lower bound reaches 0.95', () => {
    const fifteen = boundedMeanInterval(new Array<number>(15).fill(1));
    expect(queriesToDecide(fifteen, 15, 0.95)).toBe(Math.ceil(Math.log(0.025) / Math.log(0.95)));
    expect(0.025 ** (1 / 72)).toBeGreaterThanOrEqual(0.95);
    expect(0.025 ** (1 / 71)).toBeLessThan(0.95);
    const low = boundedMeanInterval([...new Array<number>(8).fill(1), ...new Array<number>(7).fill(0.8)]);
    const needed = queriesToDecide(low, 15, 0.95)!;
    expect(needed).toBeGreaterThan(15);
    expect(queriesToDecide(low, 15, low.mean)).toBeNull();
  });

  it('rejects values outside [0, 1] and an empty sample', () => {
    expect(() => boundedMeanInterval([])).toThrow(RangeError);
    expect(() => boundedMeanInterval([1.2])).toThrow(RangeError);
  });
});

/**
 * Coverage by simulation: per-query recall@10 from three populations with a known mean μ.
 * - all-or-nothing: a query finds all 10 or none (the worst case for a given mean),
 * - graded: each query's own hit rate p uniform on [1 − 2(1 − μ), 1], hits ~ Bin(10, p),
 * - mixed: a third of the missing mass are total misses (a query in a region the graph never reaches), the rest
 *   binomial misses: the case that defeats an interval trusting the sample variance.
 */
const populations: Record<string, (mu: number, random: Random) => number> = {
  'all-or-nothing': (mu, random) => (random.next() < mu ? 1 : 0),
  graded: (mu, random) => hits(1 - (1 - mu) * 2 * random.next(), random) / 10,
  mixed: (mu, random) => {
    const fail = (1 - mu) / 3;
    return random.next() < fail ? 0 : hits(mu / (1 - fail), random) / 10;
  },
};

function hits(p: number, random: Random): number {
  let found = 0;
  for (let i = 0; i < 10; i++) if (random.next() < p) found++;
  return found;
}

describe('boundedMeanInterval coverage (simulation, 800 samples per cell)', () => {
  const cells = [0.9, 0.97, 0.995].flatMap((mu) => [15, 50, 200].map((n) => [mu, n] as const));
  it.each(cells)('true recall %f over %i queries: coverage of the 95 percent interval ≥ 0.93 and the lower bound above μ in ≤ 4 percent, in every population', (mu, n) => {
    const random = createRandom(Math.round(mu * 1000) * 1000 + n);
    const report: string[] = [];
    for (const [name, draw] of Object.entries(populations)) {
      let covered = 0;
      let lowerAbove = 0;
      const samples = 800;
      for (let s = 0; s < samples; s++) {
        const values = Array.from({ length: n }, () => draw(mu, random));
        const { lower, upper } = boundedMeanInterval(values);
        if (lower <= mu && mu <= upper) covered++;
        else if (lower > mu) lowerAbove++;
      }
      report.push(`${name} ${(covered / samples).toFixed(3)} (lower > μ ${(lowerAbove / samples).toFixed(3)})`);
      // Nominal 0.95 (SE ≈ 0.008 at 800 samples). Conservative (≥ 0.99) at 15 and 50 queries near 1, where a
      // sample seldom shows a miss and the exact all-or-nothing bound applies; near nominal at 200 queries.
      expect(covered / samples, `${name}: ${report.join(', ')}`).toBeGreaterThanOrEqual(0.93);
      // The lower bound decides "meets minRecall": wrongly above μ at most 4% (nominal 2.5%) of the time.
      expect(lowerAbove / samples, name).toBeLessThanOrEqual(0.04);
    }
    console.info(`ANN recall ${mu}, ${n} queries: coverage ${report.join(', ')}`);
  });

  it('the percentile bootstrap it replaces covers recall 0.995 over 15 queries in well under 95% of samples', () => {
    const random = createRandom(7);
    let covered = 0;
    for (let s = 0; s < 300; s++) {
      const values = Array.from({ length: 15 }, () => populations.mixed!(0.995, random));
      const { lower, upper } = bootstrapMean(values, { resamples: 400, seed: s });
      if (lower <= 0.995 && 0.995 <= upper) covered++;
    }
    // Most samples have no miss at all, and the bootstrap's [1, 1] then excludes 0.995.
    expect(covered / 300).toBeLessThan(0.5);
  });
});
