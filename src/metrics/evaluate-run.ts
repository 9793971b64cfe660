import type { Judgments } from '../corpus/types.js';
import { DataError, UsageError } from '../shared/errors.js';
import { parseMetricName, retrievalMetrics, type MetricSpec } from './retrieval.js';

export interface ScoreRunOptions {
  /** queryId → doc ids best first, deduplicated (`runRankings(readRun(…))`, or `toDocRanking` of chunk hits). */
  readonly run: ReadonlyMap<string, readonly string[]>;
  /** From `readQrels`: a query is judged when it is a key, even with an empty map (all grades ≤ 0). */
  readonly judgments: Judgments;
  /** Metric names as users write them (`recall@10`, `ndcg@10`, `map`…); aliases collapse to one label. */
  readonly metrics: readonly string[];
  /** Also score run queries that are absent from the qrels (as 0 on every metric). Default false, as trec_eval. */
  readonly includeUnjudged?: boolean;
  /** Throw a DataError when a judged query is absent from the run (trec_eval without `-c`). Default false. */
  readonly requireAllJudged?: boolean;
}

export interface RunScores {
  /** Canonical metric labels, in the order first requested (`success@10` → `hit@10`). */
  readonly metrics: readonly string[];
  /** queryId → label → value, judged queries in qrels order, then included unjudged ones in run order. */
  readonly perQuery: Map<string, Record<string, number>>;
  /** label → arithmetic mean over `perQuery` (trec_eval's `all` rows). */
  readonly mean: Record<string, number>;
  /** Queries in the mean. */
  readonly queries: number;
  /** Judged queries the run has no results for: scored 0 and counted in the mean. */
  readonly missingFromRun: readonly string[];
  /** Run queries absent from the qrels: excluded, or scored 0 with `includeUnjudged`. */
  readonly unjudgedInRun: readonly string[];
}

/**
 * Scores a run against judgments, per query and on average.
 *
 * Which queries count (trec_eval's rules, with `-c` as the default for missing queries):
 * - Every judged query counts, including one whose judgments are all ≤ 0 (it scores 0; trec_eval does the same).
 * - A judged query missing from the run scores 0 on every metric, as `trec_eval -c` does: a retriever that returns
 *   nothing for a query must be penalised, not silently averaged over fewer queries. `missingFromRun` lists them;
 *   `requireAllJudged` turns them into an error instead.
 * - A run query that is not judged is excluded (trec_eval skips it), unless `includeUnjudged` (then 0).
 *
 * Throws UsageError on an unknown metric name; DataError when the run and the qrels share no query id (almost
 * always an id mismatch, which would otherwise score an all-zero run), when nothing is left to score, or per
 * `requireAllJudged`. Pure: no I/O.
 */
export function scoreRun(options: ScoreRunOptions): RunScores {
  const { run } = options;
  const specs = runMetricSpecs(options.metrics);
  return finishScores(options, specs, run.keys(), (queryId, relevant) => scoreQuery(run.get(queryId) ?? [], relevant, specs));
}

/** The metrics to compute, each once (aliases collapse to one label), in the order first requested. */
export function runMetricSpecs(metrics: readonly string[]): MetricSpec[] {
  return uniqueSpecs(metrics.map(parseMetricName));
}

/** One query's value of each metric, in `specs` order. */
export function scoreQuery(ranked: readonly string[], relevant: ReadonlyMap<string, number>, specs: readonly MetricSpec[]): number[] {
  return specs.map((spec) => retrievalMetrics[spec.name](ranked, relevant, spec.k));
}

/** A query that is not judged: no relevant document, so 0 on every metric. */
export const noRelevant: ReadonlyMap<string, number> = new Map();

/**
 * scoreRun's checks and result, given the run's query ids (first-appearance order) and each scored query's values
 * (`valuesOf(queryId, relevant)`: the metrics in `specs` order; called for every scored query, in the order of
 * `perQuery`). Shared by scoreRun and scoreRunFile (which scores a run file query by query), so both give the same
 * values, sums in the same order and the same errors.
 */
export function finishScores(
  options: Omit<ScoreRunOptions, 'run'>,
  specs: readonly MetricSpec[],
  runQueryIds: Iterable<string>,
  valuesOf: (queryId: string, relevant: ReadonlyMap<string, number>) => readonly number[],
): RunScores {
  const { judgments } = options;
  const budgeted = specs.find((spec) => spec.tokens !== undefined);
  if (budgeted) {
    throw new UsageError(
      `${budgeted.label} needs the retrieved chunks and their token counts, which a document ranking does not have`,
      'compute token-budget metrics with `ragbench run` (an eval\'s metrics), or use a rank cut-off such as recall@10',
    );
  }
  const runIds = new Set(runQueryIds);
  const runSize = runIds.size;
  const missingFromRun = [...judgments.keys()].filter((queryId) => !runIds.has(queryId));
  const unjudgedInRun = [...runIds].filter((queryId) => !judgments.has(queryId));

  if (runSize === 0) {
    throw new DataError('the run is empty: it ranks no document for any query, so every metric would be 0', {
      fix: 'check the run file (TREC lines `qid Q0 docid rank score tag`) and the retrieval that wrote it',
    });
  }
  if (judgments.size > 0 && unjudgedInRun.length === runSize) {
    throw new DataError(`none of the run's ${runSize} query ids appear in the qrels (e.g. run ${sample(unjudgedInRun)}, qrels ${sample([...judgments.keys()])})`, {
      fix: 'the run and the qrels must use the same query ids; check that they come from the same corpus',
    });
  }
  if (options.requireAllJudged && missingFromRun.length > 0) {
    throw new DataError(`the run has no results for ${missingFromRun.length} judged queries: ${sample(missingFromRun)}`, {
      fix: 'retrieve for every query in the qrels, or drop --strict (missing queries then score 0)',
    });
  }

  const scored: [string, ReadonlyMap<string, number>][] = [...judgments];
  if (options.includeUnjudged) scored.push(...unjudgedInRun.map((queryId): [string, ReadonlyMap<string, number>] => [queryId, noRelevant]));
  if (scored.length === 0) {
    throw new DataError('no judged queries to score', { fix: 'check that the qrels file has judgments' });
  }

  const perQuery = new Map<string, Record<string, number>>();
  const sums = new Map<string, number>(specs.map((spec) => [spec.label, 0]));
  for (const [queryId, relevant] of scored) {
    const computed = valuesOf(queryId, relevant);
    const values: Record<string, number> = {};
    specs.forEach((spec, i) => {
      values[spec.label] = computed[i]!;
      sums.set(spec.label, sums.get(spec.label)! + computed[i]!);
    });
    perQuery.set(queryId, values);
  }
  const mean = Object.fromEntries(specs.map((spec) => [spec.label, sums.get(spec.label)! / scored.length]));
  return {
    metrics: specs.map((spec) => spec.label),
    perQuery,
    mean,
    queries: scored.length,
    missingFromRun,
    unjudgedInRun,
  };
}

function uniqueSpecs(specs: readonly MetricSpec[]): MetricSpec[] {
  const byLabel = new Map<string, MetricSpec>();
  for (const spec of specs) if (!byLabel.has(spec.label)) byLabel.set(spec.label, spec);
  return [...byLabel.values()];
}

function sample(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).join(', ');
  return ids.length > 5 ? `${shown}, … (${ids.length} in all)` : shown;
}
