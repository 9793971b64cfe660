import { renderPairwiseHtml } from './pairwise.js';
import { drilldownSection } from './drilldown-html.js';
import { estimateCell, htmlPage, lowerIsBetter } from '../html-page.js';
import type { CurveSeries, RunReportModel } from './html-model.js';
import type { ArmSummary, MetricEstimate, RunSummary, ScoredEstimate } from './summary.js';
import { ciBarChart, escapeXml as h, lineChart, paretoChart, paretoFront, safePalette } from '../svg-charts.js';

type Estimate = MetricEstimate | ScoredEstimate;

/**
 * report.html of a run: self-contained (inline CSS, SVG and script; nothing fetched), so it opens from disk.
 * Columns come from the summary generically: any per-arm map of estimates (metrics, spans, answers, and whatever a
 * newer ragbench adds) becomes columns, any other per-arm number a plain column.
 */
export function renderRunHtml(model: RunReportModel, options: { readonly nav?: string } = {}): string {
  const { summary } = model;
  const pct = Math.round(summary.confidence * 100);
  const body = [
    `<header><h1>${h(summary.evalName)}</h1><p class="sub">${h(summary.corpus.name)} · ${summary.corpus.documents.toLocaleString('en')} documents · ` +
      `${summary.arms[0]?.queries ?? 0} queries scored · ${summary.arms.length} arms · ${h(summary.createdAt)}</p></header>`,
    `<section aria-labelledby="arms-h"><h2 id="arms-h">Arms</h2><p class="note">Mean per query with its ${pct}% bootstrap interval below; ` +
      `the best mean of each column is bold and underlined (lowest for token counts and times). Numbers as the terminal table prints them.</p>` +
      `<div class="scroll">${armsTable(summary)}</div></section>`,
    primaryChart(summary, pct),
    renderPairwiseHtml(summary),
    curvesSection(model),
    costSection(summary),
    chunkSizeSection(model),
    model.drilldown
      ? drilldownSection(model.drilldown, `Open a query to see its labels and, per arm, the ranked chunks with the labelled span highlighted. ` +
          `"Arms disagree": the metric's spread across arms exceeds a quarter of its largest value. "Lost relevant documents": a judged-relevant ` +
          `document in the baseline arm's top ${model.drilldown.k} is missing from another arm's.`)
      : `<section><h2>Queries</h2><p class="note">This run folder has no queries.jsonl / documents.jsonl (written by an older ragbench): no drill-down.</p></section>`,
    `<footer>Run ${h(summary.runId)} · corpus fingerprint ${h(summary.corpus.fingerprint.slice(0, 16))} · ${h(versionsLine(model.manifest))} · ` +
      `numbers in summary.json, per query in results.jsonl.</footer>`,
  ];
  return htmlPage({ title: `ragbench: ${summary.evalName} (${summary.runId})`, body: body.join('\n'), ...(options.nav ? { nav: options.nav } : {}) });
}

/** Per-arm maps of estimates, in order: the summary's declared lists first, then any other such map. */
export function metricColumns(summary: RunSummary): { group: string; metric: string }[] {
  const columns: { group: string; metric: string }[] = [];
  const seen = new Set<string>();
  const add = (group: string, metric: string) => {
    if (!seen.has(`${group}\u0000${metric}`)) columns.push({ group, metric }), seen.add(`${group}\u0000${metric}`);
  };
  for (const m of summary.metrics) add('metrics', m);
  for (const m of summary.spanMetrics ?? []) add('spans', m);
  for (const m of summary.answerMetrics ?? []) add('answers', m);
  for (const arm of summary.arms) {
    for (const [group, value] of Object.entries(arm)) {
      if (!isEstimateMap(value)) continue;
      for (const m of Object.keys(value)) add(group, m);
    }
  }
  return columns;
}

function armsTable(summary: RunSummary): string {
  const columns = metricColumns(summary);
  const plain = plainColumns(summary);
  const best = new Map(columns.map((c) => [`${c.group}/${c.metric}`, bestOf(summary.arms.map((arm) => estimateOf(arm, c)), lowerIsBetter(c.metric))]));
  const head =
    `<tr><th scope="col">chunker</th><th scope="col">retriever</th>${plain.map((p) => `<th scope="col" class="num">${h(p)}</th>`).join('')}` +
    `${columns.map((c) => `<th scope="col" class="num">${h(c.metric)}</th>`).join('')}</tr>`;
  const rows = summary.arms.map((arm) => {
    const cells = columns.map((c) => {
      const estimate = estimateOf(arm, c);
      const isBest = summary.arms.length > 1 && estimate?.mean !== null && estimate?.mean !== undefined && estimate.mean === best.get(`${c.group}/${c.metric}`);
      return estimateCell(estimate, `data-arm="${h(arm.arm)}" data-group="${h(c.group)}" data-metric="${h(c.metric)}"`, isBest);
    });
    const numbers = plain.map((p) => {
      const value = (arm as unknown as Record<string, unknown>)[p] as number;
      return `<td class="num">${Number.isInteger(value) ? value.toLocaleString('en') : value.toFixed(2)}</td>`;
    });
    return `<tr><th scope="row">${h(arm.chunker)}</th><td>${h(arm.retriever)}</td>${numbers.join('')}${cells.join('')}</tr>`;
  });
  return `<table class="arms"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Top-level numbers of an arm (chunks, queries, a neighbour's new counts), shown as plain columns. */
function plainColumns(summary: RunSummary): string[] {
  const names = new Set<string>();
  for (const arm of summary.arms) for (const [k, v] of Object.entries(arm)) if (typeof v === 'number') names.add(k);
  return [...names];
}

function isEstimateMap(value: unknown): value is Record<string, Estimate> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0 &&
    Object.values(value).every((v) => typeof v === 'object' && v !== null && 'mean' in v)
  );
}

function estimateOf(arm: ArmSummary, column: { group: string; metric: string }): Estimate | undefined {
  const group = (arm as unknown as Record<string, unknown>)[column.group];
  return isEstimateMap(group) ? group[column.metric] : undefined;
}

function bestOf(estimates: readonly (Estimate | undefined)[], lower: boolean): number | undefined {
  const means = estimates.flatMap((e) => (e && e.mean !== null && Number.isFinite(e.mean) ? [e.mean] : []));
  return means.length === 0 ? undefined : lower ? Math.min(...means) : Math.max(...means);
}

function primaryChart(summary: RunSummary, pct: number): string {
  const metric = summary.metrics[0];
  if (!metric) return '';
  const bars = summary.arms.map((arm, i) => {
    const e = arm.metrics[metric];
    return e && Number.isFinite(e.mean)
      ? { label: arm.arm, mean: e.mean, lower: e.lower, upper: e.upper, color: safePalette[i % safePalette.length] }
      : { label: arm.arm, mean: null };
  });
  return `<section><h2>${h(metric)} by arm</h2><p class="note">Bar: mean; whisker: ${pct}% interval of that arm's mean. Overlapping whiskers do not mean two arms are tied: both are scored on the same queries, so the paired comparison${summary.pairwise ? ' below' : ''} decides.</p>` +
    `${ciBarChart({ title: `${metric} by arm`, bars })}</section>`;
}

