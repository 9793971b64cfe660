import { describeFamily, type PairwiseEntry, type PairwiseResult } from '../../stats/pairwise.js';
import { formatDelta, formatInterval, formatP } from '../comparison/format.js';
import type { PairwiseView } from './summary.js';
import { escapeXml as h } from '../svg-charts.js';

/**
 * The run's pairwise comparisons as the tables show them: per metric, which arms are significantly below the best
 * one (all-pairs family) or significantly above / below the baseline arm (baseline family), and the full matrix.
 */

/** The mark an arm's cell gets in a metric column ('' when none), and the legend that explains the marks. */
export function pairwiseMarks(summary: PairwiseView): { mark(arm: string, metric: string): string; legend: string } | undefined {
  const pairwise = summary.pairwise;
  if (!pairwise) return undefined;
  const { family } = pairwise;
  const significant = (e: PairwiseEntry) => e.pAdjusted < family.alpha;
  const find = (metric: string, x: string, y: string) =>
    pairwise.entries.find((e) => e.metric === metric && ((e.a === x && e.b === y) || (e.a === y && e.b === x)));
  if (family.kind === 'baseline') {
    return {
      mark(arm, metric) {
        const entry = find(metric, arm, family.baseline!);
        if (!entry || !significant(entry)) return '';
        return entry.delta > 0 ? '+' : '-';
      },
      legend: `+/- = significantly above/below the baseline arm ${family.baseline} (${describeFamily(family)})`,
    };
  }
  const best = new Map(summary.metrics.map((metric) => [metric, bestArm(summary, metric)]));
  return {
    mark(arm, metric) {
      const top = best.get(metric);
      if (top === undefined || top === arm) return '';
      const entry = find(metric, arm, top);
      return entry && significant(entry) ? 'v' : '';
    },
    legend: `v = significantly below the best arm; unmarked arms are tied with it (${describeFamily(family)})`,
  };
}

function bestArm(summary: PairwiseView, metric: string): string | undefined {
  let best: { arm: string; mean: number } | undefined;
  for (const arm of summary.arms) {
    const mean = arm.metrics[metric]?.mean;
    if (mean !== undefined && Number.isFinite(mean) && (best === undefined || mean > best.mean)) best = { arm: arm.arm, mean };
  }
  return best?.arm;
}

/**
 * One line per metric whose best arm has ties (all-pairs family): the tied arms and how many queries would separate
 * them from the best at the observed Δ and spread (PairwiseEntry.queriesNeeded). A tie is "the data cannot tell",
 * and this says how much data could.
 */
export function tieNotes(summary: PairwiseView): string[] {
  const pairwise = summary.pairwise;
  if (!pairwise || pairwise.family.kind !== 'all-pairs') return [];
  const lines: string[] = [];
  for (const metric of summary.metrics) {
    const top = bestArm(summary, metric);
    if (top === undefined) continue;
    const ties = pairwise.entries.filter((e) => e.metric === metric && (e.a === top || e.b === top) && e.pAdjusted >= pairwise.family.alpha);
    if (ties.length === 0) continue;
    const needed = ties.map((e) => e.queriesNeeded).filter((n): n is number => typeof n === 'number').sort((x, y) => x - y);
    const never = ties.filter((e) => e.queriesNeeded === null).length;
    const range = needed.length === 0 ? '' : needed.length === 1 ? count(needed[0]!) : `${count(needed[0]!)}–${count(needed.at(-1)!)}`;
    lines.push(
      `${metric}: ${ties.length} arm${ties.length === 1 ? '' : 's'} tied with ${top}` +
        (range ? `; about ${range} queries would separate ${needed.length === 1 ? 'it' : 'them'} at the observed Δ (80% power)` : '') +
        (never > 0 ? `; ${never} with Δ = 0` : ''),
    );
  }
  return lines;
}

const count = (n: number) => n.toLocaleString('en');

/** Short column labels for a matrix: A, B, …, Z, AA, … in arm order. */
function labels(arms: readonly string[]): Map<string, string> {
  const label = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : `${label(Math.floor(i / 26) - 1)}${label(i % 26)}`);
  return new Map(arms.map((arm, i) => [arm, label(i)]));
}

/** Δ(row − column) for an entry in either orientation. */
function cellOf(pairwise: PairwiseResult, metric: string, row: string, column: string): { delta: number; entry: PairwiseEntry } | undefined {
  for (const e of pairwise.entries) {
    if (e.metric !== metric) continue;
    if (e.a === row && e.b === column) return { delta: e.delta, entry: e };
    if (e.a === column && e.b === row) return { delta: -e.delta, entry: e };
  }
  return undefined;
}

