/** ① The corpus: documents, queries and relevance judgments. All records are immutable. */

import type { Progress } from '../shared/progress.js';

export interface Document {
  readonly id: string;
  readonly title?: string;
  readonly text: string;
}

export interface Query {
  readonly id: string;
  readonly text: string;
}

/** queryId → (docId → grade ≥ 1). A document absent from the map is not relevant. */
export type Judgments = ReadonlyMap<string, ReadonlyMap<string, number>>;

/**
 * A relevant passage: `[start, end)` in UTF-16 code units of the document's `text` (as chunk offsets), with the
 * integer grade ≥ 1 from the span file's `score`.
 */
export interface RelevantSpan {
  readonly docId: string;
  readonly start: number;
  readonly end: number;
  readonly grade: number;
}

/**
 * queryId → relevant spans, in file order; may overlap. A query present with no spans was judged (all its
 * spans scored ≤ 0). Span labels outlive a chunking: any chunker's chunks can be scored against them.
 */
export type SpanJudgments = ReadonlyMap<string, readonly RelevantSpan[]>;

/** Where a corpus comes from and what it contains. */
export interface CorpusSource {
  /** Short name used in index names and reports. */
  readonly name: string;
  /**
   * Streams documents in a stable order. With `progress`, the source reports the read as a phase with a total it
   * knows up front (megabytes of corpus.jsonl, or files), so a long read shows a rate and an ETA.
   */
  documents(options?: { readonly progress?: Progress }): AsyncIterable<Document>;
  queries(): Promise<Query[]>;
  judgments(): Promise<Judgments>;
  /**
   * Span-level judgments (`qrels/<split>.spans.jsonl` in the BEIR layout), or undefined when the corpus has none.
   * With `documentLengths` (docId → text length), spans past a document's end or naming unknown documents throw a
   * DataError at their line. Optional: sources without span support leave it out.
   */
  spans?(options?: { readonly documentLengths?: ReadonlyMap<string, number> }): Promise<SpanJudgments | undefined>;
  /** Content hash of the documents (and queries/qrels), so a changed corpus never reuses an index. */
  fingerprint(): Promise<string>;
}
