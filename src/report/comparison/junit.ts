import { formatDelta, formatGate, formatInterval, formatMean, formatP } from './format.js';
import type { Comparison, MetricComparison } from './summary.js';

/**
 * The gate as JUnit XML for CI test reporters (GitHub test-reporter actions, GitLab `artifacts:reports:junit`,
 * Jenkins): one `<testsuite>` per compared arm, one `<testcase>` per gated metric, a `<failure>` carrying the
 * numbers when the gate failed. Ungated metrics are not test cases: nothing could fail them. Uses the common
 * subset of the (informal) schema that Jenkins' junit plugin and Surefire define.
 */
export function renderJUnit(comparison: Comparison): string {
  const suites = comparison.arms.map((arm) => {
    const gated = arm.metrics.filter((m) => m.verdict !== 'ungated');
    const failures = gated.filter((m) => m.blocks).length;
    const cases = gated.map((m) => testCase(arm.arm, m, comparison));
    return [
      `  <testsuite name="${xml(arm.arm)}" tests="${gated.length}" failures="${failures}" errors="0" skipped="0" time="0">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  const tests = comparison.arms.reduce((n, arm) => n + arm.metrics.filter((m) => m.verdict !== 'ungated').length, 0);
  const failures = comparison.arms.reduce((n, arm) => n + arm.metrics.filter((m) => m.blocks).length, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ragbench gate: ${xml(comparison.baseline.runId)} → ${xml(comparison.candidate.runId)}" tests="${tests}" failures="${failures}" errors="0" time="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function testCase(arm: string, m: MetricComparison, comparison: Comparison): string {
  const numbers =
    `baseline ${formatMean(m.baselineMean)}, candidate ${formatMean(m.candidateMean)}, delta ${formatDelta(m.delta)}, ` +
    `${Math.round(comparison.settings.confidence * 100)}% CI ${formatInterval(m.ci)}, ` +
    `p drop ${formatP(m.pDrop)} (Holm ${formatP(m.pDropHolm)}), p two-sided ${formatP(m.pTwoSided)} (Holm ${formatP(m.pTwoSidedHolm)}); ` +
    `gate ${formatGate(m.gate)}; ${m.verdict}${m.explanation ? `: ${m.explanation}` : ''}`;
  const open = `    <testcase name="${xml(m.metric)}" classname="ragbench.gate.${xml(arm)}" time="0">`;
  if (m.blocks) {
    // An inconclusive check that blocks is a failure for CI, but it says inconclusive, never regression.
    const type = m.verdict === 'fail' ? 'RegressionGate' : 'InconclusiveGate';
    const message = `${m.metric} ${m.reasons.join('; ')}`;
    return [open, `      <failure message="${xml(message)}" type="${type}">${xml(numbers)}</failure>`, '    </testcase>'].join('\n');
  }
  return [open, `      <system-out>${xml(numbers)}</system-out>`, '    </testcase>'].join('\n');
}

/**
 * Escapes text for XML attribute values and content; drops the control characters XML 1.0 forbids (§2.2 Char),
 * which no escape can represent.
 */
export function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
