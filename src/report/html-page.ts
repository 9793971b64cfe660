import { formatEstimate } from './run/format.js';
import type { MetricEstimate, ScoredEstimate } from './run/summary.js';
import { escapeXml as h } from './svg-charts.js';

/**
 * The page shell shared by report.html, the comparison page and the viewer's pages: one inline stylesheet that
 * reads at 1280×800 and at phone width (tables scroll sideways inside their box, never the page), visible keyboard
 * focus, numbers right-aligned in tabular figures, and text colours with at least 4.5:1 contrast.
 */
export function htmlPage(options: { readonly title: string; readonly body: string; readonly nav?: string }): string {
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${h(options.title)}</title><style>${css}</style></head><body>` +
    `<a class="skip" href="#main">Skip to content</a>${options.nav ? `<nav aria-label="viewer">${options.nav}</nav>` : ''}` +
    `<main id="main">${options.body}</main></body></html>\n`
  );
}

const css = `
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#1f2328;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1240px;margin:0 auto;padding:20px 24px 48px}
nav{background:#24292f;padding:8px 24px}nav a{color:#fff;margin-right:18px}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
h1{margin:0;font-size:26px;overflow-wrap:anywhere}h2{font-size:20px;margin:0 0 8px}h3{font-size:16px;margin:14px 0 6px}
.sub{color:#57606a;margin:4px 0 0}
section{background:#fff;border:1px solid #d8dee4;border-radius:10px;padding:16px 20px;margin:16px 0}
.note{color:#57606a;font-size:13px}
.scroll{overflow-x:auto;max-width:100%;position:relative}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border-bottom:1px solid #eaeef2;padding:5px 8px;text-align:left;vertical-align:top}
thead th{background:#f6f8fa;font-weight:600;position:sticky;top:0}
th[scope=row]{white-space:nowrap}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td .ci{display:block;color:#57606a;font-size:11.5px}
td.best .m{font-weight:700;text-decoration:underline;text-decoration-thickness:2px}
a{color:#0550ae}
a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible,summary:focus-visible,[tabindex]:focus-visible{outline:3px solid #e69f00;outline-offset:2px}
.verdict{border-left:8px solid #57606a}.verdict .big{font-size:28px;font-weight:700}
.pass{border-left-color:#0072b2}.fail{border-left-color:#d55e00}.inconclusive{border-left-color:#e69f00}
.v-pass{color:#0550ae;font-weight:600}.v-fail{color:#a63c00;font-weight:700}.v-ungated{color:#57606a}.v-inconclusive{color:#7d4e00;font-weight:700}
.controls{display:flex;flex-wrap:wrap;gap:10px 16px;align-items:end;margin:6px 0}
.controls label{display:flex;flex-direction:column;font-size:12.5px;color:#3d444d}
select,input,button{font:inherit;font-size:14px;padding:4px 6px;border:1px solid #8c959f;border-radius:6px;background:#fff}
button{cursor:pointer}
mark{background:#ffd966;color:#000;border-bottom:2px solid #b07d00}
.chunks{padding-left:0;list-style:none;margin:6px 0}
.chunks li{border:1px solid #eaeef2;border-radius:8px;padding:8px 10px;margin:6px 0}
.chunks .meta{font-size:12.5px;color:#3d444d;display:flex;flex-wrap:wrap;gap:4px 14px}
.chunks .text{white-space:pre-wrap;overflow-wrap:anywhere;font-size:13.5px;margin-top:4px}
.rel{color:#0550ae;font-weight:700}.notrel{color:#57606a}
details.arm{border-top:1px solid #d8dee4;padding:6px 0}details.arm>summary{cursor:pointer;font-weight:600}
.tag{display:inline-block;background:#eef1f4;border-radius:10px;padding:0 8px;margin:1px 2px;font-size:12px}
.runs td:first-child{white-space:nowrap}
footer{color:#57606a;font-size:12px;text-align:center;overflow-wrap:anywhere}
svg{display:block;margin:8px 0;height:auto}
@media (max-width:640px){main{padding:10px}section{padding:12px}h1{font-size:21px}}
`;

/** A metric cell as the terminal prints it (mean with 3 decimals, counts with none) with its interval below. */
export function estimateCell(estimate: MetricEstimate | ScoredEstimate | undefined, attrs: string, best: boolean): string {
  if (!estimate || estimate.mean === null || !Number.isFinite(estimate.mean)) {
    const nulls = estimate && 'nulls' in estimate ? ` (${estimate.nulls} unscorable)` : '';
    return `<td class="num" ${attrs}><span class="m">n/a</span>${nulls ? `<span class="ci">${nulls}</span>` : ''}</td>`;
  }
  const text = formatEstimate(estimate);
  const mean = text.slice(0, text.indexOf(' ['));
  const nulls = 'nulls' in estimate && estimate.nulls > 0 ? ` · ${estimate.nulls} unscorable` : '';
  return (
    `<td class="num${best ? ' best' : ''}" ${attrs}><span class="m">${h(mean)}</span>` +
    `<span class="ci">${h(text.slice(mean.length + 1))}${h(nulls)}</span>${best ? '<span class="visually-hidden"> (best)</span>' : ''}</td>`
  );
}

/** Cost-like metrics (tokens sent, seconds, misses) are best when lowest; scores when highest. */
export function lowerIsBetter(metric: string): boolean {
  return /^context-tokens|tokens$|seconds|latency|cost|short|null/i.test(metric);
}

/** JSON for a `<script type="application/json">` block: `<` escaped so no text can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
