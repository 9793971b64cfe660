/**
 * Inline SVG charts for self-contained HTML reports: plain strings, no script, no external font or stylesheet, every
 * text escaped (labels come from config and data). Sizes are in px of the viewBox; charts scale to their container.
 */

/** Escapes text for HTML and XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const palette = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#9d755d', '#bab0ac'] as const;

/** Okabe–Ito (its yellow swapped for grey, which reads on white): told apart with common colour-vision deficiencies. */
export const safePalette = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#000000', '#777777'] as const;

/** Past the palette, lines differ by dash pattern too, so twelve arms stay distinguishable without colour. */
const dashes = ['', '6 4', '2 3', '8 3 2 3'] as const;

const font = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';

interface CiBar {
  readonly label: string;
  /** null: nothing to draw (e.g. unscorable); the row says so. */
  readonly mean: number | null;
  readonly lower?: number;
  readonly upper?: number;
  readonly color?: string;
}

/**
 * Horizontal bars with confidence-interval whiskers on a [0, max] axis, one row per label, and an optional dashed
 * reference line (e.g. the good-enough bar).
 */
export function ciBarChart(options: { readonly title: string; readonly bars: readonly CiBar[]; readonly max?: number; readonly reference?: { readonly value: number; readonly label: string } }): string {
  const max = options.max ?? 1;
  const labelWidth = 270;
  const plotWidth = 520;
  const row = 34;
  const top = 34;
  const height = top + options.bars.length * row + 34;
  const x = (v: number) => labelWidth + (Math.max(0, Math.min(v, max)) / max) * plotWidth;
  const parts = [svgOpen(labelWidth + plotWidth + 80, height, options.title), title(options.title)];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    parts.push(`<line x1="${x(v)}" y1="${top - 4}" x2="${x(v)}" y2="${height - 28}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${x(v)}" y="${height - 12}" font-size="11" text-anchor="middle" fill="#666" ${font}>${fmt(v)}</text>`);
  }
  options.bars.forEach((bar, i) => {
    const y = top + i * row;
    parts.push(`<text x="${labelWidth - 8}" y="${y + row / 2 + 4}" font-size="12" text-anchor="end" fill="#222" ${font}>${escapeXml(clip(bar.label, 40))}</text>`);
    if (bar.mean === null) {
      parts.push(`<text x="${labelWidth + 6}" y="${y + row / 2 + 4}" font-size="12" fill="#888" ${font}>not scorable</text>`);
      return;
    }
    const color = bar.color ?? palette[0];
    parts.push(`<rect x="${labelWidth}" y="${y + 7}" width="${Math.max(1, x(bar.mean) - labelWidth).toFixed(1)}" height="${row - 14}" fill="${color}" rx="2"/>`);
    if (bar.lower !== undefined && bar.upper !== undefined) {
      const [l, u, mid] = [x(bar.lower), x(bar.upper), y + row / 2];
      parts.push(`<path d="M${l.toFixed(1)} ${mid}H${u.toFixed(1)}M${l.toFixed(1)} ${mid - 6}V${mid + 6}M${u.toFixed(1)} ${mid - 6}V${mid + 6}" stroke="#222" stroke-width="1.5" fill="none"/>`);
    }
    parts.push(`<text x="${Math.min(x(bar.upper ?? bar.mean), labelWidth + plotWidth) + 6}" y="${y + row / 2 + 4}" font-size="11" fill="#222" ${font}>${fmt(bar.mean)}</text>`);
  });
  if (options.reference) {
    const rx = x(options.reference.value);
    parts.push(`<line x1="${rx}" y1="${top - 6}" x2="${rx}" y2="${height - 28}" stroke="#c0392b" stroke-dasharray="5 4" stroke-width="1.5"/>`);
    parts.push(`<text x="${rx + 4}" y="${top - 8}" font-size="11" fill="#c0392b" ${font}>${escapeXml(options.reference.label)}</text>`);
  }
  return `${parts.join('')}</svg>`;
}

interface LineSeries {
  readonly name: string;
  /** values[i] is the y value at x = i + 1. */
  readonly values: readonly number[];
}

