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

export interface Chunker {
  /** kind + canonical options; part of the index name so changed settings never reuse a stale index. */
  readonly fingerprint: string;
  /** Pure and offline: same document in, same chunks out, no I/O. Chunks come in document order. */
  chunk(doc: Document): Chunk[];
}

export function chunkId(docId: string, start: number, end: number): string {
  return `${docId}#${start}-${end}`;
}

/** Builds a chunk from offsets: the text is always the slice, so the span invariant holds by construction. */
export function makeChunk(doc: Document, start: number, end: number): Chunk {
  return { id: chunkId(doc.id, start, end), docId: doc.id, start, end, text: doc.text.slice(start, end) };
}

/** A chunker kind: strict options schema + factory. Registered in `registry.ts` under its file name. */
export type ChunkerDefinition = PluginDefinition<z.ZodType, Chunker>;
