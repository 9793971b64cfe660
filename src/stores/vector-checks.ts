import { ConfigError, DataError, DimensionError } from '../shared/errors.js';
import { compareHits, type Distance, type Hit, type IndexSpec } from './vector-store.js';

/** Same rule as `IndexSpec.name`: safe as a SQL identifier suffix, a Pinecone index name and a file name. */
const indexNamePattern = /^[a-z0-9_]{1,48}$/;

export function checkIndexSpec(spec: IndexSpec): void {
  if (!indexNamePattern.test(spec.name)) {
    throw new ConfigError(`index name ${JSON.stringify(spec.name)} is not 1–48 characters of [a-z0-9_]`, {
      fix: 'use lowercase letters, digits and underscores only',
    });
  }
  if (!Number.isInteger(spec.dimensions) || spec.dimensions < 1) {
    throw new DimensionError(`index ${spec.name}: dimensions must be a positive integer, got ${spec.dimensions}`);
  }
}

/**
 * Checked before anything is sent: a wrong length is the embedder/index pairing's fault, and a backend's own
 * error for it is either cryptic or (for some services) a silent truncation.
 */
export function checkVector(vector: Float32Array, spec: IndexSpec, what: string): void {
  if (vector.length !== spec.dimensions) {
    throw new DimensionError(
      `${what} has ${vector.length} dimensions, index ${spec.name} has ${spec.dimensions}`,
      'use the embedder the index was built with, or open a new index for this embedder',
    );
  }
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]!)) {
      throw new DataError(`${what} has a non-finite value (${vector[i]}) at position ${i}`, {
        fix: 'check the embedder output; NaN and Infinity cannot be stored or compared',
      });
    }
  }
}

export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer, got ${k}`);
}

/**
 * Distance (lower is closer, as backends report it) → score (higher is closer, the one meaning `Hit.score`
 * has everywhere). `dotDistance` is pgvector's negative inner product. NaN (cosine against a zero vector)
 * becomes similarity 0, the value the hashing embedder documents for empty texts.
 */
export function scoreFromDistance(distance: Distance, value: number): number {
  if (Number.isNaN(value)) return distance === 'cosine' ? 0 : value;
  return distance === 'cosine' ? 1 - value : -value;
}


/**
 * How many hits to ask a remote service for when k are wanted. Services cut ties at the k-th place in their
 * own order (insertion, shard), not by id; a few more let `topHits` cut them by id as `compareHits` says.
 */
export function overFetch(k: number): number {
  return k + Math.max(4, Math.ceil(k / 10));
}

/** Best first by `compareHits` (score, then id), at most k. */
export function topHits(hits: readonly Hit[], k: number): Hit[] {
  return [...hits].sort(compareHits).slice(0, k);
}
