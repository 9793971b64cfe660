import { htmlPage } from '../html-page.js';
import { formatUsd } from '../matrix/tables.js';
import { escapeXml as h } from '../svg-charts.js';
import type { MatrixDecision } from './matrix.js';

type Report = MatrixDecision & { readonly evalName: string; readonly runId: string };

const fmt = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;

function armRows(r: Report): string[][] {
  return r.arms.map((a) => [
    a.name,
    a.model ?? '-',
    `${fmt(a.mean)} [${fmt(a.lower)}, ${fmt(a.upper)}]`,
    String(a.repeats),
    a.repeatSd === null ? '-' : a.repeatSd.toFixed(3),
    formatUsd(a.costPerQuery),
    a.latencyP50 === null ? 'cached' : `${a.latencyP50} ms`,
    r.tied.includes(a.name) ? (r.significantlyBest ? 'best' : 'tied with best') : 'below best',
  ]);
}

function stepRows(r: Report): string[][] {
  return r.steps.map((s) => [
    s.arm,
    `${signed(s.delta)} [${signed(s.lower)}, ${signed(s.upper)}]`,
    s.pAdjusted.toPrecision(2),
    s.extraCostPerQuery === null ? 'no price' : formatUsd(s.extraCostPerQuery),
    s.deltaPerDollar === null ? '-' : s.deltaPerDollar.toFixed(1),
  ]);
}

const armHeader = ['arm', 'model', `${'mean'} [CI]`, 'repeats', 'sd', 'cost / question', 'p50 latency', 'verdict'];
const stepHeader = ['step (vs closed-book base model)', 'Δ per question [CI]', 'Holm p', 'extra cost / question', 'Δ per dollar'];

/** The terminal lines of `ragbench decide` over a matrix. */
export function renderMatrixDecisionLines(r: Report): string[] {
  const width = (rows: string[][], header: string[]) => header.map((x, i) => Math.max(x.length, ...rows.map((row) => row[i]!.length)));
  const table = (header: string[], rows: string[][]) => {
    const w = width(rows, header);
    return [header, ...rows].map((row) => `  ${row.map((c, i) => c.padEnd(w[i]!)).join('  ')}`.trimEnd());
  };
  return [
    `decide ${r.evalName} over the answer matrix: ${r.questions} questions, ${r.metric}`,
    ...table(armHeader, armRows(r)),
    ...r.skipped.map((s) => `  ${s.name}: skipped (${s.reason})`),
    '',
    ...table(stepHeader, stepRows(r)),
    '',
    `recommendation: ${r.headline}`,
    ...r.evidence.map((e) => `  - ${e}`),
    `  (${r.family})`,
  ];
}

export function renderMatrixDecisionMarkdown(r: Report): string {
  const md = (header: string[], rows: string[][]) => [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
  return [
    `# Decision: ${r.evalName}`,
    '',
    `**${r.headline}**`,
    '',
    `${r.questions} questions answered by every arm, ${r.metric}; each question's score is its mean over repeats. ${r.family}.`,
    '',
    '## Arms: score, cost and latency',
    '',
    ...md(armHeader, armRows(r)),
    ...r.skipped.map((s) => `- ${s.name}: skipped (${s.reason})`),
    '',
    '## What each step buys',
    '',
    ...md(stepHeader, stepRows(r)),
    '',
    '## Evidence',
    '',
    ...r.evidence.map((e) => `- ${e}`),
    '',
  ].join('\n');
}

export function renderMatrixDecisionHtml(r: Report): string {
  const table = (header: string[], rows: string[][]) =>
    `<div class="scroll"><table><thead><tr>${header.map((x) => `<th scope="col">${h(x)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((row) => `<tr>${row.map((c, i) => (i === 0 ? `<th scope="row">${h(c)}</th>` : `<td>${h(c)}</td>`)).join('')}</tr>`).join('') +
    '</tbody></table></div>';
  const body = [
    `<header><h1>Decision: ${h(r.evalName)}</h1><p class="sub">${r.questions} questions · ${h(r.metric)} · run ${h(r.runId)}</p></header>`,
    `<section><h2>Recommendation</h2><p><strong>${h(r.headline)}</strong></p><p class="note">${h(r.family)}.</p></section>`,
    `<section><h2>Arms: score, cost and latency</h2>${table(armHeader, armRows(r))}${r.skipped.map((s) => `<p class="note">${h(s.name)}: skipped (${h(s.reason)})</p>`).join('')}</section>`,
    `<section><h2>What each step buys</h2>${table(stepHeader, stepRows(r))}</section>`,
    `<section><h2>Evidence</h2><ul>${r.evidence.map((e) => `<li>${h(e)}</li>`).join('')}</ul></section>`,
  ].join('');
  return htmlPage({ title: `Decision: ${r.evalName}`, body });
}
