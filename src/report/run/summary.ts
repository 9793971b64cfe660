/** What a finished run says, for renderers (terminal, Markdown, JSON). Plain data, no behaviour. */

import type { PairwiseResult } from '../../stats/pairwise.js';

export interface MetricEstimate {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
}

/** An answer metric over the queries it could score; `nulls` could not be scored (never averaged in as 0). */
export type ScoredEstimate =
  | (MetricEstimate & { readonly scored: number; readonly nulls: number })
  | { readonly mean: null; readonly scored: 0; readonly nulls: number };

/** ANN recall of an approximate arm against exact search over the same index (src/pipeline/run/ann-recall.ts). */
export interface AnnRecallSummary {
  readonly index: string;
  /** The setting to raise for more recall, e.g. `hnsw.efSearch`; absent when the service has none (Pinecone). */
  readonly raise?: string;
  readonly k: number;
  /** Queries in the seeded sample. */
  readonly queries: number;
  /**
   * Mean recall@k of the ANN top-k against the exact top-k; null when not measured (no exact search, or more
   * records than the store's `exactMaxRecords`).
   */
  readonly recall: number | null;
  readonly minRecall: number;
  /** Set when recall is below minRecall or could not be measured. */
  readonly warning?: string;
}

/** Wall seconds per stage of one arm (embed = waiting for embeddings inside the ingest, write = the rest of it). */
export interface StageSeconds {
  readonly read: number;
  readonly chunk: number;
  readonly embed: number;
  readonly write: number;
  readonly indexBuild: number;
  readonly query: number;
  readonly score: number;
  readonly annRecall: number;
  readonly answer: number;
  /** Arms with a `rerank:` stage: seconds scoring candidates (not part of `query`). */
  readonly rerank?: number;
}

export const stageNames = ['read', 'chunk', 'embed', 'write', 'indexBuild', 'query', 'rerank', 'score', 'annRecall', 'answer'] as const;

/** One component of a hybrid arm: whether it searches approximately (its index), and then its ANN recall. */
export interface FusedComponent {
  readonly retriever: string;
  /** The ANN index it searches through, or null when its search is exact. */
  readonly approximate: string | null;
  readonly annRecall?: AnnRecallSummary;
}

/** A rerank stage's account for one arm (src/retrievers/reranked.ts). */
export interface RerankSummary {
  /** Kind and model, e.g. `cross-encoder ms-marco-MiniLM-L-6-v2`. */
  readonly reranker: string;
  /** What its scores are cached by (kind, model, file hashes or endpoint without credentials). */
  readonly fingerprint: string;
  readonly candidates: number;
  readonly seconds: number;
  readonly usage: {
    readonly requests: number;
    readonly pairs: number;
    readonly cachedPairs: number;
    readonly searchUnits?: number;
    readonly tokens?: number;
    readonly usd: number | null;
    readonly reason?: string;
  };
}

export interface ArmSummary {
  /** `<chunker> × <retriever>` */
  readonly arm: string;
  readonly chunker: string;
  readonly retriever: string;
  /** Queries scored (judged ones, unless unjudged queries were included). */
  readonly queries: number;
  readonly chunks: number;
  readonly indexKey: string;
  readonly ingest: { readonly mode: 'reused' | 'resumed' | 'built' | 'existing'; readonly seconds: number };
  readonly retrieveSeconds: number;
  /** Per-stage wall seconds (absent in runs written before stages were recorded). */
  readonly stages?: StageSeconds;
  /** Arms searching through an ANN index: their recall against exact search. */
  readonly annRecall?: AnnRecallSummary;
  /** Hybrid arms: their components, which of them are approximate, and those ones' ANN recall. */
  readonly components?: readonly FusedComponent[];
  /** Arms with a `rerank:` stage: its seconds, pairs scored (and cached) and cost. */
  readonly rerank?: RerankSummary;
  /**
   * How deep retrieval went: queries with fewer than `targetDocuments` distinct documents (the largest document
   * cut-off) or, with token budgets, fewer than `targetTokens` retrieved tokens, and the most chunks requested.
   * Absent in runs made before ragbench reported it.
   */
  readonly depth?: {
    readonly targetDocuments: number;
    readonly shortOfDocuments: number;
    readonly targetTokens?: number;
    readonly shortOfTokens?: number;
    readonly maxChunks: number;
  };
  readonly metrics: Readonly<Record<string, MetricEstimate>>;
  /** With an `answers:` section: answer metrics for this arm's retrieved contexts. */
  readonly answers?: Readonly<Record<string, ScoredEstimate>>;
  /** With `spanMetrics`: chunk-level metrics against labelled spans, and context cost. */
  readonly spans?: Readonly<Record<string, ScoredEstimate>>;
}

export interface RunSummary {
  readonly runId: string;
  readonly evalName: string;
  readonly createdAt: string;
  readonly corpus: {
    readonly name: string;
    readonly fingerprint: string;
    readonly documents: number;
    readonly queries: number;
    readonly judgedQueries: number;
    /** A generated test set: its method and bias, shown with every table of the run. */
    readonly testSet?: { readonly method: string; readonly caveat?: string };
  };
  readonly metrics: readonly string[];
  /** Chunks per query: the fixed depth, or the first pass of the automatic depth (then `maxDepth` is its cap). */
  readonly depth: number;
  readonly maxDepth?: number;
  readonly confidence: number;
  readonly arms: readonly ArmSummary[];
  /**
   * Paired comparisons between the arms (two or more), one entry per pair × metric, p-values adjusted over all of
   * them; absent for one arm and in runs written before ragbench compared arms.
   */
  readonly pairwise?: PairwiseResult;
  /** With `spanMetrics`: their labels, in table order. */
  readonly spanMetrics?: readonly string[];
  /** With an `answers:` section: the answer metrics, in table order. */
  readonly answerMetrics?: readonly string[];
  /** Model usage of the run (paid tokens, cached calls) and its cost; usd is null with a reason when a model has no price. */
  readonly cost?: {
    readonly calls: number;
    readonly cachedCalls: number;
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly usd: number | null;
    readonly reason?: string;
  };
}

/** What the pairwise renderers read of a run: its arms' means, its metrics and the pairwise family (also kept by compare). */
export type PairwiseView = Pick<RunSummary, 'metrics' | 'pairwise'> & {
  readonly arms: readonly { readonly arm: string; readonly metrics: Readonly<Record<string, { readonly mean: number } | undefined>> }[];
};
