import { chunkId, unlocatedChunkId } from '../chunkers/chunker.js';
import type { Chunk } from '../chunkers/chunker.js';
import type { Document, Query } from '../corpus/types.js';
import { hashText } from '../shared/hash.js';
import { TextLocator, type LocateMatch } from '../shared/text/locate-text.js';
import type { Approximation } from '../stores/vector-store.js';
import type { Hit, Retriever } from './retriever.js';

/** A result as an existing index, a user's module or a retrieval service returns it, before corpus matching. */
export interface ExternalHit {
  /** The source's own id of the chunk (row id, vector id, object uuid), when it has one. */
  readonly ref?: string;
  readonly docId: string;
  /** The chunk's text, when the source has it: located in the document for span metrics. */
  readonly text?: string;
  /** Character offsets in the document, when the source recorded them (checked against the text). */
  readonly start?: number;
  readonly end?: number;
  /** Higher is closer. The source's order is the ranking either way; a missing score becomes −rank. */
  readonly score?: number;
}

/** What a kind reading a foreign index or service implements; ExternalRetriever adds corpus matching. */
export interface ExternalSource {
  /** Chunks (rows, vectors, objects) the source holds, when it can say. */
  count?(signal?: AbortSignal): Promise<number | undefined>;
  search(queries: readonly Query[], k: number, signal?: AbortSignal): Promise<ExternalHit[][]>;
  /** Set when the source searches through an ANN index (an existing Pinecone namespace, Weaviate HNSW collection). */
  readonly approximation?: Approximation;
  /** The same search without the ANN index, where the source can do it (an existing pgvector table). */
  searchExact?(queries: readonly Query[], k: number, signal?: AbortSignal): Promise<ExternalHit[][]>;
  /** Names, counts, content fingerprint, file hash or URL (never secrets): recorded in the run manifest. */
  describe(signal?: AbortSignal): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

type Outcome = 'unmatched' | 'offsets' | LocateMatch | 'unlocated' | 'no-text';

/** How the distinct retrieved chunks were matched to the corpus: recorded in the manifest, never silent. */
interface MatchStats {
  /** Distinct chunks retrieved over all queries. */
  readonly chunks: number;
  /** …whose document id is not in the corpus: kept in the ranking (a miss for every query), counted here. */
  readonly unmatchedDocIds: number;
  /** …placed by the source's own offsets, or located in the document text at each level. */
  readonly located: Readonly<Record<'offsets' | LocateMatch, number>>;
  /** …with text found nowhere in their document, or with no text: left out of span metrics. */
  readonly unlocated: number;
  readonly withoutText: number;
  /** A few unmatched document ids, to help fix a docId mapping. */
  readonly unmatchedExamples: readonly string[];
}

/** Maps external hits to chunk hits of the corpus: `${docId}#start-end` when placed, `${docId}#?ref` when not. */
export class CorpusMatcher {
  readonly #documents = new Map<string, TextLocator>();
  readonly #outcomes = new Map<string, Outcome>();
  readonly #unmatched: string[] = [];

  constructor(documents: readonly Document[]) {
    for (const doc of documents) this.#documents.set(doc.id, new TextLocator(doc.text));
  }

