import type { Gate } from '../../config/eval-config.js';
import type { ArmComparison, Comparison, MetricComparison, RunRef } from '../../report/comparison/summary.js';
import { judge } from './gate.js';
import { ConfigError, DataError } from '../../shared/errors.js';
import { meanOf, pairedBootstrapDiff } from '../../stats/bootstrap.js';
import { nonInferiority } from '../../stats/non-inferiority.js';
import {
  familyPermutationLimit,
  familyStopAfterExtreme,
  holmAdjust,
  pairedRandomizationTest,
  pairedTTest,
  smallestAttainableP,
} from '../../stats/paired-tests.js';
import { diffManifests } from './manifest-diff.js';
import { diffQueries, type QueryPair } from './query-diff.js';
import { readWithinRun } from './within-run.js';
import type { StageSeconds } from '../../report/run/summary.js';
import { readRunFolder, resolveRunDir, type RunFolder, type RunManifest } from '../run/folder.js';
import type { QueryResult } from '../run/results.js';

interface CompareOptions {
  /** Gate rules per metric; default: the `gate:` the candidate's eval had (in its manifest), else none. */
  readonly gate?: Gate;
  /** Level for calling an ungated metric's change significant; default 0.05. */
  readonly alpha?: number;
  /** Seed for the randomization test and the bootstrap; default 42. Same runs and seed, same numbers. */
  readonly seed?: number;
  /**
   * Most Monte Carlo sign vectors per test when it is not exact; default 'auto': enough that the smallest
   * attainable p is 20× below α/F for the F tests of the comparison (at least 10,000). Tests stop early once
   * their p is settled (Besag–Clifford, see src/stats/sign-flip.ts).
   */
  readonly permutations?: number | 'auto';
  /** Coverage of the paired bootstrap interval of each delta; default 0.95 (2,000 resamples). */
  readonly confidence?: number;
  /** The k of "relevant documents lost / gained in the top k"; default 10. */
  readonly diffK?: number;
  /** Compare runs over corpora with different fingerprints (otherwise a DataError, exit 2). */
  readonly allowDifferentCorpus?: boolean;
  /** Compare runs that scored different query sets (otherwise a DataError, exit 2). */
  readonly allowDifferentQueries?: boolean;
}

/**
 * Compares a candidate run with a baseline run, arm by arm (arms matched by name; `chunker × retriever`), on the
 * queries both runs scored. Per metric: both means, the delta (candidate − baseline), its paired bootstrap CI,
 * paired randomization p-values (one-sided for a drop and two-sided), each Holm-adjusted over every arm × metric
 * entry of the comparison (one family: a reader scans them all), a paired t-test p for reference, and the gate.
 * A gated metric is a non-inferiority test (src/stats/non-inferiority.ts): over the F gated arm × metric checks,
 * L and U are the one-sided paired-bootstrap bounds of the delta at 1 − alpha/F (Bonferroni), and the check
 *   passes        when L ≥ −maxDrop   (a drop beyond the margin is ruled out),
 *   fails         when U < −maxDrop   (a drop beyond the margin is shown), or the candidate mean < minValue,
 *   is inconclusive otherwise, with the queries that would decide and the drop detectable at this size.
 * An inconclusive check blocks (exit 1) unless its rule says `onInconclusive: pass`.
 * Answer metrics (runs with an `answers:` section) join the family, compared on the queries both runs could
 * score; a gated one also fails when the candidate's null share exceeds `maxNullShare` (default 0.1), since nulls
 * are left out of the means and would otherwise hide answers that broke the judge.
 * Throws DataError when no arm or no query is shared, ConfigError when a gated metric is in neither run, and
 * DataError when the corpus fingerprints or the scored query sets differ (pairing queries by id across corpora
 * compares unrelated questions that happen to share ids) unless `allowDifferentCorpus` / `allowDifferentQueries`.
 */
