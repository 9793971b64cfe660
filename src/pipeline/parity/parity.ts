import type { NamedConfig, ResolvedEval } from '../../config/load-eval.js';
import { parseMetricName } from '../../metrics/retrieval.js';
import { jaccardAtK, rankBiasedOverlap, recallAgainst } from '../../metrics/overlap.js';
import type { Env } from '../../shared/env.js';
import { ConfigError } from '../../shared/errors.js';
import { canonicalJson } from '../../shared/hash.js';
import type { Progress } from '../../shared/progress.js';
import { silentProgress } from '../../shared/progress.js';
import { evaluate } from '../run/evaluate.js';
import { indexArm } from '../index/arm.js';
import { loadCorpus, type LoadedCorpus } from '../load-corpus.js';

interface ParityOptions {
  readonly workDir: string;
  readonly env: Env;
  /** Top-k chunks compared per query. Default 10. */
  readonly k?: number;
  /** A query is listed for a pair when 1 − Jaccard@k exceeds this. Default 0 (any difference). */
  readonly threshold?: number;
  /** RBO persistence. Default 0.9. */
  readonly rboP?: number;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

interface StoreArm {
  readonly retriever: string;
  readonly store: string;
  readonly chunks: number;
  readonly ingestMode: 'reused' | 'resumed' | 'built' | 'existing';
  readonly ingestSeconds: number;
  /** Chunks embedded (from cache after the reference arm) and stored per second; null for a reused index. */
  readonly chunksPerSecond: number | null;
  readonly retrieveSeconds: number;
  /** Mean of each eval metric. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Mean share of the exact top-k (in-process brute force, same embeddings) this store returned. */
  readonly annRecall: number;
}

interface QueryDifference {
  readonly queryId: string;
  readonly jaccard: number;
  readonly rbo: number;
  /** Chunk ids in one top-k and not the other. */
  readonly onlyA: readonly string[];
  readonly onlyB: readonly string[];
  /** Per metric, b − a for this query. */
  readonly deltas: Readonly<Record<string, number>>;
}

interface StorePair {
  readonly a: string;
  readonly b: string;
  readonly jaccard: number;
  readonly minJaccard: number;
  readonly rbo: number;
  /** Per metric, mean(b) − mean(a). */
  readonly metricDeltas: Readonly<Record<string, number>>;
  readonly differing: readonly QueryDifference[];
}

interface ParityChunker {
  readonly chunker: string;
  readonly stores: readonly StoreArm[];
  readonly pairs: readonly StorePair[];
}

export interface ParityReport {
  readonly evalName: string;
  readonly corpus: { readonly name: string; readonly documents: number };
  readonly queries: number;
  readonly k: number;
  readonly rboP: number;
  readonly threshold: number;
  readonly metrics: readonly string[];
  readonly chunkers: readonly ParityChunker[];
}

interface ArmRun {
  readonly arm: StoreArm;
  readonly ranked: ReadonlyMap<string, readonly string[]>;
  readonly perQuery: ReadonlyMap<string, Readonly<Record<string, number>>>;
}

/**
 * `ragbench parity`: the same chunks and embeddings into every store of the eval (dense retrievers that
 * differ only by store), then per store pair the agreement of their top-k chunk rankings query by query,
 * each store's recall against exact in-process search, and the metric deltas.
 */
export async function runParity(plan: ResolvedEval, options: ParityOptions): Promise<ParityReport> {
  const k = options.k ?? 10;
  const threshold = options.threshold ?? 0;
  const rboP = options.rboP ?? 0.9;
  const arms = checkParityArms(plan);
  const corpus = await loadCorpus(plan.corpus, { requireQueries: true });
  const all = plan.queryLimit ? corpus.queries.slice(0, plan.queryLimit) : corpus.queries;
  const queries = plan.includeUnjudged ? all : all.filter((q) => corpus.judgments.has(q.id));
  const reports: ParityChunker[] = [];
  for (const chunkerConfig of plan.chunkers) {
    // The exact reference runs first, so its embeddings fill the cache and the stores' ingest times compare storage.
    const reference = await runArm(plan, options, corpus, queries, chunkerConfig, exactReference(arms[0]!), Math.max(plan.depth, k));
    const runs: ArmRun[] = [];
    for (const arm of arms) {
      const run = await runArm(plan, options, corpus, queries, chunkerConfig, arm, Math.max(plan.depth, k));
      const recalls = queries.map((q) => recallAgainst(run.ranked.get(q.id) ?? [], reference.ranked.get(q.id) ?? [], k));
      runs.push({ ...run, arm: { ...run.arm, annRecall: mean(recalls) } });
    }
    const pairs: StorePair[] = [];
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) pairs.push(comparePair(runs[i]!, runs[j]!, { queryIds: queries.map((q) => q.id), k, rboP, threshold, metrics: plan.metrics }));
    }
    reports.push({ chunker: chunkerConfig.name, stores: runs.map((run) => run.arm), pairs });
  }
  return { evalName: plan.name, corpus: { name: corpus.name, documents: corpus.documentCount }, queries: queries.length, k, rboP, threshold, metrics: plan.metrics, chunkers: reports };
}

