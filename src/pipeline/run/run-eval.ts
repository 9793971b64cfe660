import { join } from 'node:path';
import type { ResolvedEval } from '../../config/load-eval.js';
import { createLedger } from '../../llms/ledger.js';
import type { Document } from '../../corpus/types.js';
import type { RankedDoc } from '../../metrics/run-file.js';
import { renderMarkdown } from '../../report/run/markdown.js';
import { renderRunHtml } from '../../report/run/html.js';
import type { ArmSummary, RunSummary } from '../../report/run/summary.js';
import type { Env } from '../../shared/env.js';
import type { Progress } from '../../shared/progress.js';
import { silentProgress } from '../../shared/progress.js';
import { prepareAnswering } from '../answer/answering.js';
import { documentTokens } from './document-tokens.js';
import { drilldownRecords } from './drilldown.js';
import { loadCorpus } from '../load-corpus.js';
import { readAllDocuments, type IndexedArm } from '../index/arm.js';
import { createRetrieverPool } from '../index/pool.js';
import { runArm } from './arm.js';
import { pairwiseOf } from './pairwise.js';
import { buildRunReportModel } from './report.js';
import { armFileName, newRunId, writeRunFolder, type QueryResult } from './results.js';
import { buildRunManifest, buildRunSummary, selectQueries } from './record.js';

export interface RunOptions {
  readonly workDir: string;
  readonly env: Env;
  /** Default `<workDir>/runs/<runId>`. */
  readonly outDir?: string;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  /** Told what the user must know that is not an error (queries without tokens, damaged cache records). */
  readonly warn?: (message: string) => void;
  /** One-line messages from the stores (server NOTICEs, index build progress); see PluginContext.notice. */
  readonly notice?: (message: string) => void;
}

export interface RunOutcome {
  readonly summary: RunSummary;
  readonly dir: string;
}

/** The whole experiment: every chunker × retriever arm, then one run folder with the summary and per-query results. */
export async function runEval(plan: ResolvedEval, options: RunOptions): Promise<RunOutcome> {
  const progress = options.progress ?? silentProgress;
  const context = {
    env: options.env,
    workDir: options.workDir,
    ...(options.warn ? { warn: options.warn } : {}),
    ...(options.notice ? { notice: options.notice } : {}),
  };
  const readStarted = performance.now();
  const corpus = await loadCorpus(plan.corpus, { requireQueries: true, progress });
  const readSeconds = (performance.now() - readStarted) / 1000;
  const { allQueries, queries } = selectQueries(plan, corpus);
  const runId = newRunId(plan.name);
  const ledger = createLedger(plan.prices ?? {});
  const answering = plan.answers
    ? await prepareAnswering(plan, plan.answers, corpus, { ...context, ledger })
    : undefined;

  const tokenOffsetsOf = await documentTokens(corpus, [...plan.metrics, ...plan.spanMetrics]);
  const arms: ArmSummary[] = [];
  const results: QueryResult[] = [];
  const runs = new Map<string, Map<string, RankedDoc[]>>();
  const manifestArms: unknown[] = [];
  // Every chunker × retriever is indexed once and its rankings shared: a hybrid's components are not retrieved
  // again for the hybrid arm when they are arms of their own.
  const pool = createRetrieverPool<IndexedArm>();
  let documentsById: Promise<Map<string, Document>> | undefined;
  const documents = () => (documentsById ??= readAllDocuments(corpus));
  try {
    for (const chunker of plan.chunkers) {
      for (const retriever of plan.retrievers) {
        const outcome = await runArm({
          pool,
          documents,
          plan,
          corpus,
          queries,
          chunker,
          retriever,
          context,
          progress,
          readSeconds,
          ...(answering ? { answering } : {}),
          ...(tokenOffsetsOf ? { tokenOffsetsOf } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        arms.push(outcome.summary);
        results.push(...outcome.results);
        runs.set(armFileName(chunker.name, retriever.name), outcome.run);
        manifestArms.push(outcome.manifest);
      }
    }
  } finally {
    await pool.close();
  }

  checkSummaryAgainstResults(arms, results);
  const usage = ledger.report();
  const createdAt = new Date().toISOString();
  const base = buildRunSummary({ plan, corpus, allQueries, runId, createdAt, arms, usage, ...(answering ? { answerMetrics: answering.metrics } : {}) });
  const pairwise = pairwiseOf(plan, base, results);
  const summary: RunSummary = pairwise ? { ...base, pairwise } : base;
  const manifest = buildRunManifest({ plan, corpus, runId, createdAt, arms: manifestArms, usage });
  const drilldown = await drilldownRecords({ queries, judgments: corpus.judgments, spans: corpus.spans, documents: corpus.readDocuments(), results });
  const dir = await writeRunFolder(options.outDir ?? join(options.workDir, 'runs', runId), {
    manifest,
    summary,
    results,
    runs,
    reportMarkdown: renderMarkdown(summary),
    drilldown,
    reportHtml: renderRunHtml(buildRunReportModel({ summary, manifest, results, ...drilldown })),
  });
  return { summary, dir };
}

/**
 * Every arm's summary mean must be the mean of its per-query values in results.jsonl: the two are computed on
 * separate paths, so a disagreement means a bug (or a miscompiled hot loop, see cli/main.ts) and is an internal
 * error rather than a report with wrong numbers.
 */
export function checkSummaryAgainstResults(arms: readonly ArmSummary[], results: readonly QueryResult[]): void {
  for (const arm of arms) {
    const rows = results.filter((row) => row.arm === arm.arm);
    for (const [metric, estimate] of Object.entries(arm.metrics)) {
      if (rows.length === 0 || !Number.isFinite(estimate.mean)) continue;
      let sum = 0;
      for (const row of rows) sum += row.metrics[metric] ?? Number.NaN;
      const mean = sum / rows.length;
      if (!(Math.abs(mean - estimate.mean) <= 1e-9)) {
        throw new Error(`internal check failed: ${arm.arm} ${metric} summary mean ${estimate.mean} ≠ mean of its per-query results ${mean}`);
      }
    }
  }
}
