import type { RunSummary } from './run-summary.js';

/** One row per chunker × retriever, one column per metric: `mean [lower, upper]`; best mean per column marked. */
export function renderTable(summary: RunSummary): string {
  const header = ['chunker', 'retriever', 'chunks', ...summary.metrics];
  const best = new Map(
    summary.metrics.map((metric) => [metric, Math.max(...summary.arms.map((arm) => arm.metrics[metric]?.mean ?? -Infinity))]),
  );
  const rows = summary.arms.map((arm) => [
    arm.chunker,
    arm.retriever,
    String(arm.chunks),
    ...summary.metrics.map((metric) => {
      const estimate = arm.metrics[metric];
      if (!estimate) return 'n/a';
      const mark = summary.arms.length > 1 && estimate.mean === best.get(metric) ? '*' : ' ';
      return `${estimate.mean.toFixed(3)}${mark}[${estimate.lower.toFixed(3)}, ${estimate.upper.toFixed(3)}]`;
    }),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  const title =
    `${summary.evalName} on ${summary.corpus.name}: ${summary.corpus.documents} documents, ` +
    `${summary.arms[0]?.queries ?? 0} queries scored, ${Math.round(summary.confidence * 100)}% bootstrap CIs, * = best`;
  return [title, line(header), line(header.map((_, i) => '-'.repeat(widths[i]!))), ...rows.map(line)].join('\n');
}
