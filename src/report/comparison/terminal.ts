import { renderStageComparison } from '../run/stage-timings.js';
import { familyNote, formatDelta, formatGate, formatInterval, formatMean, formatP, gateCounts, metricName } from './format.js';
import type { ArmComparison, Comparison } from './summary.js';
import { describeFamily } from '../../stats/pairwise.js';
import { tieNotes } from '../run/pairwise.js';
import type { PairwiseView } from '../run/summary.js';

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
  if (comparison.withinCandidate) lines.push('', ...withinCandidateLines(comparison.withinCandidate));
  return lines.join('\n');
}

function verdictLine(comparison: Comparison): string {
  if (!comparison.gated) return 'compared (no gate configured)';
  const { failed, inconclusive, blocking } = gateCounts(comparison);
  if (failed > 0) return `gate FAILED (${failed} metric${failed === 1 ? '' : 's'}${inconclusive > 0 ? `, ${inconclusive} inconclusive` : ''})`;
  if (inconclusive > 0) return `gate INCONCLUSIVE (${inconclusive} check${inconclusive === 1 ? '' : 's'}${blocking > 0 ? ', onInconclusive: fail' : ', counted as passing by onInconclusive: pass'})`;
  return 'gate passed';
}

function renderArm(arm: ArmComparison, comparison: Comparison): string[] {
  const pct = Math.round(comparison.settings.confidence * 100);
  const header = ['metric', 'baseline', 'candidate', 'delta', `${pct}% CI`, 'p drop', 'p 2-sided', 'gate bounds', 'gate', 'verdict'];
  const rows = arm.metrics.map((m) => [
    metricName(m),
    formatMean(m.baselineMean),
    formatMean(m.candidateMean),
    formatDelta(m.delta),
    formatInterval(m.ci),
    formatP(m.pDropHolm),
    formatP(m.pTwoSidedHolm),
    m.gateTest ? formatInterval(m.gateTest) : '-',
    formatGate(m.gate),
    m.verdict === 'ungated' ? (m.pTwoSidedHolm < comparison.settings.alpha ? 'changed' : '-') : m.verdict.toUpperCase(),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 || i >= 8 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  const lines = [
    `${arm.arm}: ${arm.queries} paired queries (${familyNote(comparison)})`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  for (const m of arm.metrics) if (m.explanation && m.verdict !== 'pass') lines.push(`  ${m.metric}: ${m.explanation}`);
  for (const m of arm.metrics) for (const reason of m.reasons) if (reason !== m.explanation) lines.push(`  ${m.metric}: ${reason}`);
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

/** The candidate's own arm-vs-arm verdicts in a few lines: how many pairs differ, and the ties with each metric's best. */
function withinCandidateLines(view: PairwiseView): string[] {
  const { entries, family } = view.pairwise!;
  const significant = entries.filter((e) => e.pAdjusted < family.alpha).length;
  return [
    `within the candidate run: ${significant} of ${entries.length} arm pairs × metrics differ significantly (${describeFamily(family)}; report.md has the matrix)`,
    ...tieNotes(view).map((line) => `  ${line}`),
  ];
}
