import { describe, expect, it } from 'vitest';
import { pairedBootstrapBounds } from '../../../src/stats/bootstrap.js';
import { nonInferiority } from '../../../src/stats/non-inferiority.js';
import { createRandom, type Random } from '../../../src/stats/random.js';

/**
 * Simulations on synthetic paired data with a known true Δ. Per query: a baseline score in [0, 1] and a
 * candidate = baseline + Δ + e, e a skewed mean-zero noise (a rare large loss, frequent small gains, as IR
 * differences often look): e = 0.3 · (1[u < 0.2] · (−0.8) + 1[u ≥ 0.2] · 0.2) + U(−0.1, 0.1), E[e] = 0.
 * Rates are checked against their nominal values with a tolerance of 3 binomial standard errors, √(p(1 − p)/R)
 * for R repetitions (a seeded run either passes or fails for good; 3 SE makes a false alarm of a correct
 * implementation a < 0.3% event over the seeds one might try).
 */
function pairedSample(random: Random, n: number, delta: number): { candidate: number[]; baseline: number[] } {
  const baseline: number[] = [];
  const candidate: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = random.next();
    const u = random.next();
    const e = 0.3 * (u < 0.2 ? -0.8 : 0.2) + (random.next() - 0.5) * 0.2;
    baseline.push(b);
    candidate.push(b + delta + e);
  }
  return { candidate, baseline };
}

const se = (p: number, reps: number) => Math.sqrt((p * (1 - p)) / reps);

describe('paired bootstrap interval (simulation)', () => {
  it('covers the true Δ at close to its nominal 95% on 60 queries (400 repetitions)', () => {
    const random = createRandom(2024);
    const reps = 400;
    let covered = 0;
    for (let r = 0; r < reps; r++) {
      const { candidate, baseline } = pairedSample(random, 60, 0.03);
      // level 0.975 each side = a two-sided 95% interval
      const bounds = pairedBootstrapBounds(candidate, baseline, { level: 0.975, resamples: 1000, seed: r });
      if (bounds.lower <= 0.03 && 0.03 <= bounds.upper) covered++;
    }
    const rate = covered / reps;
    // The percentile bootstrap is known to under-cover a little at small n (≈ 1 − 2.5/n): allow it below nominal.
    expect(rate).toBeGreaterThan(0.95 - 3 * se(0.95, reps) - 0.02);
    expect(rate).toBeLessThan(0.95 + 3 * se(0.95, reps));
  });
});

describe('nonInferiority (simulation)', () => {
  const margin = 0.02;

  it('passes a candidate whose true drop is exactly the margin at most α of the time (400 repetitions)', () => {
    const random = createRandom(77);
    const reps = 400;
    let passes = 0;
    for (let r = 0; r < reps; r++) {
      const { candidate, baseline } = pairedSample(random, 80, -margin);
      if (nonInferiority(candidate, baseline, { margin, alpha: 0.05, family: 1, seed: r, resamples: 1000 }).decision === 'pass') passes++;
    }
    expect(passes / reps).toBeLessThanOrEqual(0.05 + 3 * se(0.05, reps));
  });

  it('over a family of 4 arms all at Δ = −m, passes any of them at most α of the time (Bonferroni)', () => {
    const random = createRandom(78);
    const reps = 250;
    let anyPass = 0;
    for (let r = 0; r < reps; r++) {
      let passed = false;
      for (let arm = 0; arm < 4; arm++) {
        const { candidate, baseline } = pairedSample(random, 80, -margin);
        if (nonInferiority(candidate, baseline, { margin, alpha: 0.05, family: 4, seed: r * 4 + arm, resamples: 1000 }).decision === 'pass') passed = true;
      }
      if (passed) anyPass++;
    }
    expect(anyPass / reps).toBeLessThanOrEqual(0.05 + 3 * se(0.05, reps));
  });

  it('gains power with the query count: a real drop of 2m fails more often at 160 queries than at 40, and both beat 10', () => {
    const random = createRandom(79);
    const reps = 150;
    const failRate = (n: number) => {
      let fails = 0;
      for (let r = 0; r < reps; r++) {
        const { candidate, baseline } = pairedSample(random, n, -2 * margin - 0.02);
        if (nonInferiority(candidate, baseline, { margin, alpha: 0.05, family: 1, seed: r, resamples: 500 }).decision === 'fail') fails++;
      }
      return fails / reps;
    };
    const [few, some, many] = [failRate(10), failRate(40), failRate(160)];
    expect(some).toBeGreaterThan(few);
    expect(many).toBeGreaterThan(some + 3 * se(0.5, reps));
    expect(many).toBeGreaterThan(0.8);
  });

  it('fails a true drop of minDetectableDrop about 80% of the time, as it promises (200 repetitions)', () => {
    const random = createRandom(80);
    const n = 100;
    // the noise's sd is fixed by its distribution, so one large sample gives the minDetectableDrop to plant
    const probe = pairedSample(createRandom(1), 20_000, 0);
    const planted = nonInferiority(probe.candidate.slice(0, n), probe.baseline.slice(0, n), { margin, alpha: 0.05, family: 1 });
    const sd = nonInferiority(probe.candidate, probe.baseline, { margin, alpha: 0.05, family: 1, resamples: 200 }).sdDelta;
    const drop = margin + ((1.6448536269514722 + 0.8416212335729143) * sd) / Math.sqrt(n);
    expect(planted.minDetectableDrop).toBeGreaterThan(0);
    const reps = 200;
    let fails = 0;
    for (let r = 0; r < reps; r++) {
      const { candidate, baseline } = pairedSample(random, n, -drop);
      if (nonInferiority(candidate, baseline, { margin, alpha: 0.05, family: 1, seed: r, resamples: 1000 }).decision === 'fail') fails++;
    }
    expect(Math.abs(fails / reps - 0.8)).toBeLessThan(3 * se(0.8, reps) + 0.03);
  });
});