  /** One query's hits in the source's order; a chunk placed twice at the same offsets takes the next occurrence. */
  /** `record: false` maps without counting (the exact reference searches of ANN recall are not part of the run). */
  toHits(hits: readonly ExternalHit[], record = true): Hit[] {
    const taken = new Set<string>();
    return hits.map((hit, rank) => {
      const score = hit.score ?? -(rank + 1);
      const key = hit.ref ?? `${hit.docId}\u0000${hashText(hit.text ?? String(rank))}`;
      const locator = this.#documents.get(hit.docId);
      if (!locator) {
        if (record) {
          this.#record(key, 'unmatched');
          if (this.#unmatched.length < 5 && !this.#unmatched.includes(hit.docId)) this.#unmatched.push(hit.docId);
        }
        return { id: unlocatedChunkId(hit.docId, hit.ref ?? String(rank)), docId: hit.docId, score };
      }
      const placed = place(locator, hit, taken);
      if (record) this.#record(key, placed.outcome);
      const id = placed.span ? chunkId(hit.docId, placed.span.start, placed.span.end) : unlocatedChunkId(hit.docId, hit.ref ?? String(rank));
      taken.add(id);
      return { id, docId: hit.docId, score };
    });
  }

  stats(): MatchStats {
    const count = (outcome: Outcome) => [...this.#outcomes.values()].filter((o) => o === outcome).length;
    return {
      chunks: this.#outcomes.size,
      unmatchedDocIds: count('unmatched'),
      located: { offsets: count('offsets'), exact: count('exact'), whitespace: count('whitespace'), 'no-whitespace': count('no-whitespace') },
      unlocated: count('unlocated'),
      withoutText: count('no-text'),
      unmatchedExamples: [...this.#unmatched],
    };
  }

  #record(key: string, outcome: Outcome): void {
    if (!this.#outcomes.has(key)) this.#outcomes.set(key, outcome);
  }
}

function place(locator: TextLocator, hit: ExternalHit, taken: ReadonlySet<string>): { outcome: Outcome; span?: { start: number; end: number } } {
  const { start, end, text } = hit;
  const docLength = locator.text.length;
  if (start !== undefined && end !== undefined && Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= docLength) {
    // Recorded offsets are trusted only when they agree with the recorded text (a re-chunked document would not).
    if (text === undefined || locator.text.slice(start, end) === text) return { outcome: 'offsets', span: { start, end } };
  }
  if (text === undefined || text.trim() === '') return { outcome: 'no-text' };
  let found = locator.locate(text);
  // The same text twice in one ranking is two chunks: take the next occurrence for the second.
  while (found && taken.has(chunkId(hit.docId, found.start, found.end))) {
    const next = locator.locate(text, found.start + 1);
    if (!next) break;
    found = next;
  }
  return found ? { outcome: found.match, span: { start: found.start, end: found.end } } : { outcome: 'unlocated' };
}

/**
 * A retriever over something ragbench did not build. Ingest skips chunking for it (`useCorpus`), so `add` and
 * `finish` are never called with chunks; they exist to satisfy the lifecycle and do nothing.
 */
export class ExternalRetriever implements Retriever {
  readonly fingerprint: string;
  readonly persistent = false;
  readonly approximation?: Approximation;
  readonly #source: ExternalSource;
  readonly #extra: () => Record<string, unknown>;
  #matcher: CorpusMatcher | undefined;

  constructor(fingerprint: string, source: ExternalSource, extra: () => Record<string, unknown> = () => ({})) {
    this.fingerprint = fingerprint;
    this.#source = source;
    this.#extra = extra;
    // Without the source's exact search, an approximate source's ANN recall is reported "not measured".
    if (source.approximation) this.approximation = source.approximation;
    if (!source.searchExact) this.retrieveExact = undefined;
  }

  async open(_indexKey: string, signal?: AbortSignal): Promise<number> {
    return (await this.#source.count?.(signal)) ?? 0;
  }

  async add(_chunks: readonly Chunk[]): Promise<void> {}

  async finish(): Promise<void> {}

  async useCorpus(documents: readonly Document[]): Promise<void> {
    this.#matcher = new CorpusMatcher(documents);
  }

  async retrieve(query: Query, k: number, signal?: AbortSignal): Promise<Hit[]> {
    const [hits] = await this.retrieveBatch([query], k, signal);
    return hits ?? [];
  }

  async retrieveBatch(queries: readonly Query[], k: number, signal?: AbortSignal): Promise<Hit[][]> {
    const matcher = this.#matcher;
    if (!matcher) throw new Error('external retriever: useCorpus(documents) must run before retrieve');
    const results = await this.#source.search(queries, k, signal);
    return results.map((hits) => matcher.toHits(hits.slice(0, k)));
  }

  async retrieveExact?(queries: readonly Query[], k: number, signal?: AbortSignal): Promise<Hit[][]> {
    const matcher = this.#matcher;
    if (!matcher) throw new Error('external retriever: useCorpus(documents) must run before retrieveExact');
    const results = await this.#source.searchExact!(queries, k, signal);
    return results.map((hits) => matcher.toHits(hits.slice(0, k), false));
  }

  async describe(): Promise<Record<string, unknown>> {
    return { ...(await this.#source.describe()), ...this.#extra(), ...(this.#matcher ? { matched: this.#matcher.stats() } : {}) };
  }

  close(): Promise<void> {
    return this.#source.close();
  }
}
