import { textTable } from '../text-table.js';
import type { AnswerMatrixRow } from './summary.js';

/** "0.633 [0.500, 0.767]", or n/a when nothing was scored. */
export function formatRowEstimate(row: Pick<AnswerMatrixRow, 'mean' | 'lower' | 'upper'>): string {
  return row.mean === null ? 'n/a' : `${row.mean.toFixed(3)} [${row.lower!.toFixed(3)}, ${row.upper!.toFixed(3)}]`;
}

export function formatUsd(usd: number | null): string {
  return usd === null ? 'no price' : usd < 0.01 ? `$${usd.toFixed(5)}` : `$${usd.toFixed(4)}`;
}

const note = (pct: number) =>
  `mean of per-question means over repeats, ${pct}% bootstrap interval over questions; sd = mean within-question SD across repeats; cost at list prices (cached answers counted); p50 latency of the answers sent`;

function cells(row: AnswerMatrixRow): string[] {
  return [
    row.answerer,
    row.prompt,
    row.temperature === null ? '-' : String(row.temperature),
    row.contexts === 'retrieved' ? `retrieved: ${row.arm}` : row.contexts,
    formatRowEstimate(row),
    String(row.repeats),
    row.repeatSd === null ? '-' : row.repeatSd.toFixed(3),
    row.nullShare > 0 ? `${(row.nullShare * 100).toFixed(1)}%` : '0',
    formatUsd(row.cost),
    row.latencyP50 === null ? 'cached' : `${row.latencyP50} ms`,
  ];
}

const header = ['answerer', 'prompt', 'temp', 'contexts', 'mean [CI]', 'repeats', 'sd', 'null', 'cost', 'p50'];

/** The terminal's answer matrix: one table per metric, best cell marked. */
export function renderMatrixTerminal(rows: readonly AnswerMatrixRow[], confidence: number): string[] {
  const out = [`answer matrix: ${note(Math.round(confidence * 100))}`];
  for (const metric of [...new Set(rows.map((r) => r.metric))]) {
    const mine = rows.filter((r) => r.metric === metric);
    out.push('', metric, ...textTable(header, mine.map(cells), (i) => i < 4));
  }
  return out;
}

export function renderMatrixMarkdown(rows: readonly AnswerMatrixRow[], confidence: number): string[] {
  if (rows.length === 0) return [];
  const out = ['', '## Answer matrix', '', `${note(Math.round(confidence * 100))}.`];
  for (const metric of [...new Set(rows.map((r) => r.metric))]) {
    out.push('', `### ${metric}`, '', `| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i < 4 ? '---' : '---:')).join(' | ')} |`);
    for (const row of rows.filter((r) => r.metric === metric)) out.push(`| ${cells(row).map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`);
  }
  return out;
}
