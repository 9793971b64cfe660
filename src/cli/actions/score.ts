import { readQrels } from '../../corpus/qrels.js';
import { parseMetricName } from '../../metrics/retrieval.js';
import { scoreRunFile } from '../../metrics/score-run-file.js';
import { UsageError } from '../../shared/errors.js';

interface ScoreOptions {
  readonly qrels: string;
  readonly run: string;
  readonly metrics: string;
  readonly includeUnjudged: boolean;
  /** A judged query missing from the run is an error instead of a 0 (trec_eval's strict reading). */
  readonly strict?: boolean;
  readonly json: boolean;
}

/** `ragbench score`: any TREC run against TREC or BEIR qrels, with trec_eval's conventions. */
export async function scoreCommand(options: ScoreOptions): Promise<void> {
  const metrics = options.metrics
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (metrics.length === 0) throw new UsageError('--metrics is empty', 'e.g. --metrics recall@10,ndcg@10');
  for (const metric of metrics) {
    try {
      parseMetricName(metric);
    } catch (error) {
      throw new UsageError(`--metrics: ${(error as Error).message}`, 'e.g. --metrics recall@10,mrr@10,ndcg@10,map@100');
    }
  }
  // Streamed, one query at a time: a run with millions of lines never sits in memory (the qrels come first, as
  // each query is scored when its lines end).
  const judgments = await readQrels(options.qrels);
  const scores = await scoreRunFile({
    path: options.run,
    judgments,
    metrics,
    includeUnjudged: options.includeUnjudged,
    requireAllJudged: options.strict ?? false,
  });
  const missing = scores.missingFromRun;
  if (missing.length > 0) {
    // Scored 0 and counted in the means (trec_eval -c): never silently.
    const shown = missing.length > 10 ? `${missing.slice(0, 10).join(', ')}, … ${missing.length - 10} more` : missing.join(', ');
    process.stderr.write(
      `ragbench: warning: ${missing.length} judged quer${missing.length === 1 ? 'y is' : 'ies are'} missing from the run and scored 0: ${shown} (use --strict to make this an error)\n`,
    );
  }
  if (options.json) {
    const perQuery = Object.fromEntries([...scores.perQuery].map(([queryId, values]) => [queryId, values]));
    process.stdout.write(`${JSON.stringify({ metrics: scores.mean, queries: scores.perQuery.size, missingFromRun: missing, perQuery })}\n`);
    return;
  }
  const width = Math.max(...scores.metrics.map((m) => m.length));
  process.stdout.write(`queries scored: ${scores.perQuery.size}${missing.length > 0 ? ` (${missing.length} missing from the run, scored 0)` : ''}\n`);
  for (const metric of scores.metrics) process.stdout.write(`${metric.padEnd(width)}  ${scores.mean[metric]!.toFixed(4)}\n`);
}
