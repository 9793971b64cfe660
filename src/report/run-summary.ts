/** What a finished run says, for renderers (terminal, Markdown, JSON). Plain data, no behaviour. */

export interface MetricEstimate {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
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
  readonly ingest: { readonly mode: 'reused' | 'resumed' | 'built'; readonly seconds: number };
  readonly retrieveSeconds: number;
  readonly metrics: Readonly<Record<string, MetricEstimate>>;
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
}
