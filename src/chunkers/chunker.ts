import type { z } from 'zod';
import type { PluginDefinition } from '../shared/plugin.js';
import type { Document } from '../corpus/types.js';

/**
 * ② A span of one document: `text === doc.text.slice(start, end)`.
 * Offsets are UTF-16 code units (JavaScript string indices), end exclusive.
 */
export interface Chunk {
  /** `${docId}#${start}-${end}`: stable, so re-ingesting is an idempotent upsert. */
  readonly id: string;
  readonly docId: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Splits documents into exact spans. Most kinds need only `chunk`. A kind whose boundaries depend on async work
 * (the `semantic` chunker embeds sentences) also has `prepare`: callers run `await chunker.prepare?.(batch)`
 * before chunking the documents of `batch`. `chunk` stays synchronous, pure given the prepared state, and
 * cheap, so every consumer (ingest, synth, the contract suite) keeps one simple loop and async I/O happens once
 * per batch, batched to the embedder, instead of once per document. (The alternative, `chunk` returning
 * `Chunk[] | Promise<Chunk[]>`, would make every caller await and lose the batching.)
 */
export interface Chunker {
  /** kind + canonical options; part of the index name so changed settings never reuse a stale index. */
  readonly fingerprint: string;
  /**
   * Optional async step before `chunk` on these documents. The chunker keeps what it needs for the documents of
   * the most recent call only (memory stays bounded by the batch). Idempotent; rejects with the embedder's error
   * or an AbortError.
   */
  prepare?(docs: readonly Document[], signal?: AbortSignal): Promise<void>;
  /**
   * Same document in, same chunks out, no I/O. Chunks come in document order. A kind with `prepare` throws an
   * Error when `doc` was not in the last prepared batch and needs prepared state (a caller bug, not data).
   */
  chunk(doc: Document): Chunk[];
  /** What the run manifest records beyond the settings (e.g. how a foreign splitter's strings were located). */
  describe?(): Record<string, unknown>;
}

export function chunkId(docId: string, start: number, end: number): string {
  return `${docId}#${start}-${end}`;
}

/**
 * The id of a retrieved chunk whose place in its document is unknown (an existing index's text that could not be
 * located): `${docId}#?${ref}`. Span metrics leave such chunks out (and the run reports how many there were);
 * document metrics use them like any other hit.
 */
export function unlocatedChunkId(docId: string, ref: string): string {
  return `${docId}#?${ref}`;
}

/** Builds a chunk from offsets: the text is always the slice, so the span invariant holds by construction. */
export function makeChunk(doc: Document, start: number, end: number): Chunk {
  return { id: chunkId(doc.id, start, end), docId: doc.id, start, end, text: doc.text.slice(start, end) };
}

/** A chunker kind: strict options schema + factory. Registered in `registry.ts` under its file name. */
export type ChunkerDefinition = PluginDefinition<z.ZodType, Chunker>;