/** Parity needs dense retrievers that differ only in their store: anything else would compare embedders. */
function checkParityArms(plan: ResolvedEval): readonly NamedConfig[] {
  const place = { file: plan.file };
  const dense = plan.retrievers.filter((r) => r.config.kind === 'dense');
  if (dense.length !== plan.retrievers.length) {
    const other = plan.retrievers.find((r) => r.config.kind !== 'dense')!;
    throw new ConfigError(`parity compares vector stores; retriever ${other.name} is kind ${other.config.kind}, not dense`, { place, fix: 'list only dense retrievers' });
  }
  if (dense.length < 2) throw new ConfigError('parity needs at least two dense retrievers to compare', { place, fix: 'list two or more retrievers that differ only by store' });
  const shape = (r: NamedConfig) => canonicalJson({ ...r.config.options, store: undefined });
  const first = dense[0]!;
  const odd = dense.find((r) => shape(r) !== shape(first));
  if (odd) {
    throw new ConfigError(`retrievers ${first.name} and ${odd.name} differ in more than their store (embedder, distance or cache)`, {
      place,
      fix: 'give every retriever the same embedder and distance, so differences come from the stores',
    });
  }
  return dense;
}

function exactReference(arm: NamedConfig): NamedConfig {
  return { name: 'exact (in-process)', config: { ...arm.config, options: { ...arm.config.options, store: { kind: 'memory', options: {} } } } };
}

async function runArm(
  plan: ResolvedEval,
  options: ParityOptions,
  corpus: LoadedCorpus,
  queries: LoadedCorpus['queries'],
  chunkerConfig: NamedConfig,
  arm: NamedConfig,
  depth: number,
): Promise<ArmRun> {
  const context = { env: options.env, workDir: options.workDir };
  const signal = options.signal ? { signal: options.signal } : {};
  const progress = options.progress ?? silentProgress;
  const { retriever, indexed } = await indexArm({ corpus, chunker: chunkerConfig, retriever: arm, context, progress, ...signal });
  try {
    // Parity compares stores on the same top-`depth` chunks: a fixed depth, rank metrics only (no token budgets).
    const metrics = plan.metrics.filter((metric) => parseMetricName(metric).tokens === undefined);
    const target = { documents: plan.target.documents };
    const evaluation = await evaluate({ queries, judgments: corpus.judgments, retriever, depth, target, metrics, includeUnjudged: plan.includeUnjudged, progress, ...signal });
    const ranked = new Map([...evaluation.chunkHits].map(([queryId, hits]) => [queryId, hits.map((hit) => hit.id)]));
    const store = (arm.config.options as { store: { kind: string } }).store.kind;
    return {
      arm: {
        retriever: arm.name,
        store,
        chunks: indexed.chunks,
        ingestMode: indexed.mode,
        ingestSeconds: indexed.seconds,
        chunksPerSecond: indexed.mode === 'reused' || indexed.seconds === 0 ? null : indexed.chunks / indexed.seconds,
        retrieveSeconds: evaluation.seconds,
        metrics: evaluation.mean,
        annRecall: 1,
      },
      ranked,
      perQuery: evaluation.perQuery,
    };
  } finally {
    await retriever.close();
  }
}

function comparePair(
  a: ArmRun,
  b: ArmRun,
  options: { queryIds: readonly string[]; k: number; rboP: number; threshold: number; metrics: readonly string[] },
): StorePair {
  const { k } = options;
  const jaccards: number[] = [];
  const rbos: number[] = [];
  const differing: QueryDifference[] = [];
  for (const queryId of options.queryIds) {
    const left = (a.ranked.get(queryId) ?? []).slice(0, k);
    const right = (b.ranked.get(queryId) ?? []).slice(0, k);
    const jaccard = jaccardAtK(left, right, k);
    const rbo = rankBiasedOverlap(left, right, { p: options.rboP, k });
    jaccards.push(jaccard);
    rbos.push(rbo);
    if (1 - jaccard <= options.threshold) continue;
    const deltas: Record<string, number> = {};
    for (const metric of options.metrics) deltas[metric] = (b.perQuery.get(queryId)?.[metric] ?? 0) - (a.perQuery.get(queryId)?.[metric] ?? 0);
    differing.push({ queryId, jaccard, rbo, onlyA: left.filter((id) => !right.includes(id)), onlyB: right.filter((id) => !left.includes(id)), deltas });
  }
  const metricDeltas: Record<string, number> = {};
  for (const metric of options.metrics) metricDeltas[metric] = (b.arm.metrics[metric] ?? 0) - (a.arm.metrics[metric] ?? 0);
  differing.sort((x, y) => x.jaccard - y.jaccard || (x.queryId < y.queryId ? -1 : 1));
  return { a: a.arm.retriever, b: b.arm.retriever, jaccard: mean(jaccards), minJaccard: Math.min(1, ...jaccards), rbo: mean(rbos), metricDeltas, differing };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}
