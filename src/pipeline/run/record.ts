import type { ResolvedEval } from '../../config/load-eval.js';
import type { Query } from '../../corpus/types.js';
import type { LedgerReport } from '../../llms/ledger.js';
import { DataError } from '../../shared/errors.js';
import { redactUrlsInValue } from '../../shared/redact-url.js';
import type { ArmSummary, RunSummary } from '../../report/run/summary.js';
import type { LoadedCorpus } from '../load-corpus.js';
import { versions } from '../versions.js';

/** What every run folder records, whichever command made it (`run`, `decide`). */
interface RunRecordInput {
  readonly plan: ResolvedEval;
  readonly corpus: LoadedCorpus;
  /** The queries before unjudged ones were set aside (after any query limit). */
  readonly allQueries: readonly Query[];
  readonly runId: string;
  readonly createdAt: string;
  readonly arms: readonly ArmSummary[];
  readonly answerMetrics?: readonly string[];
  readonly usage: LedgerReport;
}

/**
 * The queries a run scores (`allQueries` after the query limit; `queries` without the unjudged ones unless they
 * count as 0), after checking that span metrics have span labels to score against. Shared by run and decide.
 */
export function selectQueries(plan: ResolvedEval, corpus: LoadedCorpus): { allQueries: readonly Query[]; queries: readonly Query[] } {
  if (plan.spanMetrics.length > 0 && !corpus.spans) {
    throw new DataError(`spanMetrics need span judgments, but corpus ${corpus.name} has no qrels/${plan.corpus.qrelsSplit}.spans.jsonl`, {
      place: { file: plan.file },
      fix: 'remove spanMetrics, or generate a test set with span labels (ragbench synth)',
    });
  }
  const allQueries = plan.queryLimit ? corpus.queries.slice(0, plan.queryLimit) : corpus.queries;
  // Queries absent from the qrels cannot change a score unless counted as 0, so they are not even retrieved.
  const queries = plan.includeUnjudged ? allQueries : allQueries.filter((q) => corpus.judgments.has(q.id));
  return { allQueries, queries };
}

/** summary.json: the numbers every renderer reads. */
export function buildRunSummary(input: RunRecordInput): RunSummary {
  const { plan, corpus, allQueries, usage } = input;
  return {
    runId: input.runId,
    evalName: plan.name,
    createdAt: input.createdAt,
    corpus: {
      name: corpus.name,
      fingerprint: corpus.fingerprint,
      documents: corpus.documentCount,
      queries: allQueries.length,
      judgedQueries: allQueries.filter((q) => corpus.judgments.has(q.id)).length,
      ...(corpus.testSet ? { testSet: corpus.testSet } : {}),
    },
    metrics: plan.metrics,
    depth: plan.depth,
    ...(plan.maxDepth !== undefined ? { maxDepth: plan.maxDepth } : {}),
    confidence: plan.bootstrap.confidence,
    arms: input.arms,
    ...(plan.spanMetrics.length > 0 ? { spanMetrics: plan.spanMetrics } : {}),
    ...(input.answerMetrics ? { answerMetrics: input.answerMetrics } : {}),
    ...(usage.models.length > 0
      ? {
          cost: {
            calls: usage.total.calls,
            cachedCalls: usage.total.cachedCalls,
            inputTokens: usage.total.inputTokens,
            outputTokens: usage.total.outputTokens,
            ...usage.total.cost,
          },
        }
      : {}),
  };
}

/**
 * manifest.json: what produced the numbers — resolved config (environment variable names, never values),
 * versions, corpus and index fingerprints — so `ragbench compare` can say what changed between two runs.
 */
export function buildRunManifest(input: {
  readonly plan: ResolvedEval;
  readonly corpus: LoadedCorpus;
  readonly runId: string;
  readonly createdAt: string;
  readonly arms: readonly unknown[];
  readonly usage: LedgerReport;
  /** The command when it is not `run`. */
  readonly command?: string;
}): Record<string, unknown> {
  const { plan, corpus, usage } = input;
  // A URL in a config option or a fingerprint may carry user-info or a token: the manifest keeps neither.
  return redactUrlsInValue({
    runId: input.runId,
    createdAt: input.createdAt,
    ...(input.command ? { command: input.command } : {}),
    versions: versions(),
    eval: {
      file: plan.file,
      name: plan.name,
      metrics: plan.metrics,
      spanMetrics: plan.spanMetrics,
      depth: plan.depth,
      maxDepth: plan.maxDepth ?? null,
      target: plan.target,
      includeUnjudged: plan.includeUnjudged,
      queryLimit: plan.queryLimit,
      bootstrap: plan.bootstrap,
      gate: plan.gate,
      answers: plan.answers,
      decide: plan.decide,
    },
    corpus: {
      name: corpus.name,
      path: plan.corpus.path,
      file: plan.corpus.file,
      fingerprint: corpus.fingerprint,
      ...(corpus.testSet ? { testSet: corpus.testSet } : {}),
    },
    arms: input.arms,
    ...(usage.models.length > 0 ? { usage } : {}),
  });
}
