import type { Gate, GateRule } from '../../config/eval-config.js';
import type {
  AppliedGate,
  ArmComparison,
  Comparison,
  MetricComparison,
  RunRef,
  Verdict,
} from '../../report/comparison/summary.js';
import { formatP } from '../../report/comparison/format.js';
import { unreliableNullShare } from '../../metrics/answers.js';
import { ConfigError, DataError } from '../../shared/errors.js';
import { meanOf, pairedBootstrapDiff } from '../../stats/bootstrap.js';
import { holmAdjust, pairedRandomizationTest, pairedTTest } from '../../stats/paired-tests.js';
import { diffManifests } from './manifest-diff.js';
import { diffQueries, type QueryPair } from './query-diff.js';
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
  /** Monte Carlo sign vectors when the test is not exact; default 10,000. */
  readonly permutations?: number;
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
 * paired randomization p-values (one-sided for a drop and two-sided), each Holm-adjusted across all of the arm's
 * metrics (gated or not: one family per arm, so adding an ungated metric makes the gate slightly more conservative),
 * a paired t-test p for reference, and the gate verdict. A metric fails its gate when
 *   delta < −maxDrop AND Holm-adjusted one-sided p < alpha   (a drop both larger than tolerated and significant),
 *   or candidate mean < minValue                              (an absolute floor).
 * Note the p-value tests H0 "no drop" rather than "a drop of at most maxDrop": maxDrop is a practical-size
 * threshold on the observed delta, the test guards against calling noise a regression.
 * Answer metrics (runs with an `answers:` section) join the arm's family, compared on the queries both runs could
 * score; a gated one also fails when the candidate's null share exceeds `maxNullShare` (default 0.1), since nulls
 * are left out of the means and would otherwise hide answers that broke the judge.
 * Throws DataError when no arm or no query is shared, ConfigError when a gated metric is in neither run, and
 * DataError when the corpus fingerprints or the scored query sets differ (pairing queries by id across corpora
 * compares unrelated questions that happen to share ids) unless `allowDifferentCorpus` / `allowDifferentQueries`.
 */