export async function compareRuns(baselineDir: string, candidateDir: string, options: CompareOptions = {}): Promise<Comparison> {
  const [baseline, candidate] = await Promise.all([readRunFolder(baselineDir), readRunFolder(candidateDir)]);
  const gate = options.gate ?? candidate.manifest.eval.gate ?? {};
  const baselineArms = groupByArm(baseline.results);
  const candidateArms = groupByArm(candidate.results);
  const shared = [...candidateArms.keys()].filter((arm) => baselineArms.has(arm));
  const alpha = options.alpha ?? 0.05;
  const familySize = shared.reduce((n, arm) => n + seriesCount(pairsOf(baselineArms.get(arm)!, candidateArms.get(arm)!), candidate.manifest.eval.metrics), 0);
  const settings = {
    alpha,
    seed: options.seed ?? 42,
    permutations: options.permutations === undefined || options.permutations === 'auto' ? familyPermutationLimit(familySize, alpha) : options.permutations,
    confidence: options.confidence ?? 0.95,
    diffK: options.diffK ?? 10,
  };
  if (shared.length === 0) {
    throw new DataError(
      `the runs share no arm (baseline: ${[...baselineArms.keys()].join(', ') || 'none'}; candidate: ${[...candidateArms.keys()].join(', ') || 'none'})`,
      { fix: 'arms match by `<chunker> × <retriever>` name: give the chunker and retriever entries the same `name:` in both evals' },
    );
  }
  const warnings = checkComparable(baseline, candidate, options);
  const tested = shared.map((arm) =>
    testArm(arm, baselineArms.get(arm)!, candidateArms.get(arm)!, { ...settings, gate, metricOrder: candidate.manifest.eval.metrics }),
  );
  const arms = judgeArms(tested, gate, settings.seed);
  const withinCandidate = await readWithinRun(candidateDir);
  warnings.push(...resolutionWarnings(tested, settings.alpha));
  for (const arm of arms) {
    const baselineQueries = arm.queries + arm.queriesOnlyInBaseline;
    if (arm.queriesOnlyInBaseline > 0) {
      warnings.push(
        `arm ${arm.arm}: compared on ${arm.queries} of the baseline's ${baselineQueries} queries; ` +
          `${arm.queriesOnlyInBaseline} have no partner in the candidate (${preview(arm.unpairedQueries.baseline)})`,
      );
    }
    if (arm.queriesOnlyInCandidate > 0) {
      warnings.push(
        `arm ${arm.arm}: ${arm.queriesOnlyInCandidate} candidate queries have no partner in the baseline and are left out ` +
          `(${preview(arm.unpairedQueries.candidate)})`,
      );
    }
  }
  return {
    baseline: refOf(baseline),
    candidate: refOf(candidate),
    changes: diffManifests(baseline.manifest, candidate.manifest),
    arms,
    armsOnlyInBaseline: [...baselineArms.keys()].filter((arm) => !candidateArms.has(arm)),
    armsOnlyInCandidate: [...candidateArms.keys()].filter((arm) => !baselineArms.has(arm)),
    settings: { ...settings, family: { correction: 'holm' as const, size: tested.reduce((n, arm) => n + arm.tests.length, 0) } },
    passed: arms.every((arm) => arm.passed),
    gated: Object.keys(gate).length > 0,
    warnings,
    ...(withinCandidate ? { withinCandidate } : {}),
    stages: shared.flatMap((arm) => {
      const [before, after] = [stagesOf(baseline.manifest, arm), stagesOf(candidate.manifest, arm)];
      return before || after ? [{ arm, ...(before ? { baseline: before } : {}), ...(after ? { candidate: after } : {}) }] : [];
    }),
  };
}

