import type { ResolvedEval } from '../config/load-eval.js';
import type { Query } from '../corpus/types.js';
import type { LedgerReport } from '../llms/ledger.js';
import type { ArmSummary, RunSummary } from '../report/run-summary.js';
import type { LoadedCorpus } from './load-corpus.js';
import { versions } from './versions.js';

/** What every run folder records, whichever command made it (`run`, `decide`). */
export interface RunRecordInput {
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
      documents: corpus.documents.length,
      queries: allQueries.length,
      judgedQueries: allQueries.filter((q) => corpus.judgments.has(q.id)).length,
    },
    metrics: plan.metrics,
    depth: plan.depth,
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
  return {
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
      includeUnjudged: plan.includeUnjudged,
      queryLimit: plan.queryLimit,
      bootstrap: plan.bootstrap,
      gate: plan.gate,
      answers: plan.answers,
      decide: plan.decide,
    },
    corpus: { name: corpus.name, path: plan.corpus.path, file: plan.corpus.file, fingerprint: corpus.fingerprint },
    arms: input.arms,
    ...(usage.models.length > 0 ? { usage } : {}),
  };
}
