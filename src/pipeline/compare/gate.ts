import type { GateRule } from '../../config/eval-config.js';
import { unreliableNullShare } from '../../metrics/answers.js';
import { formatDelta, formatMean } from '../../report/comparison/format.js';
import type { AppliedGate, GateTest, Verdict } from '../../report/comparison/summary.js';
import { nonInferiority } from '../../stats/non-inferiority.js';

/**
 * One gated check: the non-inferiority test of the delta against −maxDrop (see compareRuns), the minValue floor and,
 * for answer metrics, the null share. `blocks` says whether the verdict makes the gate exit 1: a fail always, an
 * inconclusive unless the rule says `onInconclusive: pass`. Every sentence names the test and the family it rests on.
 */
export function judge(
  test: {
    readonly candidateMean: number;
    readonly nullShare?: number | undefined;
    readonly candidate: readonly number[];
    readonly baseline: readonly number[];
  },
  rule: GateRule | undefined,
  options: { readonly family: number; readonly seed: number },
): { gate?: AppliedGate; gateTest?: GateTest; verdict: Verdict; blocks: boolean; reasons: string[]; explanation?: string } {
  if (!rule) return { verdict: 'ungated', blocks: false, reasons: [] };
  const reasons: string[] = [];
  const onInconclusive = rule.onInconclusive ?? 'fail';
  const maxNullShare = rule.maxNullShare ?? unreliableNullShare;
  const gate: AppliedGate = {
    maxDrop: rule.maxDrop,
    alpha: rule.alpha,
    onInconclusive,
    ...(rule.minValue !== undefined ? { minValue: rule.minValue } : {}),
    ...(test.nullShare !== undefined ? { maxNullShare } : {}),
  };
  // An answer metric's mean leaves its nulls out: too many of them fail the gate instead of vanishing.
  if (test.nullShare !== undefined && test.nullShare > maxNullShare) {
    reasons.push(`${(test.nullShare * 100).toFixed(1)}% of the candidate's queries could not be scored (null), more than maxNullShare ${maxNullShare}`);
  }
  if (rule.minValue !== undefined && test.candidateMean < rule.minValue) {
    reasons.push(`mean ${formatMean(test.candidateMean)} is below minValue ${rule.minValue} (a floor on the observed mean)`);
  }
  if (test.candidate.length === 0) {
    reasons.push('no query could be scored in both runs');
    return { gate, verdict: 'fail', blocks: true, reasons };
  }
  const result = nonInferiority(test.candidate, test.baseline, { margin: rule.maxDrop, alpha: rule.alpha, family: options.family, seed: options.seed });
  const gateTest: GateTest = {
    decision: result.decision,
    lower: result.lower,
    upper: result.upper,
    level: result.level,
    family: options.family,
    resamples: result.resamples,
    queries: result.queries,
    sdDelta: result.sdDelta,
    queriesNeeded: result.queriesNeeded,
    minDetectableDrop: result.minDetectableDrop,
  };
  const basis = describeGateTest(gateTest);
  const margin = `−maxDrop (−${rule.maxDrop})`;
  let explanation: string;
  if (result.decision === 'fail') {
    explanation = `dropped by ${(-result.delta).toFixed(4)}, Δ ≤ ${formatDelta(result.upper)} < ${margin}: a drop larger than the margin is shown (${basis})`;
    reasons.push(explanation);
  } else if (result.decision === 'inconclusive') {
    const needed =
      result.queriesNeeded === null
        ? 'the observed delta sits on the margin, so no number of queries would decide at this spread'
        : `about ${result.queriesNeeded.toLocaleString('en')} queries (now ${result.queries}) would decide at the observed spread`;
    explanation =
      `inconclusive: the bounds [${formatDelta(result.lower)}, ${formatDelta(result.upper)}] straddle ${margin} (${basis}); ${needed}; ` +
      `with ${result.queries} queries a true drop of ${result.minDetectableDrop.toFixed(4)} or more fails with 80% power` +
      (onInconclusive === 'pass' ? '; counted as passing (onInconclusive: pass)' : '');
    if (onInconclusive === 'fail') reasons.push(explanation);
  } else {
    explanation = `Δ ≥ ${formatDelta(result.lower)} > ${margin}: a drop larger than the margin is ruled out (${basis})`;
  }
  // A floor or null-share failure fails the check whatever the interval says.
  const hardFail = result.decision === 'fail' || reasons.some((reason) => reason !== explanation);
  const verdict: Verdict = hardFail ? 'fail' : result.decision;
  return { gate, gateTest, verdict, blocks: verdict === 'fail' || (verdict === 'inconclusive' && onInconclusive === 'fail'), reasons, explanation };
}

/** "paired bootstrap one-sided 99.2% bounds, α 0.05 Bonferroni over 6 gated checks, 2,400 resamples" */
export function describeGateTest(t: Pick<GateTest, 'level' | 'family' | 'resamples'>): string {
  const pct = Number((t.level * 100).toFixed(2));
  return `paired bootstrap one-sided ${pct}% bounds, α split by Bonferroni over ${t.family} gated check${t.family === 1 ? '' : 's'}, ${t.resamples.toLocaleString('en')} resamples`;
}
