import { z } from 'zod';
import { chunkId, type Chunk } from '../chunkers/chunker.js';
import type { Query } from '../corpus/types.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import { compareHits } from '../stores/vector-store.js';
import type { Progress } from '../shared/progress.js';
import type { Hit, Retriever } from './retriever.js';
import { ChunkTermLog, Column, type Postings } from './bm25-postings.js';
import { queriesWithoutTokens, tokenizerNames, tokenizers, type Tokenizer } from './tokenize.js';

export const bm25Options = z.strictObject({
  /** Term-frequency saturation. 0.9 with b 0.4 are Anserini's defaults and the reference runs' settings. */
  k1: z.number().nonnegative().default(0.9),
  /** Length normalisation, 0 (none) to 1 (full). */
  b: z.number().min(0).max(1).default(0.4),
  tokenizer: z.enum(tokenizerNames).default('unicode'),
});

export type Bm25Options = z.output<typeof bm25Options>;

/** The lexical baseline: Okapi BM25 over chunk text, in process, rebuilt each run (nothing persists). */
export const bm25 = definePlugin({
  description: 'Okapi BM25 over chunk text, in memory (lexical baseline; with tokenizer ascii it reproduces the reference BM25 runs of the IR datasets)',
  options: bm25Options,
  async create(options: Bm25Options): Promise<Retriever> {
    return new Bm25Retriever(options);
  },
});

/**
 * Scoring, as the reference runs define it (checked to 6 decimals against all three shared datasets):
 *   score(q, d) = Σ over DISTINCT query terms t in d of  idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl))
 *   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))            (Lucene's BM25 idf: never negative)
 * N, df, |d| and avgdl count chunks and tokens of the chunks added. A repeated query word counts once.
 * Only chunks sharing at least one term with the query are returned, so a query can yield fewer than k hits.
 */
class Bm25Retriever implements Retriever {
  readonly fingerprint: string;
  readonly persistent = false;
  readonly #options: Bm25Options;
  readonly #tokenize: Tokenizer;
  readonly #termIds = new Map<string, number>();
  readonly #slots = new Map<string, number>();
  /** Per slot (dead slots included, see ChunkTermLog): chunk id and document id. */
  #ids = new ChunkIds();
  #log = new ChunkTermLog();
  #postings: Postings | undefined;

  constructor(options: Bm25Options) {
    this.#options = options;
    this.#tokenize = tokenizers[options.tokenizer];
    this.fingerprint = fingerprintOf('bm25', options);
  }

  async open(_indexKey: string, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    this.#reset();
    return 0;
  }

