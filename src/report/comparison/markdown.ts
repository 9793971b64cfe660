import { familyNote, formatDelta, formatGate, formatInterval, formatMean, formatP, formatRanks, gateCounts, metricName } from './format.js';
import type { ArmComparison, Comparison, QueryDiff, RankChange } from './summary.js';
import { renderPairwiseMarkdown } from '../run/pairwise.js';

interface ComparisonMarkdownOptions {
  /** Queries listed per arm in each of the "lost" and "gained" tables; default 10. */
  readonly queryRows?: number;
}

/**
 * The comparison as Markdown for a CI job summary (GitHub's `$GITHUB_STEP_SUMMARY`, GitLab/Buildkite annotations):
 * the verdict first, then what changed between the runs, one table per arm with delta, CI, p-values and verdict,
 * the gate's reasons, and the queries that lost or gained relevant documents in the top k (folded).
 */
export function renderComparisonMarkdown(comparison: Comparison, options: ComparisonMarkdownOptions = {}): string {
  const rows = options.queryRows ?? 10;
  const { baseline, candidate, settings } = comparison;
  const lines = [`## ${headline(comparison)}`, ''];
  for (const warning of comparison.warnings) lines.push(`> ⚠️ **Warning:** ${cell(warning)}`, '');
  lines.push(
    `Baseline \`${baseline.runId}\` (eval \`${baseline.evalName}\`, ${baseline.createdAt}) → candidate \`${candidate.runId}\` ` +
      `(eval \`${candidate.evalName}\`, ${candidate.createdAt}).`,
    '',
    '### What changed',
    '',
  );
  if (comparison.changes.length === 0) {
    lines.push('Nothing: same corpus, chunkers, retrievers, eval settings and versions.', '');
  } else {
    lines.push('| where | setting | baseline | candidate |', '| --- | --- | --- | --- |');
    for (const change of comparison.changes) {
      lines.push(`| ${cell(change.scope)} | \`${cell(change.path)}\` | ${code(change.baseline)} | ${code(change.candidate)} |`);
    }
    lines.push('');
  }
  for (const arm of comparison.arms) lines.push(...renderArm(arm, comparison, rows));
  if (comparison.armsOnlyInBaseline.length > 0) lines.push(`Arms only in the baseline (not compared): ${comparison.armsOnlyInBaseline.map(cell).join(', ')}.`, '');
  if (comparison.armsOnlyInCandidate.length > 0) lines.push(`Arms only in the candidate (not compared): ${comparison.armsOnlyInCandidate.map(cell).join(', ')}.`, '');
  if (comparison.withinCandidate) lines.push(...renderPairwiseMarkdown(comparison.withinCandidate, '### Within the candidate run: its arms compared with each other'));
  lines.push(
    `<sub>Δ = candidate − baseline over the queries both runs scored. ${Math.round(settings.confidence * 100)}% paired bootstrap CI; ` +
      `${familyNote(comparison)} (exact up to 20 non-zero differences, else up to ${settings.permutations} sign flips (sequential), seed ${settings.seed}). ` +
      `A gated check is a non-inferiority test: L, U = one-sided paired-bootstrap bounds of Δ at 1 − α/F (Bonferroni over the F gated checks); ` +
      `pass if L ≥ −maxDrop, fail if U < −maxDrop (or the mean is below min), otherwise inconclusive.</sub>`,
    '',
  );
  return lines.join('\n');
}

function headline(comparison: Comparison): string {
  if (!comparison.gated) return 'ℹ️ ragbench comparison (no gate configured)';
  const { checks, failed, inconclusive, blocking } = gateCounts(comparison);
  const undecided = inconclusive > 0 ? `, ${inconclusive} inconclusive` : '';
  if (failed > 0) return `❌ ragbench gate failed: ${failed} of ${checks} gated checks${undecided}`;
  if (blocking > 0) return `❔ ragbench gate inconclusive: ${inconclusive} of ${checks} gated checks (onInconclusive: fail)`;
  return `✅ ragbench gate passed: ${checks} gated checks${inconclusive > 0 ? ` (${inconclusive} inconclusive, counted as passing by onInconclusive: pass)` : ''}`;
}

