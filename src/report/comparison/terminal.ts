import { renderStageComparison } from '../run/stage-timings.js';
import { formatDelta, formatGate, formatInterval, formatMean, formatP, metricName } from './format.js';
import type { ArmComparison, Comparison } from './summary.js';

/**
 * The comparison for a terminal: the verdict, what changed, one aligned table per arm (delta, CI, Holm-adjusted
 * p-values, gate, verdict), the gate's reasons and the queries that lost the most relevant documents. Plain text
 * (no colour), so it reads the same in CI logs.
 */
export function renderComparisonTable(comparison: Comparison): string {
  const { baseline, candidate } = comparison;
  const lines = [
    ...comparison.warnings.map((warning) => `WARNING: ${warning}`),
    `${verdictLine(comparison)}${comparison.warnings.length > 0 ? ' (with warnings above)' : ''}: baseline ${baseline.runId} → candidate ${candidate.runId}`,
  ];
  if (comparison.changes.length === 0) {
    lines.push('changed: nothing (same corpus, settings and versions)');
  } else {
    lines.push('changed:');
    for (const change of comparison.changes) {
      lines.push(`  ${change.scope}: ${change.path} ${change.baseline ?? '(absent)'} → ${change.candidate ?? '(absent)'}`);
    }
  }
  for (const arm of comparison.arms) lines.push('', ...renderArm(arm, comparison));
  if (comparison.armsOnlyInBaseline.length > 0) lines.push('', `only in the baseline: ${comparison.armsOnlyInBaseline.join(', ')}`);
  if (comparison.armsOnlyInCandidate.length > 0) lines.push('', `only in the candidate: ${comparison.armsOnlyInCandidate.join(', ')}`);
  if (comparison.stages?.length) lines.push('', renderStageComparison(comparison));
  return lines.join('\n');
}

function verdictLine(comparison: Comparison): string {
  if (!comparison.gated) return 'compared (no gate configured)';
  const failed = comparison.arms.reduce((n, arm) => n + arm.metrics.filter((m) => m.verdict === 'fail').length, 0);
  return failed > 0 ? `gate FAILED (${failed} metric${failed === 1 ? '' : 's'})` : 'gate passed';
}

function renderArm(arm: ArmComparison, comparison: Comparison): string[] {
  const pct = Math.round(comparison.settings.confidence * 100);
  const header = ['metric', 'baseline', 'candidate', 'delta', `${pct}% CI`, 'p drop', 'p 2-sided', 'gate', 'verdict'];
  const rows = arm.metrics.map((m) => [
    metricName(m),
    formatMean(m.baselineMean),
    formatMean(m.candidateMean),
    formatDelta(m.delta),
    formatInterval(m.ci),
    formatP(m.pDropHolm),
    formatP(m.pTwoSidedHolm),
    formatGate(m.gate),
    m.verdict === 'ungated' ? (m.pTwoSidedHolm < comparison.settings.alpha ? 'changed' : '-') : m.verdict.toUpperCase(),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 || i >= 7 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  const lines = [
    `${arm.arm}: ${arm.queries} paired queries (p-values Holm-adjusted)`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  for (const m of arm.metrics) for (const reason of m.reasons) lines.push(`  ${m.metric}: ${reason}`);
  if (arm.hasRankDiff) {
    const k = comparison.settings.diffK;
    const lost = arm.queryDiffs.filter((d) => d.lost.length > 0);
    const gained = arm.queryDiffs.filter((d) => d.gained.length > 0);
    lines.push(`  top ${k}: ${lost.length} queries lost relevant documents, ${gained.length} gained`);
    const worst = arm.queryDiffs.filter((d) => d.lost.length > d.gained.length).slice(0, 5);
    if (worst.length > 0) {
      const described = worst.map((d) => `${d.queryId} (−${d.lost.map((c) => `${c.docId}@${c.baselineRank}`).join(' ')})`);
      lines.push(`  most lost: ${described.join(', ')}`);
    }
  }
  return lines;
}
