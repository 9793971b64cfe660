/** What a finished run says, for renderers (terminal, Markdown, JSON). Plain data, no behaviour. */

export interface MetricEstimate {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
}

/** An answer metric over the queries it could score; `nulls` could not be scored (never averaged in as 0). */
export type ScoredEstimate =
  | (MetricEstimate & { readonly scored: number; readonly nulls: number })
  | { readonly mean: null; readonly scored: 0; readonly nulls: number };

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
  };
  readonly metrics: readonly string[];
  readonly depth: number;
  readonly confidence: number;
  readonly arms: readonly ArmSummary[];
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