function curvesSection(model: RunReportModel): string {
  const curves = model.curves;
  if (!curves) return '';
  const n = curves.recall[0]?.values.length ?? 0;
  const chart = (series: readonly CurveSeries[], name: string) =>
    lineChart({ title: `${name}@k, k = 1..${n}`, xLabel: 'k (documents retrieved)', yLabel: name, series, colors: safePalette });
  return `<section><h2>recall@k and ndcg@k</h2><p class="note">Share of the judged-relevant documents in the top k, and nDCG@k, per arm ` +
    `(documents ranked at their best chunk). Lines past the eighth arm are dashed.</p>${chart(curves.recall, 'recall')}${chart(curves.ndcg, 'ndcg')}</section>`;
}

/** Quality against what it costs a generator: context tokens per query, one point per arm, the Pareto front joined. */
function costSection(summary: RunSummary): string {
  const spanMetrics = summary.spanMetrics ?? [];
  const cost = spanMetrics.find((m) => m.startsWith('context-tokens'));
  if (!cost) return '';
  const quality = spanMetrics.find((m) => m.startsWith('span-recall')) ?? spanMetrics.find((m) => !m.startsWith('context-tokens'));
  if (!quality) return '';
  const points = summary.arms.flatMap((arm, i) => {
    const [q, c] = [arm.spans?.[quality], arm.spans?.[cost]];
    return q?.mean != null && c?.mean != null ? [{ label: arm.arm, x: c.mean, y: q.mean, color: safePalette[i % safePalette.length] }] : [];
  });
  if (points.length === 0) return '';
  const front = paretoFront(points);
  return `<section><h2>Quality against context cost</h2><p class="note">${h(quality)} against ${h(cost)} (tokens a generator would be sent per query), ` +
    `one point per arm. Filled points joined by the dashed line form the Pareto front (◆): no other arm is both cheaper and at least as good. ` +
    `Cheapest first: ${front.map((p) => `${h(p.label)} (${Math.round(p.x)} tokens, ${p.y.toFixed(3)})`).join('; ')}.</p>` +
    `${paretoChart({ title: `${quality} vs ${cost}`, xLabel: `${cost} (mean per query)`, yLabel: quality, points })}</section>`;
}

function chunkSizeSection(model: RunReportModel): string {
  if (model.chunkSizes.length === 0) return '';
  const stats = model.chunkSizes.map(({ chunker, sizes }) => {
    const sorted = [...sizes].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { chunker, n: sorted.length, p10: at(0.1), median: at(0.5), p90: at(0.9), max: sorted.at(-1)! };
  });
  const max = Math.max(...stats.map((s) => s.p90)) * 1.1;
  const rows = stats.map((s) => `<tr><th scope="row">${h(s.chunker)}</th>${[s.n, s.p10, s.median, s.p90, s.max].map((v) => `<td class="num">${v.toLocaleString('en')}</td>`).join('')}</tr>`);
  return `<section><h2>Chunk sizes per chunker</h2><p class="note">Characters per chunk over the distinct chunks retrieved in any query's top 10 ` +
    `(the run folder keeps those, not the whole index): bar = median, whisker = 10th to 90th percentile.</p>` +
    ciBarChart({ title: 'characters per retrieved chunk', max, bars: stats.map((s, i) => ({ label: s.chunker, mean: s.median, lower: s.p10, upper: s.p90, color: safePalette[i % safePalette.length] })) }) +
    `<div class="scroll"><table><thead><tr><th scope="col">chunker</th><th scope="col" class="num">chunks</th><th scope="col" class="num">p10</th>` +
    `<th scope="col" class="num">median</th><th scope="col" class="num">p90</th><th scope="col" class="num">max</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function versionsLine(manifest: Readonly<Record<string, unknown>>): string {
  const versions = manifest.versions;
  if (!versions || typeof versions !== 'object') return '';
  return Object.entries(versions as Record<string, unknown>).map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}
