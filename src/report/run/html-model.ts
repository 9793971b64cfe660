/**
 * What the HTML reports (report.html of a run, the comparison page) draw, as plain data built by
 * pipeline/run-report.ts from a run folder. The drill-down part is embedded in the page as JSON and rendered by the
 * page's own script, so a report opens from disk with no server.
 */
import type { Comparison } from '../comparison/summary.js';
import type { RunSummary } from './summary.js';

/** One line of queries.jsonl: what a query asks and what counts as relevant for it. */
export interface QueryRecord {
  readonly id: string;
  readonly text: string;
  /** docId → grade (≥ 1) of the judged-relevant documents. */
  readonly judged: Readonly<Record<string, number>>;
  /** Relevant character spans (UTF-16 offsets into the document text, end exclusive), when the test set has them. */
  readonly spans?: readonly { readonly docId: string; readonly start: number; readonly end: number; readonly grade: number }[];
}

/** One line of documents.jsonl: a document some retrieved chunk or some label points into. */
export interface DocumentRecord {
  readonly id: string;
  readonly title?: string;
  readonly text: string;
}

/** One arm's answer to one query, for the drill-down. */
export interface DrilldownResult {
  /** Every per-query number of the arm: retrieval metrics, span metrics, answer metrics (null: not scorable). */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** Top chunks best first: [docId, start, end, score]; start/end −1 when the chunk id holds no offsets. */
  readonly chunks: readonly (readonly [string, number, number, number])[];
  /** docId → rank of the judged-relevant documents retrieved (documents, not chunks). */
  readonly relevantRanks: Readonly<Record<string, number>>;
  readonly answer?: {
    readonly text: string;
    readonly label?: string;
    readonly scores: Readonly<Record<string, number | null>>;
    readonly reasons: Readonly<Record<string, string>>;
    readonly claims?: Readonly<Record<string, readonly { readonly claim: string; readonly verdict: string; readonly quote: string; readonly downgraded?: boolean }[]>>;
  };
}

export interface DrilldownData {
  readonly queries: readonly QueryRecord[];
  readonly documents: Readonly<Record<string, { readonly title?: string; readonly text: string }>>;
  readonly arms: readonly { readonly name: string; readonly results: Readonly<Record<string, DrilldownResult>> }[];
  /** Metric names offered for sorting and filtering, in table order. */
  readonly metrics: readonly string[];
  /** The k of "lost relevant documents vs baseline" (relevant documents within the top k). */
  readonly k: number;
  /** Index into arms of the default baseline (the first arm of a run; the baseline run's first arm in a comparison). */
  readonly baselineArm: number;
}

export interface CurveSeries {
  readonly name: string;
  /** values[i] = metric at k = i + 1. */
  readonly values: readonly number[];
}

export interface RunReportModel {
  readonly summary: RunSummary;
  /** From manifest.json: what made the run (shown as a small definition list; env var names only, never values). */
  readonly manifest: Readonly<Record<string, unknown>>;
  /** recall@k and ndcg@k over k = 1..n per arm; absent when the folder has no queries.jsonl (older runs). */
  readonly curves?: { readonly recall: readonly CurveSeries[]; readonly ndcg: readonly CurveSeries[] };
  /** Characters per chunk of the chunks retrieved (top 10 per query, each chunk once) per chunker. */
  readonly chunkSizes: readonly { readonly chunker: string; readonly sizes: readonly number[] }[];
  readonly drilldown?: DrilldownData;
}

export interface ComparisonReportModel {
  readonly comparison: Comparison;
  /** Both runs' arms, prefixed `baseline · ` and `candidate · `, with the baseline run's first arm as baseline. */
  readonly drilldown?: DrilldownData;
}
