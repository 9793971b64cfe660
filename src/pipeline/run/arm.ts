import type { NamedConfig, ResolvedEval } from '../../config/load-eval.js';
import type { Document, Query } from '../../corpus/types.js';
import type { RankedDoc } from '../../metrics/run-file.js';
import type { ArmSummary, MetricEstimate, StageSeconds } from '../../report/run/summary.js';
import type { PluginContext } from '../../shared/plugin.js';
import type { Progress } from '../../shared/progress.js';
import { bootstrapMean } from '../../stats/bootstrap.js';
import type { AnswerRunner } from '../answer/answering.js';
import { parseSpanMetricName, spanMetricValue, type TokenOffsetsOf } from '../../metrics/spans.js';
import { measureAnnRecall } from './ann-recall.js';
import { estimateOverScored } from './estimates.js';
import { evaluate } from './evaluate.js';
import { indexArm, type IndexedArm } from '../index/arm.js';
import type { RetrieverPool } from '../index/pool.js';
import type { LoadedCorpus } from '../load-corpus.js';
import type { QueryResult } from './results.js';

interface ArmPlan {
  readonly plan: ResolvedEval;
  readonly corpus: LoadedCorpus;
  readonly queries: readonly Query[];
  readonly chunker: NamedConfig;
  readonly retriever: NamedConfig;
  readonly context: PluginContext;
  readonly answering?: AnswerRunner;
  /** Token positions of documents, for `token-*` span metrics and token budgets (see documentTokens). */
  readonly tokenOffsetsOf?: TokenOffsetsOf;
  readonly progress: Progress;
  readonly signal?: AbortSignal;
  /** Seconds reading the corpus (once per run; every arm reports it, as it paid for it). */
  readonly readSeconds?: number;
  /** The run's shared retrievers (see RetrieverPool); without it the arm builds and closes its own. */
  readonly pool?: RetrieverPool<IndexedArm>;
  /** The corpus's documents by id, for rerank stages (read once per run). */
  readonly documents?: () => Promise<ReadonlyMap<string, Document>>;
}

interface ArmOutcome {
  readonly summary: ArmSummary;
  readonly results: readonly QueryResult[];
  readonly run: Map<string, RankedDoc[]>;
  /** What the manifest records of this arm: configs as written (env var names, never values) and fingerprints. */
  readonly manifest: unknown;
}

