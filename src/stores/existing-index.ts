import type { z } from 'zod';
import { ConfigError } from '../shared/errors.js';
import type { PluginDefinition } from '../shared/plugin.js';
import type { Approximation } from './vector-store.js';

/**
 * ④ An index someone else built (their ingestion code, last night's reindex), opened read-only: nothing here
 * ever writes, updates or deletes. One file per backend (`<store>-existing.ts`), registered in registry.ts.
 */
export interface ExistingIndex {
  /** Vector dimensions the index holds, when it records them (checked against the query embedder). */
  readonly dimensions: number | undefined;
  /** The embedding model the index records (Weaviate vectorizer config), when it does. */
  readonly model: string | undefined;
  /** true when the index embeds queries itself (Weaviate nearText / hybrid): no ragbench embedder is used. */
  readonly embedsQueries: boolean;
  /**
   * Set when the index searches approximately (an ANN index): the run measures ANN recall against `searchExact`
   * where the backend has it, and says "not measured" otherwise, never "exact".
   */
  readonly approximation?: Approximation;
  /** Best first, at most k. `vector` is the query embedding (undefined when `embedsQueries`). */
  search(query: ExistingQuery, k: number, signal?: AbortSignal): Promise<ExistingHit[]>;
  /** The same search without the ANN index (read-only still), where the backend can do it: the ANN recall reference. */
  searchExact?(query: ExistingQuery, k: number, signal?: AbortSignal): Promise<ExistingHit[]>;
  /** Records (rows, vectors, objects) and, where the store can give one, a content checksum of them. */
  snapshot(signal?: AbortSignal): Promise<IndexSnapshot>;
  /** Names of what is read (table, namespace, collection, tenant), for the run manifest; never secrets. */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}

export interface ExistingQuery {
  readonly text: string;
  readonly vector: Float32Array | undefined;
}

export interface ExistingHit {
  readonly ref: string;
  readonly docId: string;
  readonly text?: string;
  readonly start?: number;
  readonly end?: number;
  /** Higher is closer (the same meaning as `Hit.score`). */
  readonly score: number;
}

export interface IndexSnapshot {
  readonly count: number;
  /** A hash over every record's id, document id, text and vector; undefined when the store cannot list them. */
  readonly checksum?: string;
}

export type ExistingIndexDefinition = PluginDefinition<z.ZodType, Promise<ExistingIndex>>;

/** A metadata path written `a.b.c` → its keys; keys are data, sent as parameters or compared, never spliced. */
export function metadataPath(path: string): string[] {
  const keys = path.split('.');
  if (keys.some((key) => key === '')) throw new ConfigError(`metadata path ${JSON.stringify(path)} has an empty key`, { fix: 'write it as key or key.subkey' });
  return keys;
}

/** Reads `a.b.c` out of a metadata object; non-strings become strings, absent stays undefined. */
export function readPath(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A finite number from a metadata value (offsets may be stored as strings), else undefined. */
export function offsetOf(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
}
