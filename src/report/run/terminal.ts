import { textTable } from '../text-table.js';
import { annRecallColumn, annRecallWarnings, bestMean, depthNote, formatCost, formatEstimate, pipelineNotes, scoredSections, shortColumn } from './format.js';
import { pairwiseMarks, tieNotes } from './pairwise.js';
import type { RunSummary } from './summary.js';

/**
 * One row per chunker × retriever, one column per metric: `mean [lower, upper]`; best mean per column marked.
 * Span metrics and answer metrics, when configured, follow in tables of their own.
 */
export function renderTable(summary: RunSummary): string {
  const several = summary.arms.length > 1;
  const ann = annRecallColumn(summary);
  const short = shortColumn(summary);
  const marks = pairwiseMarks(summary);
  const retrieval = table(
    ['chunker', 'retriever', 'chunks', ...(short ? [short.header] : []), ...summary.metrics, ...(ann ? [ann.header] : [])],
    summary.arms.map((arm) => [
      arm.chunker,
      arm.retriever,
      String(arm.chunks),
      ...(short ? [short.cell(arm)] : []),
      ...summary.metrics.map((metric) => {
        const estimate = arm.metrics[metric];
        if (!estimate) return 'n/a';
        const best = several && estimate.mean === bestMean(summary, metric);
        const mark = marks?.mark(arm.arm, metric) ?? '';
        return formatEstimate(estimate, (mean) => `${mean}${best ? '*' : ''}${mark}`);
      }),
      ...(ann ? [ann.cell(arm)] : []),
    ]),
  );
  const title =
    `${summary.evalName} on ${summary.corpus.name}: ${summary.corpus.documents} documents, ` +
    `${summary.arms[0]?.queries ?? 0} queries scored, ${Math.round(summary.confidence * 100)}% bootstrap CIs, * = best`;
  const parts = [title, ...(summary.corpus.testSet?.caveat ? [`caveat: ${summary.corpus.testSet.caveat}`] : []), retrieval];
  if (marks) parts.push(marks.legend, ...tieNotes(summary).map((line) => `  ${line}`));
  if (summary.pairwise?.warning) parts.push(`warning: ${summary.pairwise.warning}`);
  if (short) parts.push(depthNote(summary));
  const notes = pipelineNotes(summary);
  if (notes.length > 0) parts.push('', ...notes);
  const warnings = annRecallWarnings(summary);
  if (warnings.length > 0) parts.push('', ...warnings.map((warning) => `warning: ${warning}`));
  for (const section of scoredSections(summary)) {
    parts.push(
      '',
      `${section.title}:`,
      table(
        ['chunker', 'retriever', ...section.metrics],
        summary.arms.map((arm) => [arm.chunker, arm.retriever, ...section.metrics.map((metric) => section.cell(section.pick(arm)?.[metric]))]),
      ),
    );
  }
  if (summary.cost) parts.push('', `models: ${formatCost(summary.cost)}`);
  return parts.join('\n');
}

const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => textTable(header, rows).join('\n');