/** Lines over x = 1..n on a [0, 1] y axis, with a legend below: e.g. recall@k for k = 1..depth. */
export function lineChart(options: {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  readonly colors?: readonly string[];
}): string {
  const colors = options.colors ?? palette;
  const left = 52;
  const plotWidth = 760;
  const plotHeight = 260;
  const top = 34;
  const legendTop = top + plotHeight + 44;
  const height = legendTop + options.series.length * 18 + 8;
  const n = Math.max(2, ...options.series.map((s) => s.values.length));
  const x = (k: number) => left + ((k - 1) / (n - 1)) * plotWidth;
  const y = (v: number) => top + (1 - Math.max(0, Math.min(1, v))) * plotHeight;
  const parts = [svgOpen(left + plotWidth + 30, height, options.title), title(options.title)];
  for (let i = 0; i <= 4; i++) {
    const v = i / 4;
    parts.push(`<line x1="${left}" y1="${y(v)}" x2="${left + plotWidth}" y2="${y(v)}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end" fill="#666" ${font}>${fmt(v)}</text>`);
  }
  const step = Math.max(1, Math.ceil(n / 10));
  for (let k = 1; k <= n; k += step) {
    parts.push(`<text x="${x(k)}" y="${top + plotHeight + 16}" font-size="11" text-anchor="middle" fill="#666" ${font}>${k}</text>`);
  }
  parts.push(`<text x="${left + plotWidth / 2}" y="${top + plotHeight + 32}" font-size="12" text-anchor="middle" fill="#444" ${font}>${escapeXml(options.xLabel)}</text>`);
  parts.push(`<text x="14" y="${top + plotHeight / 2}" font-size="12" text-anchor="middle" fill="#444" transform="rotate(-90 14 ${top + plotHeight / 2})" ${font}>${escapeXml(options.yLabel)}</text>`);
  options.series.forEach((series, i) => {
    const color = colors[i % colors.length];
    const dash = dashes[Math.floor(i / colors.length) % dashes.length] ? ` stroke-dasharray="${dashes[Math.floor(i / colors.length) % dashes.length]}"` : '';
    const points = series.values.map((v, j) => `${x(j + 1).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2.5"${dash}/>`);
    const ly = legendTop + i * 18;
    parts.push(`<line x1="${left}" y1="${ly - 7}" x2="${left + 16}" y2="${ly - 7}" stroke="${color}" stroke-width="3"${dash}/>`);
    parts.push(`<text x="${left + 20}" y="${ly - 3}" font-size="12" fill="#222" ${font}>${escapeXml(clip(series.name, 70))}</text>`);
  });
  return `${parts.join('')}</svg>`;
}

interface ValueBar {
  readonly label: string;
  readonly value: number;
  /** What to print after the bar, e.g. "1,234 tokens · $0.0012". */
  readonly text: string;
  readonly color?: string;
}

/** Horizontal bars scaled to the largest value (all-zero values draw empty rows with their text). */
export function valueBarChart(options: { readonly title: string; readonly bars: readonly ValueBar[] }): string {
  const labelWidth = 270;
  const plotWidth = 360;
  const row = 30;
  const top = 34;
  const height = top + options.bars.length * row + 10;
  const max = Math.max(0, ...options.bars.map((b) => b.value));
  const parts = [svgOpen(labelWidth + plotWidth + 200, height, options.title), title(options.title)];
  options.bars.forEach((bar, i) => {
    const y = top + i * row;
    const width = max > 0 ? (bar.value / max) * plotWidth : 0;
    parts.push(`<text x="${labelWidth - 8}" y="${y + row / 2 + 4}" font-size="12" text-anchor="end" fill="#222" ${font}>${escapeXml(clip(bar.label, 40))}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y + 6}" width="${Math.max(width, 1).toFixed(1)}" height="${row - 12}" fill="${bar.color ?? palette[0]}" rx="2"/>`);
    parts.push(`<text x="${labelWidth + width + 6}" y="${y + row / 2 + 4}" font-size="11" fill="#222" ${font}>${escapeXml(bar.text)}</text>`);
  });
  return `${parts.join('')}</svg>`;
}

interface ScatterPoint {
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly color?: string;
}

/**
 * Points of cost (x, lower is better) against quality (y, higher is better), one per arm, with the Pareto front
 * (no other point is both cheaper and at least as good) joined by a line and drawn filled; dominated points hollow.
 */