/** Refuses comparisons that pair unrelated queries; returns warnings for what the flags allowed. */
function checkComparable(baseline: RunFolder, candidate: RunFolder, options: CompareOptions): string[] {
  const warnings: string[] = [];
  const fingerprint = (run: RunFolder) => String(run.manifest.corpus.fingerprint ?? '');
  const corpusName = (run: RunFolder) => String(run.manifest.corpus.name ?? '?');
  if (fingerprint(baseline) !== fingerprint(candidate)) {
    const what =
      `the runs are on different corpora (baseline ${corpusName(baseline)} ${fingerprint(baseline).slice(0, 12) || '(none)'}, ` +
      `candidate ${corpusName(candidate)} ${fingerprint(candidate).slice(0, 12) || '(none)'})`;
    if (!options.allowDifferentCorpus) {
      throw new DataError(`${what}: queries paired by id would compare unrelated questions`, {
        fix: 'compare runs of the same corpus, or pass --allow-different-corpus if changing the corpus is the experiment',
      });
    }
    warnings.push(`${what}; compared anyway (--allow-different-corpus)`);
  }
  const queryIds = (run: RunFolder) => new Set(run.results.map((r) => r.queryId));
  const before = queryIds(baseline);
  const after = queryIds(candidate);
  const onlyBefore = [...before].filter((id) => !after.has(id)).sort();
  const onlyAfter = [...after].filter((id) => !before.has(id)).sort();
  if (onlyBefore.length > 0 || onlyAfter.length > 0) {
    const what =
      `the runs scored different query sets (baseline ${before.size}, candidate ${after.size}; ` +
      `${onlyBefore.length} only in the baseline${onlyBefore.length ? `: ${preview(onlyBefore)}` : ''}, ` +
      `${onlyAfter.length} only in the candidate${onlyAfter.length ? `: ${preview(onlyAfter)}` : ''})`;
    if (!options.allowDifferentQueries) {
      throw new DataError(what, {
        fix: 'run both with the same queries (queryLimit, includeUnjudged, qrels split), or pass --allow-different-queries',
      });
    }
    warnings.push(`${what}; compared anyway (--allow-different-queries)`);
  }
  return warnings;
}

function preview(ids: readonly string[], max = 5): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')}, … ${ids.length - max} more`;
}

function stagesOf(manifest: RunManifest, arm: string): StageSeconds | undefined {
  const stages = (manifest.arms.find((entry) => entry.arm === arm) as { stages?: unknown } | undefined)?.stages;
  return stages !== null && typeof stages === 'object' ? (stages as StageSeconds) : undefined;
}

/**
 * `ragbench run <eval> --baseline <ref>`: compares a finished run with a baseline given as a folder, a run id under
 * `<workDir>/runs/` or `latest` (the newest run other than the candidate), under the eval's gate.
 */
export async function compareWithBaseline(
  baseline: string,
  candidateDir: string,
  options: CompareOptions & { readonly workDir: string },
): Promise<Comparison> {
  const baselineDir = await resolveRunDir(baseline, options.workDir, { exclude: candidateDir });
  return compareRuns(baselineDir, candidateDir, options);
}

interface ArmSettings {
  readonly seed: number;
  readonly permutations: number;
  readonly confidence: number;
  readonly diffK: number;
  readonly gate: Gate;
  readonly metricOrder: readonly string[];
}

interface TestedMetric {
  readonly metric: string;
  readonly baselineMean: number;
  readonly candidateMean: number;
  readonly delta: number;
  readonly ci: { readonly lower: number; readonly upper: number };
  readonly pDrop: number;
  readonly pTwoSided: number;
  readonly pTTest: number | null;
  readonly nullShare?: number;
  /** The paired scores, kept for the gate's bounds. */
  readonly candidate: readonly number[];
  readonly baseline: readonly number[];
  /** The randomization test's smallest attainable p (two-sided), for the resolution warning. */
  readonly smallestP: number;
}

type TestedArm = Omit<ArmComparison, 'metrics' | 'passed'> & { readonly tests: readonly TestedMetric[] };

