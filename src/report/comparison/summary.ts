/**
 * What comparing a candidate run with a baseline run says, for renderers (terminal, Markdown, JUnit, JSON).
 * Plain data, no behaviour. Every delta is candidate − baseline, so a regression is negative.
 */

import type { PairwiseView, StageSeconds } from '../run/summary.js';

export interface RunRef {
  readonly runId: string;
  readonly dir: string;
  readonly evalName: string;
  readonly createdAt: string;
}

/** One setting that differs between the two manifests. Values are JSON text; undefined means absent. */
export interface ManifestChange {
  /** `corpus`, `versions`, `eval`, or an arm name. */
  readonly scope: string;
  /** Dotted path inside the scope, e.g. `chunker.options.sizeChars`. */
  readonly path: string;
  readonly baseline: string | undefined;
  readonly candidate: string | undefined;
}

/** The gate rule applied to a metric (from the eval's `gate:`), with defaults filled in. */
export interface AppliedGate {
  readonly maxDrop: number;
  readonly alpha: number;
  /** Whether an inconclusive check blocks (exit 1): `fail`, the default, or `pass`. */
  readonly onInconclusive?: 'fail' | 'pass' | undefined;
  readonly minValue?: number | undefined;
  /** Answer metrics: the largest tolerated share of unscored (null) candidate queries. */
  readonly maxNullShare?: number | undefined;
}

/** The non-inferiority test behind a gated check (src/stats/non-inferiority.ts). */
export interface GateTest {
  readonly decision: 'pass' | 'fail' | 'inconclusive';
  /** One-sided paired-bootstrap bounds of the delta, each at `level` = 1 − alpha / family. */
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  /** F: the gated arm × metric checks α is split over (Bonferroni). */
  readonly family: number;
  readonly resamples: number;
  readonly queries: number;
  /** Standard deviation of the per-query deltas. */
  readonly sdDelta: number;
  /** Inconclusive only: queries that would decide at the observed mean and spread; null when nothing would. */
  readonly queriesNeeded: number | null;
  /** The smallest true drop the gate fails with 80% power at this many queries. */
  readonly minDetectableDrop: number;
}

/** pass / fail / inconclusive for a gated metric (inconclusive: the data allow both a pass and a fail). */
export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'ungated';

export interface MetricComparison {
  readonly metric: string;
  readonly baselineMean: number;
  readonly candidateMean: number;
  readonly delta: number;
  /** Paired percentile-bootstrap interval of the delta. */
  readonly ci: { readonly lower: number; readonly upper: number };
  /** Paired randomization test, H1: candidate < baseline (a regression). */
  readonly pDrop: number;
  /** Paired randomization test, H1: candidate ≠ baseline. */
  readonly pTwoSided: number;
  /** Holm–Bonferroni adjusted over every arm × metric of the comparison (drop and two-sided: two families). */
  readonly pDropHolm: number;
  readonly pTwoSidedHolm: number;
  /** Paired t-test two-sided p, for readers who expect it; the gate uses the randomization test. */
  readonly pTTest: number | null;
  /** Answer metrics: the share of paired queries the candidate could not score (left out of the means and tests). */
  readonly nullShare?: number | undefined;
  readonly gate?: AppliedGate | undefined;
  readonly gateTest?: GateTest | undefined;
  readonly verdict: Verdict;
  /** True when this verdict makes the gate exit 1: a fail, or an inconclusive under `onInconclusive: fail`. */
  readonly blocks: boolean;
  /** Why the check blocks, in words with the numbers and the test; empty when it does not. */
  readonly reasons: readonly string[];
  /** The gated verdict in one sentence naming its test and family (also for a pass). */
  readonly explanation?: string | undefined;
}

/** A judged-relevant document that entered or left the top k, with its rank in each run (null: beyond depth). */
export interface RankChange {
  readonly docId: string;
  readonly baselineRank: number | null;
  readonly candidateRank: number | null;
}

export interface QueryDiff {
  readonly queryId: string;
  /** Relevant documents in the baseline's top k that the candidate's top k lacks. */
  readonly lost: readonly RankChange[];
  /** Relevant documents in the candidate's top k that the baseline's top k lacked. */
  readonly gained: readonly RankChange[];
  /** metric → candidate − baseline for this query. */
  readonly deltas: Readonly<Record<string, number>>;
}

export interface ArmComparison {
  readonly arm: string;
  /** Queries scored in both runs: the pairs every test uses. */
  readonly queries: number;
  readonly queriesOnlyInBaseline: number;
  readonly queriesOnlyInCandidate: number;
  /** Ids of the queries without a partner in the other run (left out of every test), sorted. */
  readonly unpairedQueries: { readonly baseline: readonly string[]; readonly candidate: readonly string[] };
  readonly metrics: readonly MetricComparison[];
  /** Queries whose relevant documents in the top k changed, most lost first; empty when ranks were not recorded. */
  readonly queryDiffs: readonly QueryDiff[];
  /** False when the runs did not record relevant ranks (older run folders), so no per-query diff was possible. */
  readonly hasRankDiff: boolean;
  readonly passed: boolean;
}

export interface Comparison {
  readonly baseline: RunRef;
  readonly candidate: RunRef;
  readonly changes: readonly ManifestChange[];
  readonly arms: readonly ArmComparison[];
  readonly armsOnlyInBaseline: readonly string[];
  readonly armsOnlyInCandidate: readonly string[];
  readonly settings: {
    /** Default level for "significant" on ungated metrics. */
    readonly alpha: number;
    readonly seed: number;
    readonly permutations: number;
    readonly confidence: number;
    /** The k of "lost / gained relevant documents in the top k". */
    readonly diffK: number;
    /** The family the Holm-adjusted p-values ran over: every arm × metric entry of the comparison. */
    readonly family?: { readonly correction: 'holm'; readonly size: number };
  };
  /** True when no gated check blocks: none failed, and none is inconclusive under `onInconclusive: fail`. */
  readonly passed: boolean;
  readonly gated: boolean;
  /**
   * What makes the verdict weaker than it looks, printed above it: a different corpus or query set allowed by
   * flag, an arm paired on fewer queries than the baseline scored.
   */
  readonly warnings: readonly string[];
  /** The candidate run's own arm-vs-arm comparisons (its summary.json `pairwise`; a family of its own). */
  readonly withinCandidate?: PairwiseView;
  /** Per-stage seconds of each shared arm in both runs (from the manifests; absent for runs that predate them). */
  readonly stages?: readonly { readonly arm: string; readonly baseline?: StageSeconds; readonly candidate?: StageSeconds }[];
}
