import { compareHits, type Distance, type Hit } from './vector-store.js';

/**
 * Exact nearest neighbours in process: every query of a batch scored against blocks of stored rows, each keeping
 * its own top k. The memory store scans its whole index as one block; embedded pgvector streams its table through
 * here page by page (pgvector-flat.ts), so both give the same hits and the same scores to the last bit: float64
 * sums of float32 products, accumulated in dimension order.
 */

/** Stored rows packed row-major (`rows` × dimensions in `data`), with their ids and (for cosine) norms. */
export interface RowBlock {
  readonly rows: number;
  readonly data: Float32Array;
  /** Euclidean norm per row (`vectorNorm`); read for cosine only. */
  readonly norms: Float64Array;
  readonly ids: readonly string[];
  readonly docIds: readonly string[];
}

/**
 * Σ a[i] · b[offset + i] in float64, in index order. Unrolled by four with one accumulator: the same additions
 * in the same order as the plain loop (identical results), about twice as fast in V8 (bench/exact-search.mjs).
 */
function dotAt(a: Float32Array, b: Float32Array, offset: number, dimensions: number): number {
  let sum = 0;
  let i = 0;
  for (; i + 3 < dimensions; i += 4) {
    sum += a[i]! * b[offset + i]!;
    sum += a[i + 1]! * b[offset + i + 1]!;
    sum += a[i + 2]! * b[offset + i + 2]!;
    sum += a[i + 3]! * b[offset + i + 3]!;
  }
  for (; i < dimensions; i++) sum += a[i]! * b[offset + i]!;
  return sum;
}

/** The norm cosine divides by, for the row at `offset` (the whole vector by default). */
export function vectorNorm(vector: Float32Array, offset = 0, dimensions = vector.length): number {
  let sum = 0;
  for (let i = 0; i < dimensions; i++) sum += vector[offset + i]! * vector[offset + i]!;
  return Math.sqrt(sum);
}

function negativeEuclidean(a: Float32Array, b: Float32Array, offset: number, dimensions: number): number {
  let sum = 0;
  for (let i = 0; i < dimensions; i++) {
    const d = a[i]! - b[offset + i]!;
    sum += d * d;
  }
  return -Math.sqrt(sum);
}

/** Bounded top-k kept sorted best first: O(n log k) instead of sorting every row. */
class TopHits {
  readonly hits: Hit[] = [];
  readonly #k: number;

  constructor(k: number) {
    this.#k = k;
  }

  /** Cheap pre-check, so a row becomes a Hit object only when it can enter (a per-row object was several times slower). */
  admits(score: number): boolean {
    return this.hits.length < this.#k || score >= this.hits[this.#k - 1]!.score;
  }

  add(hit: Hit): void {
    const top = this.hits;
    if (top.length === this.#k && compareHits(hit, top[this.#k - 1]!) >= 0) return;
    let low = 0;
    let high = top.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareHits(top[middle]!, hit) < 0) low = middle + 1;
      else high = middle;
    }
    top.splice(low, 0, hit);
    if (top.length > this.#k) top.pop();
  }
}

/**
 * One exact search of many queries, fed any number of row blocks in any order: the result depends only on the
 * rows seen (score descending, ties by id ascending), not on how they were split into blocks.
 */
export class ExactScan {
  readonly #queries: readonly Float32Array[];
  readonly #norms: number[];
  readonly #tops: TopHits[];
  readonly #distance: Distance;
  readonly #dimensions: number;

  constructor(queries: readonly Float32Array[], k: number, distance: Distance, dimensions: number) {
    this.#queries = queries;
    this.#norms = queries.map((query) => vectorNorm(query));
    this.#tops = queries.map(() => new TopHits(k));
    this.#distance = distance;
    this.#dimensions = dimensions;
  }

  /** Scores every query against each row of the block before moving to the next row. */
  add(block: RowBlock, signal?: AbortSignal): void {
    const queries = this.#queries;
    const tops = this.#tops;
    const norms = this.#norms;
    const dimensions = this.#dimensions;
    const distance = this.#distance;
    const { data, ids, docIds } = block;
    for (let row = 0; row < block.rows; row++) {
      if ((row & 0x3fff) === 0) signal?.throwIfAborted();
      const offset = row * dimensions;
      for (let q = 0; q < queries.length; q++) {
        const query = queries[q]!;
        let score: number;
        if (distance === 'euclidean') score = negativeEuclidean(query, data, offset, dimensions);
        else {
          score = dotAt(query, data, offset, dimensions);
          if (distance === 'cosine') {
            const denominator = norms[q]! * block.norms[row]!;
            // A zero vector has no direction: similarity 0, as the hashing embedder documents for empty texts.
            score = denominator === 0 ? 0 : score / denominator;
          }
        }
        if (tops[q]!.admits(score)) tops[q]!.add({ id: ids[row]!, docId: docIds[row]!, score });
      }
    }
  }

  /** Per query, best first, at most k. */
  results(): Hit[][] {
    return this.#tops.map((top) => top.hits);
  }
}
