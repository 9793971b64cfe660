import { meanOf, pairedBootstrapDiff, standardDeviation } from './bootstrap.js';
import { normalQuantile } from './normal.js';
import {
  adjustPValues,
  familyPermutationLimit,
  familyStopAfterExtreme,
  pairedRandomizationTest,
  smallestAttainableP,
  type Correction,
} from './paired-tests.js';

/**
 * Paired comparisons between the arms of one run, in the manner of ranx's `compare`: every entry is one pair of
 * arms on one metric, over the queries both scored, and all entries form ONE family whose p-values are adjusted
 * together (Holm by default, Benjamini–Hochberg on request), so the number of comparisons a reader scans is the
 * number the correction accounts for.
 */
export type PairwiseFamily = 'all-pairs' | 'baseline';

export interface PairwiseSeries {
  readonly metric: string;
  readonly a: string;
  readonly b: string;
  /** a's and b's scores on the same queries, in the same order. */
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface PairwiseEntry {
  readonly metric: string;
  readonly a: string;
  readonly b: string;
  readonly queries: number;
  /** mean(a − b) over the shared queries. */
  readonly delta: number;
  /** Paired percentile-bootstrap interval of delta (unadjusted, at `confidence`). */
  readonly ci: { readonly lower: number; readonly upper: number };
  /** Two-sided paired randomization p (exact up to 20 non-zero differences, else seeded sequential Monte Carlo). */
  readonly p: number;
  readonly pAdjusted: number;
  /**
   * Standardised paired effect: mean(a − b) / sd(a − b) (Cohen's d_z; Sakai 2014 "Statistical reform in IR" reports
   * this form for paired data). 0 when every difference is 0; ±Infinity for a constant non-zero difference.
   */
  readonly effectSize: number;
  /**
   * The smallest |Δ| a two-sided test at the family's Bonferroni level α/F detects with 80% power over this many
   * queries at the observed spread: (z_{1−α/2F} + z_0.8) · sd / √n. Below it, "tied" is what the data can say.
   */
  readonly minDetectableDelta: number;
  /**
   * Not significant only: the queries at which the observed Δ and spread would be detected that way,
   * ⌈((z_{1−α/2F} + z_0.8) · sd / |Δ|)²⌉; null when Δ = 0 (no number of queries would decide).
   */
  readonly queriesNeeded?: number | null;
}

export interface PairwiseResult {
  readonly entries: readonly PairwiseEntry[];
  /** What the adjustment ran over: every entry of the run, as `correction` over `size` tests. */
  readonly family: {
    readonly kind: PairwiseFamily;
    readonly baseline?: string;
    readonly correction: Correction;
    readonly size: number;
    readonly alpha: number;
    readonly confidence: number;
    /** Most Monte Carlo sign vectors per test (each stops once its p is settled: 100 extreme draws). */
    readonly permutations: number;
    readonly seed: number;
  };
  /** Set when the family's strictest threshold (α/size) is below the smallest p the permutation count can give. */
  readonly warning?: string;
}

export interface PairwiseOptions {
  readonly kind: PairwiseFamily;
  readonly baseline?: string;
  readonly correction: Correction;
  readonly alpha: number;
  readonly confidence: number;
  /** Most Monte Carlo sign vectors per test; 'auto': 20× finer than α/size (at least 10,000). */
  readonly permutations: number | 'auto';
  readonly seed: number;
}

/** Tests every series (see PairwiseSeries), adjusts the p-values as one family and says when α/F is unreachable. */
export function comparePairwise(series: readonly PairwiseSeries[], options: PairwiseOptions): PairwiseResult {
  let smallest = 0;
  const testable = series.filter((s) => s.x.length > 0);
  const permutations = options.permutations === 'auto' ? familyPermutationLimit(testable.length, options.alpha) : options.permutations;
  const tested = testable
    .map((s) => {
      const test = pairedRandomizationTest(s.x, s.y, { seed: options.seed, permutations, stopAfterExtreme: familyStopAfterExtreme });
      // Only a Monte Carlo p is limited by a setting (the permutation count); an exact p is limited by the data.
      if (test.method === 'monte-carlo') smallest = Math.max(smallest, smallestAttainableP(test));
      const ci = pairedBootstrapDiff(s.x, s.y, { seed: options.seed, confidence: options.confidence });
      const differences = s.x.map((v, i) => v - s.y[i]!);
      const sd = standardDeviation(differences);
      const mean = meanOf(differences);
      // A spread below rounding noise of the differences is no spread: report the constant shift as ±∞, not 4e15.
      const effectSize = sd <= 1e-12 * Math.max(...differences.map(Math.abs)) ? (mean === 0 ? 0 : Math.sign(mean) * Infinity) : mean / sd;
      return { metric: s.metric, a: s.a, b: s.b, queries: s.x.length, delta: ci.mean, ci: { lower: ci.lower, upper: ci.upper }, p: test.pValue, effectSize, sd };
    });
  const adjusted = adjustPValues(tested.map((t) => t.p), options.correction);
  const size = tested.length;
  // Bonferroni's α/F is what a planned study of this family can count on (Holm and BH reject at least as much).
  const z = normalQuantile(1 - options.alpha / (2 * Math.max(1, size))) + normalQuantile(0.8);
  const entries = tested.map(({ sd, ...t }, i): PairwiseEntry => {
    const pAdjusted = adjusted[i]!;
    const minDetectableDelta = (z * sd) / Math.sqrt(t.queries);
    if (pAdjusted < options.alpha) return { ...t, pAdjusted, minDetectableDelta };
    const queriesNeeded = Math.abs(t.delta) <= 1e-12 ? null : Math.max(t.queries + 1, Math.ceil(((z * sd) / Math.abs(t.delta)) ** 2));
    return { ...t, pAdjusted, minDetectableDelta, queriesNeeded };
  });
  const family = {
    kind: options.kind,
    ...(options.baseline !== undefined ? { baseline: options.baseline } : {}),
    correction: options.correction,
    size,
    alpha: options.alpha,
    confidence: options.confidence,
    permutations,
    seed: options.seed,
  };
  const threshold = options.alpha / Math.max(1, size);
  const warning =
    size > 0 && smallest > threshold
      ? `the smallest p the randomization test can return here is ${Number(smallest.toPrecision(2))} (${permutations} permutations), above ` +
        `α/${size} = ${Number(threshold.toPrecision(2))}: ${options.correction === 'holm' ? 'Holm' : 'BH'} cannot reject every hypothesis it should; raise the permutations or shrink the family (compare.baseline)`
      : undefined;
  return { entries, family, ...(warning ? { warning } : {}) };
}

/** The arm pairs of a family: every unordered pair (a before b in `arms` order), or each arm against `baseline`. */
export function armPairs(arms: readonly string[], baseline?: string): { a: string; b: string }[] {
  if (baseline !== undefined) return arms.filter((arm) => arm !== baseline).map((arm) => ({ a: arm, b: baseline }));
  return arms.flatMap((a, i) => arms.slice(i + 1).map((b) => ({ a, b })));
}

/** One line naming what a pairwise verdict rests on, e.g. "paired randomization test, Holm over 315 tests, α 0.05". */
export function describeFamily(family: PairwiseResult['family']): string {
  const correction = family.correction === 'holm' ? 'Holm' : 'Benjamini–Hochberg';
  const scope = family.kind === 'baseline' ? `each arm vs ${family.baseline}` : 'all arm pairs';
  return `two-sided paired randomization test, ${correction} over ${family.size} tests (${scope} × metrics), α ${family.alpha}; ` +
    `${Math.round(family.confidence * 100)}% paired bootstrap intervals`;
}
