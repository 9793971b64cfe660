import { escapeXml as h } from '../svg-charts.js';
import { formatRowEstimate, formatUsd } from './tables.js';
import type { AnswerMatrixRow, AnswerRecord } from './summary.js';

/**
 * The answer matrix as a heat table (one per metric): rows = answerer × prompt × temperature, columns = contexts,
 * each cell's background shaded by its mean (light = low, dark = high, on the metric's 0–1 scale) with the interval
 * and the repeat spread in text, so the shade never carries information the text does not. Each cell opens a
 * drill-down of its repeated answers per question (<details>, no script).
 */
export function renderMatrixHtml(rows: readonly AnswerMatrixRow[], records: readonly AnswerRecord[], confidence: number): string {
  if (rows.length === 0) return '';
  const byCell = new Map<string, AnswerRecord[]>();
  for (const r of records) byCell.set(r.cell, [...(byCell.get(r.cell) ?? []), r]);
  const parts = [
    `<section><h2>Answer matrix</h2><p class="note">Mean of per-question means over repeats with its ${Math.round(confidence * 100)}% bootstrap interval over questions; ` +
      'sd = mean within-question SD across repeats. Shade = mean. Open a cell for its repeated answers.</p>',
  ];
  for (const metric of [...new Set(rows.map((r) => r.metric))]) {
    const mine = rows.filter((r) => r.metric === metric);
    const columns = [...new Set(mine.map(columnOf))];
    const lines = [...new Set(mine.map(lineOf))];
    parts.push(`<h3>${h(metric)}</h3><div class="scroll"><table><thead><tr><th scope="col">answerer / prompt / temperature</th>${columns.map((c) => `<th scope="col">${h(c)}</th>`).join('')}</tr></thead><tbody>`);
    for (const line of lines) {
      const tds = columns.map((column) => {
        const row = mine.find((r) => lineOf(r) === line && columnOf(r) === column);
        return row ? heatCell(row, byCell.get(row.cell) ?? [], metric) : '<td>–</td>';
      });
      parts.push(`<tr><th scope="row">${h(line)}</th>${tds.join('')}</tr>`);
    }
    parts.push('</tbody></table></div>');
  }
  parts.push('</section>');
  return parts.join('');
}

function lineOf(r: AnswerMatrixRow): string {
  return `${r.answerer}${r.model ? ` (${r.model})` : ''} / ${r.prompt} / ${r.temperature === null ? '-' : `t=${r.temperature}`}`;
}

function columnOf(r: AnswerMatrixRow): string {
  return r.contexts === 'retrieved' ? `retrieved: ${r.arm}` : r.contexts;
}

function heatCell(row: AnswerMatrixRow, records: readonly AnswerRecord[], metric: string): string {
  const level = row.mean === null ? 0 : Math.max(0, Math.min(1, row.mean));
  // Lightness 96% → 55%: dark text keeps ≥ 4.5:1 contrast on every shade.
  const bg = `hsl(210 70% ${(96 - level * 41).toFixed(0)}%)`;
  const byQuery = new Map<string, AnswerRecord[]>();
  for (const r of records) byQuery.set(r.queryId, [...(byQuery.get(r.queryId) ?? []), r]);
  const drill = [...byQuery]
    .map(([queryId, answers]) => `<li><b>${h(queryId)}</b>: ${answers.map((a) => `<span title="repeat ${a.repeat}">${h(scoreText(a.scores[metric]))} ${h(a.label ?? '')} “${h(a.text.slice(0, 160))}”</span>`).join(' · ')}</li>`)
    .join('');
  return (
    `<td class="num" style="background:${bg};color:#111">${h(formatRowEstimate(row))}<br><small>sd ${row.repeatSd === null ? '-' : row.repeatSd.toFixed(3)} · ${row.repeats}× · ${h(formatUsd(row.cost))}</small>` +
    `<details><summary>answers</summary><ul>${drill}</ul></details></td>`
  );
}

function scoreText(v: number | null | undefined): string {
  return v === null || v === undefined ? 'null' : v.toFixed(2);
}
