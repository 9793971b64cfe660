import { bestMean, depthNote, formatCost, formatEstimate, pipelineNotes, scoredSections, shortColumn } from './format.js';
import { pairwiseMarks, renderPairwiseMarkdown } from './pairwise.js';
import { stageNames, type AnnRecallSummary, type RunSummary } from './summary.js';

/** report.md: the same table as the terminal, plus what was run and how long it took. */
export function renderMarkdown(summary: RunSummary): string {
  const pct = Math.round(summary.confidence * 100);
  const short = shortColumn(summary);
  const marks = pairwiseMarks(summary);
  const lines = [
    `# ${summary.evalName}`,
    '',
    `Run \`${summary.runId}\` at ${summary.createdAt}. Corpus **${summary.corpus.name}** ` +
      `(${summary.corpus.documents} documents, ${summary.corpus.queries} queries, ${summary.corpus.judgedQueries} judged; ` +
      `fingerprint \`${summary.corpus.fingerprint}\`). ` +
      `Each cell is the mean over queries with its ${pct}% percentile-bootstrap interval. Best mean per metric in bold.`,
    '',
    ...(summary.corpus.testSet?.caveat ? [`> **Caveat — ${summary.corpus.testSet.caveat}.**`, ''] : []),
    depthNote(summary),
    '',
    `| chunker | retriever | chunks | ${short ? `${short.header} | ` : ''}${summary.metrics.join(' | ')} |`,
    `| --- | --- | ---: | ${short ? '---: | ' : ''}${summary.metrics.map(() => '---:').join(' | ')} |`,
  ];
  for (const arm of summary.arms) {
    const cells = summary.metrics.map((metric) => {
      const estimate = arm.metrics[metric];
      if (!estimate) return 'n/a';
      const best = summary.arms.length > 1 && estimate.mean === bestMean(summary, metric);
      const mark = marks?.mark(arm.arm, metric) ?? '';
      return formatEstimate(estimate, (mean) => `${best ? `**${mean}**` : mean}${mark ? ` ${mark}` : ''}`);
    });
    lines.push(`| ${arm.chunker} | ${arm.retriever} | ${arm.chunks} | ${short ? `${short.cell(arm)} | ` : ''}${cells.join(' | ')} |`);
  }
  if (marks) lines.push('', `${marks.legend}.`, '', ...renderPairwiseMarkdown(summary));
  for (const section of scoredSections(summary)) {
    lines.push(
      '',
      `## ${section.title}`,
      '',
      `${section.note} Unscorable queries are counted, never averaged in as 0.`,
      '',
      `| chunker | retriever | ${section.metrics.join(' | ')} |`,
      `| --- | --- | ${section.metrics.map(() => '---:').join(' | ')} |`,
    );
    for (const arm of summary.arms) {
      lines.push(`| ${arm.chunker} | ${arm.retriever} | ${section.metrics.map((m) => section.cell(section.pick(arm)?.[m])).join(' | ')} |`);
    }
  }
  const annArms = summary.arms.filter((arm) => arm.annRecall);
  if (annArms.length > 0) {
    lines.push(
      '',
      '## ANN recall',
      '',
      'Arms searching through an ANN index, against exact search over the same vectors on a seeded query sample: ' +
        'the share of the exact top-k chunks the index found. Other arms search exactly.',
      '',
      '| arm | index | queries | recall@k | threshold | note |',
      '| --- | --- | ---: | ---: | ---: | --- |',
    );
    for (const arm of annArms) {
      const ann = arm.annRecall!;
      const recall = ann.recall === null ? 'not measured' : `${ann.recall.toFixed(3)} @${ann.k}`;
      lines.push(`| ${arm.arm} | ${ann.index} | ${ann.queries} | ${recall} | ${ann.minRecall} | ${annNote(ann)} |`);
    }
  }
  const notes = pipelineNotes(summary);
  if (notes.length > 0) lines.push('', '## Fusion and reranking', '', ...notes.map((note) => `- ${note}`));
  if (summary.cost) lines.push('', `Models: ${formatCost(summary.cost)}.`);
  lines.push('', '## Timing', '', `| arm | index | ingest s | retrieval s | ${stageNames.join(' s | ')} s |`, `| --- | --- | ---: | ---: |${' ---: |'.repeat(stageNames.length)}`);
  for (const arm of summary.arms) {
    const stages = stageNames.map((stage) => (arm.stages?.[stage] !== undefined ? arm.stages[stage].toFixed(2) : '–'));
    lines.push(`| ${arm.arm} | ${arm.ingest.mode} \`${arm.indexKey}\` | ${arm.ingest.seconds.toFixed(1)} | ${arm.retrieveSeconds.toFixed(2)} | ${stages.join(' | ')} |`);
  }
  lines.push(
    '',
    'Per-query results are in `results.jsonl`; each arm\'s TREC run file (`runs/*.trec`) can be scored with ' +
      '`ragbench score` or trec_eval.',
    '',
  );
  return lines.join('\n');
}

/** The ANN recall table's note: the setting to raise, or why recall was not measured. */
function annNote(ann: AnnRecallSummary): string {
  if (!ann.warning) return '';
  if (ann.recall === null) return `⚠ ${ann.warning.replace(/^ANN recall not measured: /, '')}`;
  return ann.raise ? `⚠ raise \`${ann.raise}\`` : '⚠ no setting to raise: search exactly';
}
