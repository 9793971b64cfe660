/** ① The corpus: documents, queries and relevance judgments. All records are immutable. */

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

/** Where a corpus comes from and what it contains. */
export interface CorpusSource {
  /** Short name used in index names and reports. */
  readonly name: string;
  /** Streams documents in a stable order. */
  documents(): AsyncIterable<Document>;
  queries(): Promise<Query[]>;
  judgments(): Promise<Judgments>;
  /** Content hash of the documents (and queries/qrels), so a changed corpus never reuses an index. */
  fingerprint(): Promise<string>;
}