function testArm(arm: string, baseline: Map<string, QueryResult>, candidate: Map<string, QueryResult>, settings: ArmSettings): TestedArm {
  const pairs = pairsOf(baseline, candidate);
  if (pairs.length === 0) {
    throw new DataError(`arm ${arm}: the runs share no query`, { fix: 'compare runs of the same corpus and queries' });
  }
  const metrics = sharedMetrics(pairs, settings.metricOrder);
  const answerMetrics = sharedAnswerMetrics(pairs);
  for (const metric of Object.keys(settings.gate)) {
    if (!metrics.includes(metric) && !answerMetrics.includes(metric)) {
      throw new ConfigError(`the gate names ${metric}, which arm ${arm} does not have in both runs (${[...metrics, ...answerMetrics].join(', ')})`, {
        fix: 'gate only metrics both evals compute',
      });
    }
  }
  // Answer metrics are compared on the queries both runs could score; the candidate's null share is judged apart.
  const series: { metric: string; pairs: QueryPair[]; value: (r: QueryResult) => number; nullShare?: number }[] = [
    ...metrics.map((metric) => ({ metric, pairs, value: (r: QueryResult) => r.metrics[metric]! })),
    ...answerMetrics.map((metric) => {
      const value = (r: QueryResult) => r.answer!.scores[metric] as number;
      const scored = pairs.filter((pair) => typeof pair.baseline.answer?.scores[metric] === 'number' && typeof pair.candidate.answer?.scores[metric] === 'number');
      const nulls = pairs.filter((pair) => typeof pair.candidate.answer?.scores[metric] !== 'number').length;
      return { metric, pairs: scored, value, nullShare: nulls / pairs.length };
    }),
  ];
  const tests = series.map(({ metric, pairs: scored, value, nullShare }): TestedMetric => {
    const a = scored.map((pair) => value(pair.candidate));
    const b = scored.map((pair) => value(pair.baseline));
    const extra = nullShare !== undefined ? { nullShare } : {};
    if (a.length === 0) {
      const none = { lower: Number.NaN, upper: Number.NaN };
      return { metric, baselineMean: Number.NaN, candidateMean: Number.NaN, delta: Number.NaN, ci: none, pDrop: 1, pTwoSided: 1, pTTest: null, ...extra, candidate: a, baseline: b, smallestP: 0 };
    }
    const random = { seed: settings.seed, permutations: settings.permutations, stopAfterExtreme: familyStopAfterExtreme };
    const ci = pairedBootstrapDiff(a, b, { seed: settings.seed, confidence: settings.confidence });
    const twoSided = pairedRandomizationTest(a, b, { ...random, alternative: 'two-sided' });
    return {
      metric,
      baselineMean: meanOf(b),
      candidateMean: meanOf(a),
      delta: ci.mean,
      ci: { lower: ci.lower, upper: ci.upper },
      pDrop: pairedRandomizationTest(a, b, { ...random, alternative: 'less' }).pValue,
      pTwoSided: twoSided.pValue,
      pTTest: a.length >= 2 ? pairedTTest(a, b).pValue : null,
      ...extra,
      candidate: a,
      baseline: b,
      // Only a Monte Carlo p is limited by a setting (the permutation count); an exact p is limited by the data.
      smallestP: twoSided.method === 'monte-carlo' ? smallestAttainableP(twoSided) : 0,
    };
  });
  const hasRankDiff = pairs.every((pair) => pair.baseline.relevantRanks && pair.candidate.relevantRanks);
  return {
    arm,
    queries: pairs.length,
    queriesOnlyInBaseline: baseline.size - pairs.length,
    queriesOnlyInCandidate: candidate.size - pairs.length,
    unpairedQueries: {
      baseline: [...baseline.keys()].filter((id) => !candidate.has(id)).sort(),
      candidate: [...candidate.keys()].filter((id) => !baseline.has(id)).sort(),
    },
    tests,
    queryDiffs: hasRankDiff ? diffQueries(pairs, metrics, settings.diffK) : [],
    hasRankDiff,
  };
}

/**
 * Holm over every arm × metric of the comparison (one family: adding arms makes each p stricter, as it must), then
 * each gated check's non-inferiority test with α split over the F gated checks (Bonferroni).
 */