describe('nonInferiority (hand-computed cases)', () => {
  it('passes a clear improvement, fails a clear drop, and is inconclusive on the margin with queriesNeeded', () => {
    const base = Array.from({ length: 40 }, (_, i) => (i % 10) / 10);
    const up = base.map((x, i) => x + 0.05 + (i % 2 ? 0.01 : -0.01));
    const down = base.map((x, i) => x - 0.1 + (i % 2 ? 0.01 : -0.01));
    expect(nonInferiority(up, base, { margin: 0.01, alpha: 0.05, family: 1 })).toMatchObject({ decision: 'pass', queriesNeeded: null });
    expect(nonInferiority(down, base, { margin: 0.01, alpha: 0.05, family: 1 })).toMatchObject({ decision: 'fail', queriesNeeded: null });
    // Differences ±0.2 around −0.01 (mean −0.01 + 0.005 = −0.005): sd = 0.2 · √(40/39) = 0.202548…; at level 0.95,
    // z = 1.644854; |Δ + m| = 0.005 → queriesNeeded = ⌈(1.644854 · 0.202548 / 0.005)²⌉ = ⌈4439.9…⌉.
    const noisy = base.map((x, i) => x - 0.005 + (i % 2 ? 0.2 : -0.2));
    const result = nonInferiority(noisy, base, { margin: 0.01, alpha: 0.05, family: 1 });
    expect(result.decision).toBe('inconclusive');
    expect(result.sdDelta).toBeCloseTo(0.2 * Math.sqrt(40 / 39), 10);
    expect(result.queriesNeeded).toBe(Math.ceil(((1.6448536269514722 * 0.2 * Math.sqrt(40 / 39)) / 0.005) ** 2));
    // minDetectableDrop = m + (z_0.95 + z_0.8) · sd / √n
    expect(result.minDetectableDrop).toBeCloseTo(0.01 + ((1.6448536269514722 + 0.8416212335729143) * 0.2 * Math.sqrt(40 / 39)) / Math.sqrt(40), 6);
    expect(result.level).toBeCloseTo(0.95, 12);
  });

  it('splits α over the family: level 1 − α/F, and enough resamples for the tail', () => {
    const base = [0.1, 0.5, 0.9, 0.3];
    const result = nonInferiority(base, base, { margin: 0, alpha: 0.05, family: 10 });
    expect(result.level).toBeCloseTo(0.995, 12);
    expect(result.resamples).toBe(4000); // 20 / 0.005
    // identical runs: Δ ≡ 0, margin 0: L = 0 = −m, and no query got worse: a pass (L ≥ −m)
    expect(result).toMatchObject({ decision: 'pass', lower: 0, upper: 0, queriesNeeded: null });
    // on the margin with spread: Δ = −m exactly → inconclusive, and no number of queries would decide
    const onMargin = nonInferiority([0.1, 0.3, 0.5, 0.7], [0.2, 0.2, 0.6, 0.6], { margin: 0, alpha: 0.05, family: 1 });
    expect(onMargin).toMatchObject({ decision: 'inconclusive', queriesNeeded: null });
  });

  it('refuses bad options', () => {
    expect(() => nonInferiority([1], [1], { margin: -1, alpha: 0.05, family: 1 })).toThrow(RangeError);
    expect(() => nonInferiority([1], [1], { margin: 0, alpha: 0, family: 1 })).toThrow(RangeError);
    expect(() => nonInferiority([1], [1], { margin: 0, alpha: 0.05, family: 0 })).toThrow(RangeError);
  });
});