/** One chunker × retriever: ingest (or reuse) the index, retrieve, score, and answer when configured. */
export async function runArm(arm: ArmPlan): Promise<ArmOutcome> {
  const { plan, corpus, context, progress, signal } = arm;
  const { chunker, retriever, indexed, searched, components } = await indexArm({
    corpus,
    chunker: arm.chunker,
    retriever: arm.retriever,
    context,
    progress,
    ...(arm.pool ? { pool: arm.pool } : {}),
    ...(arm.documents ? { documents: arm.documents } : {}),
    ...(signal ? { signal } : {}),
  });
  try {
    warnQueriesWithoutTokens(`${arm.chunker.name} × ${arm.retriever.name}`, retriever.queriesWithoutTokens?.(arm.queries) ?? [], arm.queries.length, context.warn);
    const evaluation = await evaluate({
      queries: arm.queries,
      judgments: corpus.judgments,
      retriever,
      depth: plan.depth,
      target: plan.target,
      ...(plan.maxDepth !== undefined ? { maxDepth: plan.maxDepth } : {}),
      ...(arm.tokenOffsetsOf ? { tokenOffsetsOf: arm.tokenOffsetsOf } : {}),
      metrics: plan.metrics,
      includeUnjudged: plan.includeUnjudged,
      progress,
      ...(signal ? { signal } : {}),
    });
    let mark = performance.now();
    const annRecall = await measureAnnRecall(searched, arm.queries, plan.annRecall, signal);
    // A hybrid says which of its components search approximately, with each one's ANN recall.
    const fused = components
      ? await Promise.all(
          components.map(async ({ name, retriever: component }) => {
            const recall = await measureAnnRecall(component, arm.queries, plan.annRecall, signal);
            return { retriever: name, approximate: component.approximation?.index ?? null, ...(recall ? { annRecall: recall } : {}) };
          }),
        )
      : undefined;
    const annRecallSeconds = (performance.now() - mark) / 1000;
    const rerank = retriever.rerankReport?.();
    mark = performance.now();
    const answers = arm.answering
      ? await arm.answering.answerArm({ queries: arm.queries, chunkHits: evaluation.chunkHits, progress, ...(signal ? { signal } : {}) })
      : undefined;
    const stages: StageSeconds = {
      read: arm.readSeconds ?? 0,
      ...indexed.stages,
      query: evaluation.querySeconds - (rerank?.seconds ?? 0),
      ...(rerank ? { rerank: rerank.seconds } : {}),
      score: evaluation.scoreSeconds,
      annRecall: annRecallSeconds,
      answer: answers ? (performance.now() - mark) / 1000 : 0,
    };
    const name = `${arm.chunker.name} × ${arm.retriever.name}`;
    const metrics: Record<string, MetricEstimate> = {};
    for (const metric of plan.metrics) {
      const values = [...evaluation.perQuery.values()].map((scores) => scores[metric]!);
      metrics[metric] = values.length > 0 ? bootstrapMean(values, plan.bootstrap) : { mean: Number.NaN, lower: Number.NaN, upper: Number.NaN };
    }
    const spanSpecs = plan.spanMetrics.map(parseSpanMetricName);
    const spanValues = new Map(
      [...evaluation.perQuery.keys()].map((queryId) => {
        const hits = evaluation.chunkHits.get(queryId) ?? [];
        const spans = corpus.spans?.get(queryId);
        return [queryId, Object.fromEntries(spanSpecs.map((spec) => [spec.label, spanMetricValue(spec, hits, spans, arm.tokenOffsetsOf)]))] as const;
      }),
    );
    const results: QueryResult[] = [...evaluation.perQuery].map(([queryId, scores]) => {
      const ranked = evaluation.run.get(queryId) ?? [];
      const answer = answers?.perQuery.get(queryId);
      return {
        arm: name,
        queryId,
        metrics: scores,
        top: ranked.slice(0, 10),
        // Six significant digits are plenty to show and sort by; the full scores stay in the .trec run files.
        chunks: (evaluation.chunkHits.get(queryId) ?? []).slice(0, 10).map((hit) => ({ id: hit.id, score: Number(hit.score.toPrecision(6)) })),
        relevantRanks: relevantRanksOf(ranked, corpus.judgments.get(queryId)),
        ...(spanSpecs.length > 0 ? { spans: spanValues.get(queryId) } : {}),
        ...(answer
          ? {
              answer: {
                text: answer.answer.text,
                ...(answer.answer.label ? { label: answer.answer.label } : {}),
                contextIds: answer.contextIds,
                scores: answer.scores,
                reasons: answer.reasons,
                ...(answer.claims ? { claims: answer.claims } : {}),
              },
            }
          : {}),
      };
    });
    return {
      summary: {
        arm: name,
        chunker: arm.chunker.name,
        retriever: arm.retriever.name,
        queries: evaluation.perQuery.size,
        chunks: indexed.chunks,
        indexKey: indexed.key,
        ingest: { mode: indexed.mode, seconds: indexed.seconds },
        retrieveSeconds: evaluation.seconds,
        ...(annRecall ? { annRecall } : {}),
        ...(fused ? { components: fused } : {}),
        ...(rerank ? { rerank } : {}),
        stages,
        depth: evaluation.depth,
        metrics,
        ...(answers ? { answers: answers.estimates } : {}),
        ...(spanSpecs.length > 0
          ? {
              spans: Object.fromEntries(
                spanSpecs.map((spec) => [spec.label, estimateOverScored([...spanValues.values()].map((v) => v[spec.label]), plan.bootstrap)]),
              ),
            }
          : {}),
      },
      results,
      run: evaluation.run,
      manifest: {
        arm: name,
        indexKey: indexed.key,
        stages,
        chunker: { ...describe(arm.chunker, chunker.fingerprint), ...(chunker.describe ? { evaluated: chunker.describe() } : {}) },
        retriever: { ...describe(arm.retriever, retriever.fingerprint), ...(retriever.describe ? { evaluated: await retriever.describe() } : {}) },
      },
    };
  } finally {
    await retriever.close();
  }
}

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

/** Queries a lexical retriever cannot tokenize get an empty ranking and score 0: never silently. */
function warnQueriesWithoutTokens(arm: string, ids: readonly string[], total: number, warn: ((message: string) => void) | undefined): void {
  if (ids.length === 0 || !warn) return;
  const shown = ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')}, … ${ids.length - 5} more`;
  warn(
    `${arm}: ${ids.length} of ${total} queries have no tokens for the retriever's tokenizer, so they get an empty ranking and score 0 (${shown}); ` +
      'tokenizer: unicode reads every script',
  );
}