export function paretoChart(options: { readonly title: string; readonly xLabel: string; readonly yLabel: string; readonly points: readonly ScatterPoint[] }): string {
  const left = 60;
  const plotWidth = 620;
  const plotHeight = 300;
  const top = 34;
  const labelWidth = 240;
  const xs = options.points.map((p) => p.x);
  const ys = options.points.map((p) => p.y);
  const [x0, x1] = padded(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = padded(Math.min(...ys), Math.max(...ys));
  const x = (v: number) => left + ((v - x0) / (x1 - x0)) * plotWidth;
  const y = (v: number) => top + (1 - (v - y0) / (y1 - y0)) * plotHeight;
  const front = paretoFront(options.points);
  const parts = [svgOpen(left + plotWidth + labelWidth, top + plotHeight + 44, options.title), title(options.title)];
  for (let i = 0; i <= 4; i++) {
    const vy = y0 + ((y1 - y0) * i) / 4;
    const vx = x0 + ((x1 - x0) * i) / 4;
    parts.push(`<line x1="${left}" y1="${y(vy).toFixed(1)}" x2="${left + plotWidth}" y2="${y(vy).toFixed(1)}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(vy) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="#555" ${font}>${vy.toFixed(3)}</text>`);
    parts.push(`<text x="${x(vx).toFixed(1)}" y="${top + plotHeight + 16}" font-size="11" text-anchor="middle" fill="#555" ${font}>${Math.round(vx)}</text>`);
  }
  parts.push(`<text x="${left + plotWidth / 2}" y="${top + plotHeight + 34}" font-size="12" text-anchor="middle" fill="#444" ${font}>${escapeXml(options.xLabel)}</text>`);
  parts.push(`<text x="14" y="${top + plotHeight / 2}" font-size="12" text-anchor="middle" fill="#444" transform="rotate(-90 14 ${top + plotHeight / 2})" ${font}>${escapeXml(options.yLabel)}</text>`);
  const line = front.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
  if (front.length > 1) parts.push(`<polyline points="${line}" fill="none" stroke="#444" stroke-width="1.5" stroke-dasharray="5 3"/>`);
  options.points.forEach((p, i) => {
    const onFront = front.includes(p);
    const color = p.color ?? safePalette[i % safePalette.length];
    const [cx, cy] = [x(p.x).toFixed(1), y(p.y).toFixed(1)];
    parts.push(`<circle cx="${cx}" cy="${cy}" r="6" fill="${onFront ? color : '#fff'}" stroke="${color}" stroke-width="2.5"><title>${escapeXml(`${p.label}: ${p.y.toFixed(3)} at ${Math.round(p.x)}`)}</title></circle>`);
    parts.push(`<text x="${Number(cx) + 9}" y="${Number(cy) + 4}" font-size="11" fill="#222" ${font}>${i + 1}</text>`);
    parts.push(`<text x="${left + plotWidth + 16}" y="${top + 8 + i * 17}" font-size="11.5" fill="#222" ${font}>${i + 1}. ${escapeXml(clip(p.label, 30))}${onFront ? ' ◆' : ''}</text>`);
  });
  return `${parts.join('')}</svg>`;
}

/** The points no other point dominates (cheaper or as cheap, and better or as good, strictly in one), by cost. */
export function paretoFront<P extends { readonly x: number; readonly y: number }>(points: readonly P[]): P[] {
  return points
    .filter((p) => !points.some((q) => q !== p && q.x <= p.x && q.y >= p.y && (q.x < p.x || q.y > p.y)))
    .sort((a, b) => a.x - b.x);
}

function padded(min: number, max: number): [number, number] {
  const span = max - min || Math.abs(max) || 1;
  return [min - span * 0.08, max + span * 0.08];
}

/** No xmlns: inline SVG in HTML5 needs none, and the report then holds no URL at all. */
function svgOpen(width: number, height: number, label: string): string {
  return `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeXml(label)}" style="max-width:${Math.round(width * 1.25)}px">`;
}

function title(text: string): string {
  return `<text x="4" y="18" font-size="14" font-weight="600" fill="#222" ${font}>${escapeXml(text)}</text>`;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