  async add(chunks: readonly Chunk[], signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    for (const chunk of chunks) {
      const counts = new Map<number, number>();
      const tokens = this.#tokenize(chunk.text);
      for (const token of tokens) {
        let termId = this.#termIds.get(token);
        if (termId === undefined) this.#termIds.set(token, (termId = this.#termIds.size));
        counts.set(termId, (counts.get(termId) ?? 0) + 1);
      }
      if (this.#postings) throw new Error('Bm25Retriever.add called after finish(): open() it again to re-index');
      // Idempotent by chunk id: adding a chunk again replaces it (its old slot dies) instead of counting it twice.
      const previous = this.#slots.get(chunk.id);
      if (previous !== undefined) this.#log.kill(previous);
      const slot = this.#log.append(counts, tokens.length);
      this.#slots.set(chunk.id, slot);
      this.#ids.set(slot, chunk);
    }
    this.#postings = undefined;
  }

  async finish(signal?: AbortSignal, progress?: Progress): Promise<void> {
    signal?.throwIfAborted();
    // Two passes over the chunks' term lists (document frequencies, then postings): a count worth showing at scale.
    progress?.start(`bm25 postings (chunk passes)`, 2 * this.#log.slots);
    // The build buffers and the id → slot map are only needed while adding: released as the postings are built.
    this.#slots.clear();
    this.#postings = this.#log.finalise(this.#termIds.size, this.#options.k1, this.#options.b, (slots) => progress?.advance(slots));
    this.#log = new ChunkTermLog();
  }

  async retrieve(query: Query, k: number, signal?: AbortSignal): Promise<Hit[]> {
    signal?.throwIfAborted();
    const postings = this.#postings;
    if (!postings) throw new Error('Bm25Retriever.retrieve called before finish()');
    if (k <= 0) return [];
    const { offsets, chunks, tfs, idf, norms, scores, touched } = postings;
    const k1 = this.#options.k1;
    let touchedCount = 0;
    for (const termId of this.#queryTerms(query.text)) {
      const end = offsets[termId + 1]!;
      const termIdf = idf[termId]!;
      for (let p = offsets[termId]!; p < end; p++) {
        const chunk = chunks[p]!;
        const tf = tfs[p]!;
        // Every weight is > 0 (idf > 0, tf ≥ 1), so a zero accumulator means "not seen yet".
        if (scores[chunk] === 0) touched[touchedCount++] = chunk;
        scores[chunk]! += (termIdf * tf * (k1 + 1)) / (tf + norms[chunk]!);
      }
    }
    const hits = this.#topK(postings, touchedCount, k);
    for (let i = 0; i < touchedCount; i++) scores[touched[i]!] = 0;
    return hits;
  }

  queriesWithoutTokens(queries: readonly Query[]): string[] {
    return queriesWithoutTokens(queries, this.#tokenize);
  }

  async close(): Promise<void> {
    this.#reset();
  }

  #reset(): void {
    this.#termIds.clear();
    this.#slots.clear();
    this.#ids = new ChunkIds();
    this.#log = new ChunkTermLog();
    this.#postings = undefined;
  }

  /** Known query terms, each once, in query order (a fixed order keeps float sums, and so ties, reproducible). */
  #queryTerms(text: string): number[] {
    const seen = new Set<number>();
    for (const token of this.#tokenize(text)) {
      const termId = this.#termIds.get(token);
      if (termId !== undefined) seen.add(termId);
    }
    return [...seen];
  }

  /** The k best touched chunks, score desc then chunk id asc, without sorting every candidate. */
  #topK(postings: Postings, touchedCount: number, k: number): Hit[] {
    const { scores, touched, buffer } = postings;
    let threshold = -Infinity;
    // The k-th best score is a threshold; every chunk at or above it (ties included) goes to the final sort.
    if (touchedCount > k) threshold = kthLargest(scores, touched.subarray(0, touchedCount), k, buffer);
    const hits: Hit[] = [];
    for (let i = 0; i < touchedCount; i++) {
      const slot = touched[i]!;
      const score = scores[slot]!;
      if (score < threshold) continue;
      hits.push({ ...this.#ids.get(slot), score });
    }
    return hits.sort(compareHits).slice(0, k);
  }
}

/**
 * Chunk and document ids per slot without a string per chunk: a chunk id is `docId#start-end` (chunkId), so a
 * slot keeps its document's index (chunks arrive in document order, so consecutive repeats share one string) and
 * its offsets; an id of another shape is kept as it is. ≈ 12 bytes per chunk instead of ≈ 50 (1.5M chunks at 700k
 * documents).
 */
class ChunkIds {
  readonly #docIds: string[] = [];
  readonly #docOf = new Column();
  readonly #starts = new Column();
  readonly #ends = new Column();
  readonly #irregular = new Map<number, string>();

  set(slot: number, chunk: Chunk): void {
    if (this.#docIds.at(-1) !== chunk.docId) this.#docIds.push(chunk.docId);
    this.#docOf.push(slot, this.#docIds.length - 1);
    const regular = Number.isInteger(chunk.start) && chunk.start >= 0 && chunk.end >= chunk.start && chunk.end <= 0xffffffff;
    this.#starts.push(slot, regular ? chunk.start : 0);
    this.#ends.push(slot, regular ? chunk.end : 0);
    if (!regular || chunk.id !== chunkId(chunk.docId, chunk.start, chunk.end)) this.#irregular.set(slot, chunk.id);
    else this.#irregular.delete(slot);
  }

  get(slot: number): { id: string; docId: string } {
    const docId = this.#docIds[this.#docOf.values[slot]!]!;
    return { id: this.#irregular.get(slot) ?? chunkId(docId, this.#starts.values[slot]!, this.#ends.values[slot]!), docId };
  }
}

/**
 * The k-th largest of `scores[slots[i]]` (k ≤ slots.length), with a size-k min-heap in `heap`: O(n log k),
 * and most candidates cost one comparison with the root.
 */
function kthLargest(scores: Float64Array, slots: Uint32Array, k: number, heap: Float64Array): number {
  let size = 0;
  for (let i = 0; i < slots.length; i++) {
    const score = scores[slots[i]!]!;
    if (size < k) {
      let at = size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (heap[parent]! <= score) break;
        heap[at] = heap[parent]!;
        at = parent;
      }
      heap[at] = score;
    } else if (score > heap[0]!) {
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= k) break;
        const child = left + 1 < k && heap[left + 1]! < heap[left]! ? left + 1 : left;
        if (heap[child]! >= score) break;
        heap[at] = heap[child]!;
        at = child;
      }
      heap[at] = score;
    }
  }
  return heap[0]!;
}