function judgeArms(arms: readonly TestedArm[], gate: Gate, seed: number): ArmComparison[] {
  const all = arms.flatMap((arm) => arm.tests);
  const dropHolm = holmAdjust(all.map((t) => t.pDrop));
  const twoSidedHolm = holmAdjust(all.map((t) => t.pTwoSided));
  const family = all.filter((t) => gate[t.metric] !== undefined).length;
  let index = 0;
  return arms.map(({ tests, ...arm }) => {
    const metrics = tests.map(({ candidate, baseline, smallestP: _, ...test }): MetricComparison => {
      const i = index++;
      const withHolm = { ...test, pDropHolm: dropHolm[i]!, pTwoSidedHolm: twoSidedHolm[i]! };
      const rule = gate[test.metric];
      return { ...withHolm, ...judge({ ...withHolm, candidate, baseline }, rule, { family, seed }) };
    });
    return { ...arm, metrics, passed: metrics.every((m) => !m.blocks) };
  });
}

/** Holm's strictest threshold α/N must be reachable by the randomization test, or the p-columns cannot show it. */
function resolutionWarnings(arms: readonly TestedArm[], alpha: number): string[] {
  const all = arms.flatMap((arm) => arm.tests);
  const smallest = Math.max(0, ...all.map((t) => t.smallestP));
  const threshold = alpha / Math.max(1, all.length);
  if (all.length === 0 || smallest <= threshold) return [];
  return [
    `the randomization test's smallest p here is ${Number(smallest.toPrecision(2))}, above α/${all.length} = ${Number(threshold.toPrecision(2))} ` +
      `(Holm's strictest threshold): the Holm-adjusted p columns cannot go below α; raise --permutations (the gate's bootstrap bounds are unaffected)`,
  ];
}

function pairsOf(baseline: Map<string, QueryResult>, candidate: Map<string, QueryResult>): QueryPair[] {
  return [...baseline]
    .filter(([queryId]) => candidate.has(queryId))
    .map(([queryId, result]) => ({ queryId, baseline: result, candidate: candidate.get(queryId)! }));
}

/** Tests an arm contributes to the family: its shared retrieval metrics and answer metrics. */
function seriesCount(pairs: readonly QueryPair[], metricOrder: readonly string[]): number {
  return pairs.length === 0 ? 0 : sharedMetrics(pairs, metricOrder).length + sharedAnswerMetrics(pairs).length;
}

/** Metrics every paired query has on both sides, in the candidate eval's order (then alphabetical). */
function sharedMetrics(pairs: readonly QueryPair[], order: readonly string[]): string[] {
  const present = (metric: string) => pairs.every((p) => Number.isFinite(p.baseline.metrics[metric]) && Number.isFinite(p.candidate.metrics[metric]));
  const names = [...new Set(pairs.flatMap((p) => Object.keys(p.candidate.metrics)))].filter(present);
  const rank = (metric: string) => (order.includes(metric) ? order.indexOf(metric) : order.length);
  return names.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
}

/** Answer metrics every paired query has on both sides (a score or null), in the candidate's order. */
function sharedAnswerMetrics(pairs: readonly QueryPair[]): string[] {
  const has = (result: QueryResult, metric: string) => result.answer !== undefined && Object.hasOwn(result.answer.scores, metric);
  const names = Object.keys(pairs[0]?.candidate.answer?.scores ?? {});
  return names.filter((metric) => pairs.every((p) => has(p.baseline, metric) && has(p.candidate, metric)));
}

function groupByArm(results: readonly QueryResult[]): Map<string, Map<string, QueryResult>> {
  const arms = new Map<string, Map<string, QueryResult>>();
  for (const result of results) {
    let queries = arms.get(result.arm);
    if (!queries) arms.set(result.arm, (queries = new Map()));
    queries.set(result.queryId, result);
  }
  return arms;
}

function refOf(run: RunFolder): RunRef {
  return { runId: run.manifest.runId, dir: run.dir, evalName: run.manifest.eval.name ?? '', createdAt: run.manifest.createdAt };
}
