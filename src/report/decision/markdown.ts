import { formatDifference, formatP, readComparison, verdictNames } from './rules.js';
import type { DecisionArm, DecisionReport } from './summary.js';
import { formatScoredEstimate } from '../run/format.js';
import { unreliableNullShare } from '../../metrics/answers.js';
import type { ScoredEstimate } from '../run/summary.js';

/** decision.md: the recommendation first, then the evidence tables, cost and failing examples, for a product manager. */
export function renderDecisionMarkdown(report: DecisionReport): string {
  const { settings, recommendation: rec } = report;
  const pct = Math.round(settings.confidence * 100);
  const lines = [
    `# Prompt-only, RAG or fine-tuning? — ${md(report.evalName)}`,
    '',
    `**Recommendation: ${verdictNames[rec.verdict]}.** ${md(rec.headline)}`,
    '',
    '## Why',
    '',
    ...rec.evidence.map((line) => `- ${md(line)}`),
  ];
  if (rec.smallSample) lines.push('', '> **Small sample.** ' + rec.smallSampleNotes.map(md).join(' '));
  lines.push(
    '',
    `${report.questions} questions from **${md(report.corpus.name)}** (${report.corpus.documents.toLocaleString('en')} documents), answered by ${md(report.answerer)}. ` +
      `Arms are compared on **${settings.primaryMetric}**; "good enough" is ${settings.goodEnough}, "about the same" means the ${pct}% interval of the ` +
      `difference lies within ±${settings.equivalenceMargin}, "clearly" means beyond that margin with Holm-adjusted p < ${settings.alpha}.`,
    '',
    '## Scores per arm',
    '',
    `Mean over the questions each metric could score, with its ${pct}% bootstrap interval and its null share (questions it could not score; UNRELIABLE above ${unreliableNullShare * 100}%).`,
    '',
    `| arm | ${report.answerMetrics.join(' | ')} |`,
    `| --- | ${report.answerMetrics.map(() => '---:').join(' | ')} |`,
    ...report.arms.map((arm) => `| ${md(arm.name)} | ${report.answerMetrics.map((m) => cell(arm.metrics[m])).join(' | ')} |`),
  );
  for (const skipped of report.skipped) lines.push('', `*${md(skipped.name)} skipped:* ${md(skipped.reason)}.`);
  lines.push(
    '',
    '## Paired comparisons',
    '',
    `Difference a − b in ${settings.primaryMetric} on the questions both could score; p from a paired randomization test, Holm-adjusted across all rows.`,
    '',
    '| a | b | questions | a | b | a − b [CI] | p | Holm p | reading |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...report.comparisons.map(
      (c) =>
        `| ${md(c.a)} | ${md(c.b)} | ${c.n} | ${c.meanA.toFixed(3)} | ${c.meanB.toFixed(3)} | ${formatDifference(c)} | ${formatP(c.p)} | ${formatP(c.pHolm)} | ${readComparison(c, settings)} |`,
    ),
  );
  const retrieved = report.arms.filter((arm) => arm.recallCurve);
  if (retrieved.length > 0) {
    const ks = [1, 3, 5, 10, 20, 50, 100].filter((k) => k <= settings.depth);
    lines.push('', '## Retrieval recall', '', `Share of the judged-relevant documents in the top k.`, '', `| arm | ${ks.map((k) => `recall@${k}`).join(' | ')} |`, `| --- | ${ks.map(() => '---:').join(' | ')} |`);
    for (const arm of retrieved) lines.push(`| ${md(arm.name)} | ${ks.map((k) => arm.recallCurve![k - 1]!.toFixed(3)).join(' | ')} |`);
  }
  lines.push('', '## Cost', '', '| arm | questions | input tokens | output tokens | USD |', '| --- | ---: | ---: | ---: | ---: |');
  for (const arm of report.arms) lines.push(`| ${md(arm.name)} | ${arm.cost.questions} | ${arm.cost.inputTokens.toLocaleString('en')} | ${arm.cost.outputTokens.toLocaleString('en')} | ${usd(arm)} |`);
  lines.push('', '## Failing examples', '');
  for (const arm of report.arms) lines.push(...failures(arm));
  lines.push('', `Run \`${report.runId}\` at ${report.createdAt}; per-question answers of every arm are in results.jsonl, the numbers in decision.json.`, '');
  return lines.join('\n');
}

function failures(arm: DecisionArm): string[] {
  const counts = Object.entries(arm.failureCounts).map(([category, n]) => `${category} ${n}`).join(', ');
  const lines = [`### ${md(arm.name)}: ${arm.failing} failing of ${arm.cost.questions}${counts ? ` (${counts})` : ''}`, ''];
  if (arm.topFailures.length === 0) return [...lines, 'No failing questions.', ''];
  lines.push('| question | gold | answer | why |', '| --- | --- | --- | --- |');
  for (const f of arm.topFailures) lines.push(`| ${md(f.question)} | ${md(f.gold)} | ${md(f.answer)} | ${md(f.why)} |`);
  return [...lines, ''];
}

function cell(estimate: ScoredEstimate | undefined): string {
  return formatScoredEstimate(estimate);
}

function usd(arm: DecisionArm): string {
  return arm.cost.usd === null ? `unknown (${md(arm.cost.reason ?? 'no price')})` : `$${arm.cost.usd.toFixed(4)}`;
}

/**
 * Text from documents and answers inside Markdown (and table cells): HTML is escaped so a renderer shows it as text,
 * pipes are escaped, newlines flattened.
 */
function md(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
