import type { ArmComparison, DecisionArm, DecisionReport } from '../../../../src/report/decision/summary.js';
import type { RuleArm, RuleInput } from '../../../../src/report/decision/rules.js';
import type { ScoredEstimate } from '../../../../src/report/run/summary.js';

/** Hand-made estimates and comparisons for the decision rules and renderers. */
export const settings: RuleInput['settings'] = {
  primaryMetric: 'decision-accuracy',
  goodEnough: 0.7,
  equivalenceMargin: 0.03,
  alpha: 0.05,
  faithfulEnough: 0.5,
  contextK: 5,
  confidence: 0.95,
};

export function estimate(mean: number, halfWidth = 0.02, scored = 200): ScoredEstimate {
  return { mean, lower: mean - halfWidth, upper: mean + halfWidth, scored, nulls: 0 };
}

export function arm(name: string, kind: RuleArm['kind'], primary: number, extra: Record<string, ScoredEstimate> = {}): RuleArm {
  const retrieved = kind === 'retrieved' ? { chunker: name.split(' × ')[0]!.replace('retrieved: ', ''), retriever: name.split(' × ')[1]! } : {};
  return { name, kind, metrics: { 'decision-accuracy': estimate(primary), ...extra }, failureCounts: {}, failing: 0, ...retrieved };
}

/** `a − b` = diff ± halfWidth, Holm p as given. */
export function comparison(a: string, b: string, diff: number, halfWidth: number, pHolm: number, n = 200): ArmComparison {
  return { a, b, metric: 'decision-accuracy', n, meanA: 0.5 + diff / 2, meanB: 0.5 - diff / 2, difference: { mean: diff, lower: diff - halfWidth, upper: diff + halfWidth }, p: pHolm / 2, pHolm };
}

export const bm25 = 'retrieved: recursive-800 × bm25';
export const local = 'retrieved: recursive-800 × local';

export const hostilePayload = '<script>alert("x")</script><img src=x onerror=alert(1)> & | pipes';

/** A whole report whose every data text holds `payload` (default: HTML), for the renderers' escaping. */
export function hostileReport(hostile = hostilePayload): DecisionReport {
  const baseArm = (name: string, kind: DecisionArm['kind'], mean: number): DecisionArm => ({
    name,
    kind,
    metrics: { 'decision-accuracy': estimate(mean), 'faithfulness-lexical': kind === 'closed-book' ? { mean: null, scored: 0, nulls: 200 } : estimate(0.9) },
    cost: { questions: 200, inputTokens: kind === 'closed-book' ? 4000 : 90_000, outputTokens: 6000, usd: kind === 'gold' ? null : 0.0123, ...(kind === 'gold' ? { reason: 'no price for m' } : {}) },
    ...(kind === 'retrieved' ? { chunker: 'recursive-800', retriever: 'bm25', recallCurve: [0.3, 0.5, 0.6, 0.65, 0.7, 0.72, 0.74, 0.75, 0.76, 0.77] } : {}),
    failureCounts: { 'wrong-decision': 12, unfaithful: 2 },
    failing: 14,
    topFailures: [{ queryId: 'q1', question: `Is ${hostile} safe?`, gold: 'yes: it is', answer: `no: ${hostile}`, categories: ['wrong-decision'], why: 'wrong yes/no/maybe label (said no, gold yes)' }],
  });
  const arms = [baseArm('closed-book', 'closed-book', 0.3), baseArm(bm25, 'retrieved', 0.8), baseArm('gold', 'gold', 0.81)];
  return {
    evalName: `eval ${hostile}`,
    runId: 'r1',
    createdAt: '2026-01-01T00:00:00.000Z',
    corpus: { name: `corpus ${hostile}`, documents: 10, estimatedTokens: 1000 },
    questions: 200,
    answerer: 'llm (m)',
    answerMetrics: ['decision-accuracy', 'faithfulness-lexical'],
    settings: { ...settings, contextWindowTokens: 128_000, depth: 10 },
    arms,
    skipped: [{ name: 'whole-corpus', reason: `too big ${hostile}` }],
    comparisons: [comparison(bm25, 'closed-book', 0.5, 0.05, 0.001), comparison('gold', bm25, 0.01, 0.015, 1)],
    recommendation: { verdict: 'rag', headline: `Use RAG ${hostile}`, evidence: [`evidence ${hostile}`], smallSample: true, smallSampleNotes: [`note ${hostile}`] },
  };
}