export async function compareRuns(baselineDir: string, candidateDir: string, options: CompareOptions = {}): Promise<Comparison> {
  const [baseline, candidate] = await Promise.all([readRunFolder(baselineDir), readRunFolder(candidateDir)]);
  const settings = {
    alpha: options.alpha ?? 0.05,
    seed: options.seed ?? 42,
    permutations: options.permutations ?? 10_000,
    confidence: options.confidence ?? 0.95,
    diffK: options.diffK ?? 10,
  };
  const gate = options.gate ?? candidate.manifest.eval.gate ?? {};
  const baselineArms = groupByArm(baseline.results);
  const candidateArms = groupByArm(candidate.results);
  const shared = [...candidateArms.keys()].filter((arm) => baselineArms.has(arm));
  if (shared.length === 0) {
    throw new DataError(
      `the runs share no arm (baseline: ${[...baselineArms.keys()].join(', ') || 'none'}; candidate: ${[...candidateArms.keys()].join(', ') || 'none'})`,
      { fix: 'arms match by `<chunker> × <retriever>` name: give the chunker and retriever entries the same `name:` in both evals' },
    );
  }
  const warnings = checkComparable(baseline, candidate, options);
  const arms = shared.map((arm) =>
    compareArm(arm, baselineArms.get(arm)!, candidateArms.get(arm)!, { ...settings, gate, metricOrder: candidate.manifest.eval.metrics }),
  );
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
    settings,
    passed: arms.every((arm) => arm.passed),
    gated: Object.keys(gate).length > 0,
    warnings,
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

function compareArm(arm: string, baseline: Map<string, QueryResult>, candidate: Map<string, QueryResult>, settings: ArmSettings): ArmComparison {
  const pairs: QueryPair[] = [...baseline]
    .filter(([queryId]) => candidate.has(queryId))
    .map(([queryId, result]) => ({ queryId, baseline: result, candidate: candidate.get(queryId)! }));
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
  const tests = series.map(({ metric, pairs: scored, value, nullShare }) => {
    const a = scored.map((pair) => value(pair.candidate));
    const b = scored.map((pair) => value(pair.baseline));
    if (a.length === 0) {
      const none = { lower: Number.NaN, upper: Number.NaN };
      return { metric, baselineMean: Number.NaN, candidateMean: Number.NaN, delta: Number.NaN, ci: none, pDrop: 1, pTwoSided: 1, pTTest: null, nullShare: nullShare ?? 0 };
    }
    const random = { seed: settings.seed, permutations: settings.permutations };
    const ci = pairedBootstrapDiff(a, b, { seed: settings.seed, confidence: settings.confidence });
    return {
      metric,
      baselineMean: meanOf(b),
      candidateMean: meanOf(a),
      delta: ci.mean,
      ci: { lower: ci.lower, upper: ci.upper },
      pDrop: pairedRandomizationTest(a, b, { ...random, alternative: 'less' }).pValue,
      pTwoSided: pairedRandomizationTest(a, b, { ...random, alternative: 'two-sided' }).pValue,
      pTTest: a.length >= 2 ? pairedTTest(a, b).pValue : null,
      ...(nullShare !== undefined ? { nullShare } : {}),
    };
  });
  // Holm within the arm: the metrics are one family of hypotheses about one change (see holmAdjust).
  const dropHolm = holmAdjust(tests.map((t) => t.pDrop));
  const twoSidedHolm = holmAdjust(tests.map((t) => t.pTwoSided));
  const compared: MetricComparison[] = tests.map((test, i) => {
    const rule = settings.gate[test.metric];
    const withHolm = { ...test, pDropHolm: dropHolm[i]!, pTwoSidedHolm: twoSidedHolm[i]! };
    return { ...withHolm, ...judge(withHolm, rule) };
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
    metrics: compared,
    queryDiffs: hasRankDiff ? diffQueries(pairs, metrics, settings.diffK) : [],
    hasRankDiff,
    passed: compared.every((metric) => metric.verdict !== 'fail'),
  };
}

/** The gate rule applied to one metric: see compareRuns for the semantics. */
export function judge(
  test: { readonly delta: number; readonly candidateMean: number; readonly pDropHolm: number; readonly nullShare?: number },
  rule: GateRule | undefined,
): { gate?: AppliedGate; verdict: Verdict; reasons: string[] } {
  if (!rule) return { verdict: 'ungated', reasons: [] };
  const reasons: string[] = [];
  // An answer metric's mean leaves its nulls out: too many of them fail the gate instead of vanishing.
  const maxNullShare = rule.maxNullShare ?? unreliableNullShare;
  if (test.nullShare !== undefined && test.nullShare > maxNullShare) {
    reasons.push(`${(test.nullShare * 100).toFixed(1)}% of the candidate's queries could not be scored (null), more than maxNullShare ${maxNullShare}`);
  }
  if (test.delta < -rule.maxDrop && test.pDropHolm < rule.alpha) {
    reasons.push(
      `dropped by ${(-test.delta).toFixed(4)} (more than maxDrop ${rule.maxDrop}) with Holm-adjusted one-sided ` +
        `p = ${formatP(test.pDropHolm)} < alpha ${rule.alpha}`,
    );
  }
  if (rule.minValue !== undefined && test.candidateMean < rule.minValue) {
    reasons.push(`mean ${test.candidateMean.toFixed(4)} is below minValue ${rule.minValue}`);
  }
  const gate: AppliedGate = {
    maxDrop: rule.maxDrop,
    alpha: rule.alpha,
    ...(rule.minValue !== undefined ? { minValue: rule.minValue } : {}),
    ...(test.nullShare !== undefined ? { maxNullShare } : {}),
  };
  return { gate, verdict: reasons.length > 0 ? 'fail' : 'pass', reasons };
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