function renderArm(arm: ArmComparison, comparison: Comparison, rows: number): string[] {
  const { settings } = comparison;
  const status = comparison.gated ? (arm.passed ? ' ✅' : ' ❌') : '';
  const unpaired =
    arm.queriesOnlyInBaseline + arm.queriesOnlyInCandidate > 0
      ? ` (left out: ${arm.queriesOnlyInBaseline} only in the baseline, ${arm.queriesOnlyInCandidate} only in the candidate)`
      : '';
  const lines = [
    `### ${cell(arm.arm)}${status}`,
    '',
    `${arm.queries} queries paired${unpaired}.`,
    '',
    `| metric | baseline | candidate | Δ | ${Math.round(settings.confidence * 100)}% CI of Δ | p drop (Holm) | p two-sided (Holm) | gate bounds of Δ | gate | verdict |`,
    '| --- | ---: | ---: | ---: | --- | ---: | ---: | --- | --- | :---: |',
  ];
  for (const m of arm.metrics) {
    const verdict =
      m.verdict === 'pass' ? '✅ pass' : m.verdict === 'fail' ? '❌ fail' : m.verdict === 'inconclusive' ? '❔ inconclusive' : m.pTwoSidedHolm < settings.alpha ? 'changed' : '—';
    lines.push(
      `| ${cell(metricName(m))} | ${formatMean(m.baselineMean)} | ${formatMean(m.candidateMean)} | ${formatDelta(m.delta)} | ` +
        `${formatInterval(m.ci)} | ${formatP(m.pDrop)} (${formatP(m.pDropHolm)}) | ${formatP(m.pTwoSided)} (${formatP(m.pTwoSidedHolm)}) | ` +
        `${m.gateTest ? formatInterval(m.gateTest) : '—'} | ${formatGate(m.gate)} | ${verdict} |`,
    );
  }
  lines.push('');
  const reasons = arm.metrics.flatMap((m) => [
    ...(m.explanation ? [`- **${cell(m.metric)}** ${m.verdict}: ${cell(m.explanation)}`] : []),
    ...m.reasons.filter((reason) => reason !== m.explanation).map((reason) => `- **${cell(m.metric)}** ${cell(reason)}`),
  ]);
  if (reasons.length > 0) lines.push(...reasons, '');
  lines.push(...renderQueryDiffs(arm, settings.diffK, rows));
  return lines;
}

function renderQueryDiffs(arm: ArmComparison, k: number, rows: number): string[] {
  if (!arm.hasRankDiff) return ['_Per-query diff unavailable: a run did not record relevant ranks (written by an older ragbench)._', ''];
  const losing = arm.queryDiffs.filter((d) => d.lost.length > d.gained.length);
  const gaining = arm.queryDiffs.filter((d) => d.gained.length > d.lost.length).reverse();
  const lost = arm.queryDiffs.filter((d) => d.lost.length > 0).length;
  const gained = arm.queryDiffs.filter((d) => d.gained.length > 0).length;
  if (lost + gained === 0) return [`No query lost or gained a relevant document in the top ${k}.`, ''];
  const metric = arm.metrics[0]?.metric;
  const lines = [
    '<details>',
    `<summary>Per-query diff: ${lost} queries lost and ${gained} gained relevant documents in the top ${k}</summary>`,
    '',
  ];
  for (const [title, list] of [
    ['Most lost', losing],
    ['Most gained', gaining],
  ] as const) {
    if (list.length === 0) continue;
    lines.push(`**${title}** (doc: rank baseline→candidate; — = not retrieved within depth)`, '');
    lines.push(`| query | Δ ${metric ?? ''} | lost | gained |`, '| --- | ---: | --- | --- |');
    for (const diff of list.slice(0, rows)) lines.push(queryRow(diff, metric));
    lines.push('');
  }
  lines.push('</details>', '');
  return lines;
}

function queryRow(diff: QueryDiff, metric: string | undefined): string {
  const delta = metric === undefined ? '' : formatDelta(diff.deltas[metric] ?? 0, 3);
  return `| ${cell(diff.queryId)} | ${delta} | ${docs(diff.lost)} | ${docs(diff.gained)} |`;
}

function docs(changes: readonly RankChange[]): string {
  if (changes.length === 0) return '—';
  const shown = changes.slice(0, 5).map((c) => `${cell(c.docId)} (${formatRanks(c.baselineRank, c.candidateRank)})`);
  return changes.length > 5 ? `${shown.join(', ')}, +${changes.length - 5} more` : shown.join(', ');
}

/** A table cell: pipes escaped and newlines flattened, so user text cannot break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(value: string | undefined): string {
  return value === undefined ? '_(absent)_' : `\`${cell(value.length > 80 ? `${value.slice(0, 77)}...` : value).replace(/`/g, "'")}\``;
}
