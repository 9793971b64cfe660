import type { Comparison } from './summary.js';

/** Number formats shared by the comparison renderers (terminal, Markdown, JUnit), so all three print the same. */

/** p-values as people read them: two significant digits, scientific below 1e-4 (a Monte Carlo p is ≥ 1/(M+1)). */
export function formatP(p: number | null): string {
  if (p === null || Number.isNaN(p)) return 'n/a';
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

/** A signed delta with a real minus sign, e.g. `−0.1234`, `+0.0000`. */
export function formatDelta(delta: number, digits = 4): string {
  const text = Math.abs(delta).toFixed(digits);
  return `${delta < 0 && Number(text) !== 0 ? '−' : '+'}${text}`;
}

export function formatMean(value: number, digits = 4): string {
  return value.toFixed(digits);
}

/** `[−0.0812, −0.0311]` */
export function formatInterval(interval: { readonly lower: number; readonly upper: number }, digits = 4): string {
  return `[${formatDelta(interval.lower, digits)}, ${formatDelta(interval.upper, digits)}]`;
}

/** The metric's name, with its candidate null share for an answer metric: `token-f1 (null 4%)`. */
export function metricName(m: { readonly metric: string; readonly nullShare?: number | undefined }): string {
  return m.nullShare === undefined ? m.metric : `${m.metric} (null ${Math.round(m.nullShare * 100)}%)`;
}

/** `maxDrop 0.01, α 0.05, min 0.3, inconclusive → pass` */
export function formatGate(
  gate: { readonly maxDrop: number; readonly alpha: number; readonly minValue?: number | undefined; readonly maxNullShare?: number | undefined; readonly onInconclusive?: string | undefined } | undefined,
): string {
  if (!gate) return '—';
  return [`maxDrop ${gate.maxDrop}`, `α ${gate.alpha}`, ...(gate.minValue !== undefined ? [`min ${gate.minValue}`] : []), ...(gate.maxNullShare !== undefined ? [`null ≤ ${gate.maxNullShare}`] : []), ...(gate.onInconclusive === 'pass' ? ['inconclusive → pass'] : [])].join(', ');
}

/** `12 → 15`, `3 → >depth` */
export function formatRanks(baseline: number | null, candidate: number | null): string {
  return `${baseline ?? '—'}→${candidate ?? '—'}`;
}

/** Gated checks by verdict, over all arms; `blocking` counts the inconclusive ones that exit 1. */
export function gateCounts(comparison: Comparison): { checks: number; failed: number; inconclusive: number; blocking: number } {
  const checks = comparison.arms.flatMap((arm) => arm.metrics.filter((m) => m.verdict !== 'ungated'));
  const inconclusive = checks.filter((m) => m.verdict === 'inconclusive');
  return {
    checks: checks.length,
    failed: checks.filter((m) => m.verdict === 'fail').length,
    inconclusive: inconclusive.length,
    blocking: inconclusive.filter((m) => m.blocks).length,
  };
}

/** What the p columns rest on: "p-values: paired randomization, Holm over 6 arm × metric tests". */
export function familyNote(comparison: Comparison): string {
  const size = comparison.settings.family?.size ?? comparison.arms.reduce((n, arm) => n + arm.metrics.length, 0);
  return `p-values: paired randomization test, Holm over ${size} arm × metric test${size === 1 ? '' : 's'}`;
}
