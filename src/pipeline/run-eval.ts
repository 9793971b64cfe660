import { chunkers } from '../chunkers/registry.js';
import type { NamedConfig, ResolvedEval } from '../config/load-eval.js';
import { retrievers } from '../retrievers/registry.js';
import { renderMarkdown } from '../report/markdown.js';
import type { ArmSummary, MetricEstimate, RunSummary } from '../report/run-summary.js';
import type { Env } from '../shared/env.js';
import type { Progress } from '../shared/progress.js';
import { silentProgress } from '../shared/progress.js';
import { bootstrapMean } from '../stats/bootstrap.js';
import { evaluate } from './evaluate.js';
import { ingest } from './ingest.js';
import { loadCorpus } from './load-corpus.js';
import { armFileName, newRunId, writeRunFolder, type QueryResult } from './run-store.js';
import type { RankedDoc } from '../metrics/run-file.js';
import { versions } from './versions.js';
import { join } from 'node:path';

export interface RunOptions {
  readonly workDir: string;
  readonly env: Env;
  /** Default `<workDir>/runs/<runId>`. */
  readonly outDir?: string;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

export interface RunOutcome {
  readonly summary: RunSummary;
  readonly dir: string;
}

/** The whole experiment: for each chunker × retriever, ingest (or reuse) the index, retrieve, score, summarise. */
export async function runEval(plan: ResolvedEval, options: RunOptions): Promise<RunOutcome> {
  const progress = options.progress ?? silentProgress;
  const context = { env: options.env, workDir: options.workDir };
  const corpus = await loadCorpus(plan.corpus, { requireQueries: true });
  const allQueries = plan.queryLimit ? corpus.queries.slice(0, plan.queryLimit) : corpus.queries;
  // Queries absent from the qrels cannot change a score unless counted as 0, so they are not even retrieved.
  const queries = plan.includeUnjudged ? allQueries : allQueries.filter((q) => corpus.judgments.has(q.id));
  const runId = newRunId(plan.name);

  const arms: ArmSummary[] = [];
  const results: QueryResult[] = [];
  const runs = new Map<string, Map<string, RankedDoc[]>>();
  const manifestArms: unknown[] = [];
  for (const chunkerConfig of plan.chunkers) {
    const chunker = chunkers[chunkerConfig.config.kind as keyof typeof chunkers].create(chunkerConfig.config.options as never, context);
    for (const retrieverConfig of plan.retrievers) {
      const retriever = await retrievers[retrieverConfig.config.kind as keyof typeof retrievers].create(
        retrieverConfig.config.options as never,
        context,
      );
      try {
        const identity = {
          corpus: { name: corpus.name, fingerprint: corpus.fingerprint },
          chunker: { name: chunkerConfig.name, fingerprint: chunker.fingerprint },
          retriever: { name: retrieverConfig.name, fingerprint: retriever.fingerprint },
        };
        const indexed = await ingest({
          documents: corpus.documents,
          chunker,
          retriever,
          identity,
          workDir: options.workDir,
          progress,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const evaluation = await evaluate({
          queries,
          judgments: corpus.judgments,
          retriever,
          depth: plan.depth,
          metrics: plan.metrics,
          includeUnjudged: plan.includeUnjudged,
          progress,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const arm = `${chunkerConfig.name} × ${retrieverConfig.name}`;
        const metrics: Record<string, MetricEstimate> = {};
        for (const metric of plan.metrics) {
          const values = [...evaluation.perQuery.values()].map((scores) => scores[metric]!);
          metrics[metric] =
            values.length > 0
              ? bootstrapMean(values, plan.bootstrap)
              : { mean: Number.NaN, lower: Number.NaN, upper: Number.NaN };
        }
        arms.push({
          arm,
          chunker: chunkerConfig.name,
          retriever: retrieverConfig.name,
          queries: evaluation.perQuery.size,
          chunks: indexed.chunks,
          indexKey: indexed.key,
          ingest: { mode: indexed.mode, seconds: indexed.seconds },
          retrieveSeconds: evaluation.seconds,
          metrics,
        });
        for (const [queryId, scores] of evaluation.perQuery) {
          const ranked = evaluation.run.get(queryId) ?? [];
          const relevantRanks = relevantRanksOf(ranked, corpus.judgments.get(queryId));
          results.push({ arm, queryId, metrics: scores, top: ranked.slice(0, 10), relevantRanks });
        }
        runs.set(armFileName(chunkerConfig.name, retrieverConfig.name), evaluation.run);
        manifestArms.push({ arm, indexKey: indexed.key, chunker: describe(chunkerConfig, chunker.fingerprint), retriever: describe(retrieverConfig, retriever.fingerprint) });
      } finally {
        await retriever.close();
      }
    }
  }

  const summary: RunSummary = {
    runId,
    evalName: plan.name,
    createdAt: new Date().toISOString(),
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
    arms,
  };
  const manifest = {
    runId,
    createdAt: summary.createdAt,
    versions: versions(),
    eval: { file: plan.file, name: plan.name, metrics: plan.metrics, depth: plan.depth, includeUnjudged: plan.includeUnjudged, queryLimit: plan.queryLimit, bootstrap: plan.bootstrap, gate: plan.gate },
    corpus: { name: corpus.name, path: plan.corpus.path, file: plan.corpus.file, fingerprint: corpus.fingerprint },
    arms: manifestArms,
  };
  const dir = await writeRunFolder(options.outDir ?? join(options.workDir, 'runs', runId), {
    manifest,
    summary,
    results,
    runs,
    reportMarkdown: renderMarkdown(summary),
  });
  return { summary, dir };
}

/** Config as written (env var names only, never values) plus the fingerprint it resolved to. */
function describe(named: NamedConfig, fingerprint: string) {
  return { name: named.name, file: named.file, kind: named.config.kind, options: named.config.options, fingerprint };
}

/** docId → rank (1-based) of the judged-relevant documents in a ranking: what `compare` diffs query by query. */
function relevantRanksOf(ranked: readonly RankedDoc[], relevant: ReadonlyMap<string, number> | undefined): Record<string, number> {
  const ranks: Record<string, number> = {};
  ranked.forEach((doc, index) => {
    if ((relevant?.get(doc.docId) ?? 0) > 0) ranks[doc.docId] = index + 1;
  });
  return ranks;
}