/** report.md: the family line, the significant differences listed, and one folded matrix per metric. */
export function renderPairwiseMarkdown(summary: PairwiseView, heading = '## Paired comparisons between arms'): string[] {
  const pairwise = summary.pairwise;
  if (!pairwise) return [];
  const { family } = pairwise;
  const arms = summary.arms.map((arm) => arm.arm);
  const names = labels(arms);
  const pct = Math.round(family.confidence * 100);
  const lines = [
    heading,
    '',
    `Δ = row − column over the queries both arms scored; ${describeFamily(family)}. ` +
      `**Bold** cells differ significantly (adjusted p < ${family.alpha}). Effect size d_z = mean Δ / sd Δ.`,
    '',
    ...(pairwise.warning ? [`> ⚠️ ${pairwise.warning}`, ''] : []),
    ...tieNotes(summary).flatMap((line, i, all) => [`- ${line}`, ...(i === all.length - 1 ? [''] : [])]),
    `Arms: ${arms.map((arm) => `${names.get(arm)} = ${arm}`).join('; ')}.`,
    '',
  ];
  for (const metric of summary.metrics) {
    const columns = family.kind === 'baseline' ? [family.baseline!] : arms;
    const significant = pairwise.entries.filter((e) => e.metric === metric && e.pAdjusted < family.alpha).length;
    lines.push(
      `<details><summary><b>${metric}</b>: ${significant} of ${pairwise.entries.filter((e) => e.metric === metric).length} pairs differ significantly</summary>`,
      '',
      `| | ${columns.map((c) => names.get(c)).join(' | ')} |`,
      `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    );
    for (const row of arms) {
      if (family.kind === 'baseline' && row === family.baseline) continue;
      const cells = columns.map((column) => {
        if (column === row) return '—';
        const cell = cellOf(pairwise, metric, row, column);
        if (!cell) return '';
        const text = `${formatDelta(cell.delta, 3)} (p̃ ${formatP(cell.entry.pAdjusted)})`;
        return cell.entry.pAdjusted < family.alpha ? `**${text}**` : text;
      });
      lines.push(`| ${names.get(row)} | ${cells.join(' | ')} |`);
    }
    lines.push('', '</details>', '');
  }
  const real = pairwise.entries.filter((e) => e.pAdjusted < family.alpha).sort((x, y) => x.pAdjusted - y.pAdjusted);
  if (real.length > 0) {
    lines.push(`<details><summary>All ${real.length} significant differences, with ${pct}% paired bootstrap intervals and d_z</summary>`, '', '| metric | a | b | Δ (a − b) | CI | p̃ | d_z |', '| --- | --- | --- | ---: | --- | ---: | ---: |');
    for (const e of real) lines.push(`| ${e.metric} | ${e.a} | ${e.b} | ${formatDelta(e.delta)} | ${formatInterval(e.ci)} | ${formatP(e.pAdjusted)} | ${e.effectSize.toFixed(2)} |`);
    lines.push('', '</details>', '');
  }
  return lines;
}

/** report.html: the same matrices, one table per metric, significant cells marked. */
export function renderPairwiseHtml(summary: PairwiseView, title = 'Paired comparisons between arms'): string {
  const pairwise = summary.pairwise;
  if (!pairwise) return '';
  const { family } = pairwise;
  const arms = summary.arms.map((arm) => arm.arm);
  const names = labels(arms);
  const columns = family.kind === 'baseline' ? [family.baseline!] : arms;
  const tables = summary.metrics.map((metric) => {
    const rows = arms
      .filter((row) => !(family.kind === 'baseline' && row === family.baseline))
      .map((row) => {
        const cells = columns.map((column) => {
          if (column === row) return '<td class="num">—</td>';
          const cell = cellOf(pairwise, metric, row, column);
          if (!cell) return '<td></td>';
          const strong = cell.entry.pAdjusted < family.alpha;
          const title = `Δ ${formatDelta(cell.delta)} ${formatInterval(cell.entry.ci)}, p ${formatP(cell.entry.p)}, adjusted ${formatP(cell.entry.pAdjusted)}, d_z ${cell.entry.effectSize.toFixed(2)}`;
          return `<td class="num${strong ? ' sig' : ''}" title="${h(title)}">${strong ? '<b>' : ''}${h(formatDelta(cell.delta, 3))}${strong ? '</b>' : ''}</td>`;
        });
        return `<tr><th scope="row">${h(names.get(row)!)} ${h(row)}</th>${cells.join('')}</tr>`;
      });
    return `<h3>${h(metric)}</h3><div class="scroll"><table data-pairwise="${h(metric)}"><thead><tr><th scope="col">row − column</th>` +
      `${columns.map((c) => `<th scope="col" class="num" title="${h(c)}">${h(names.get(c)!)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  });
  return `<section aria-labelledby="pairwise-h"><h2 id="pairwise-h">${h(title)}</h2><p class="note">Δ = row − column over the queries ` +
    `both arms scored; ${h(describeFamily(family))}. Bold cells differ significantly (adjusted p &lt; ${family.alpha}); hover a cell for its interval, p-values and ` +
    `d_z = mean Δ / sd Δ. Overlapping per-arm intervals do not mean two arms are tied: the paired test decides.</p>` +
    `${pairwise.warning ? `<p class="note">⚠ ${h(pairwise.warning)}</p>` : ''}${tables.join('')}</section>`;
}
