import { z } from 'zod';
import { IndexMismatchError } from '../shared/errors.js';
import { definePlugin } from '../shared/plugin.js';
import { checkIndexSpec, checkK, checkVector } from './vector-checks.js';
import { compareHits, distances, type Hit, type IndexSpec, type VectorRecord, type VectorStore } from './vector-store.js';

const memoryOptions = z.strictObject({});

/**
 * Exact brute-force search in process memory; nothing survives the process. The reference the approximate
 * backends are checked against: scores are computed in float64 over every stored vector.
 */
export const memory = definePlugin({
  description: 'Exact in-process search (brute force, not persistent); the reference for exactness',
  options: memoryOptions,
  async create(): Promise<VectorStore> {
    return new MemoryStore();
  },
});

/** One index: vectors packed row-major in one Float32Array (no per-vector objects for the GC to walk). */
class FlatIndex {
  readonly spec: IndexSpec;
  ids: string[] = [];
  docIds: string[] = [];
  rows = new Map<string, number>();
  data: Float32Array;
  /** Euclidean norms per row, kept for cosine so a search costs one dot product per row. */
  norms: Float64Array;

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.data = new Float32Array(spec.dimensions * 64);
    this.norms = new Float64Array(64);
  }

  put(record: VectorRecord): void {
    let row = this.rows.get(record.id);
    if (row === undefined) {
      row = this.ids.length;
      this.grow(row + 1);
      this.rows.set(record.id, row);
      this.ids.push(record.id);
      this.docIds.push(record.docId);
    } else {
      this.docIds[row] = record.docId;
    }
    this.data.set(record.vector, row * this.spec.dimensions);
    this.norms[row] = Math.sqrt(dot(record.vector, record.vector, 0));
  }

  private grow(rows: number): void {
    if (rows <= this.norms.length) return;
    const capacity = Math.max(rows, this.norms.length * 2);
    const data = new Float32Array(capacity * this.spec.dimensions);
    data.set(this.data);
    const norms = new Float64Array(capacity);
    norms.set(this.norms);
    this.data = data;
    this.norms = norms;
  }

  score(query: Float32Array, queryNorm: number, row: number): number {
    const offset = row * this.spec.dimensions;
    switch (this.spec.distance) {
      case 'dot':
        return dot(query, this.data, offset);
      case 'cosine': {
        const denominator = queryNorm * this.norms[row]!;
        // A zero vector has no direction: similarity 0, as the hashing embedder documents for empty texts.
        return denominator === 0 ? 0 : dot(query, this.data, offset) / denominator;
      }
      case 'euclidean': {
        let sum = 0;
        for (let i = 0; i < query.length; i++) {
          const d = query[i]! - this.data[offset + i]!;
          sum += d * d;
        }
        return -Math.sqrt(sum);
      }
    }
  }
}

function dot(a: Float32Array, b: Float32Array, offset: number): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[offset + i]!;
  return sum;
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

export class MemoryStore implements VectorStore {
  readonly kind = 'memory';
  readonly capabilities = {
    maxBatchSize: 10_000,
    distances,
    readsOwnWrites: true,
    persistent: false,
  } as const;
  readonly #indexes = new Map<string, FlatIndex>();
  #current: FlatIndex | undefined;

  async open(spec: IndexSpec): Promise<void> {
    checkIndexSpec(spec);
    const existing = this.#indexes.get(spec.name);
    if (existing && (existing.spec.dimensions !== spec.dimensions || existing.spec.distance !== spec.distance)) {
      throw new IndexMismatchError(
        `index ${spec.name} exists with ${existing.spec.dimensions} dimensions and ${existing.spec.distance} distance, ` +
          `asked for ${spec.dimensions} and ${spec.distance}`,
        'choose another index name, or drop the index first',
      );
    }
    this.#current = existing ?? new FlatIndex({ ...spec });
    this.#indexes.set(spec.name, this.#current);
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const index = this.#open();
    // Check all before storing any, so a bad batch leaves the index as it was.
    for (const record of records) checkVector(record.vector, index.spec, `vector ${record.id}`);
    for (const record of records) index.put(record);
  }

  async finishLoad(): Promise<void> {
    this.#open();
  }

  async search(vector: Float32Array, k: number): Promise<Hit[]> {
    return (await this.searchBatch([vector], k))[0]!;
  }

  /**
   * Scores every query of the batch against a row before moving to the next row: one pass over the stored
   * vectors per batch. bench/exact-search.mjs found no gain over one query at a time in JS (the per-row
   * arithmetic, not memory, is the cost), so this is for the callers' convenience, not speed.
   */
  async searchBatch(vectors: readonly Float32Array[], k: number, signal?: AbortSignal): Promise<Hit[][]> {
    const index = this.#open();
    for (const vector of vectors) checkVector(vector, index.spec, 'query vector');
    checkK(k);
    if (k === 0) return vectors.map(() => []);
    const norms = vectors.map((vector) => Math.sqrt(dot(vector, vector, 0)));
    const tops = vectors.map(() => new TopHits(k));
    const { dimensions, distance } = index.spec;
    const data = index.data;
    for (let row = 0; row < index.ids.length; row++) {
      if ((row & 0xffff) === 0) signal?.throwIfAborted();
      const offset = row * dimensions;
      for (let q = 0; q < vectors.length; q++) {
        // The dot product inlined (not index.score()): the hot loop of every exact embedded search.
        const query = vectors[q]!;
        let score = 0;
        if (distance === 'euclidean') score = index.score(query, norms[q]!, row);
        else {
          for (let i = 0; i < dimensions; i++) score += query[i]! * data[offset + i]!;
          if (distance === 'cosine') {
            const denominator = norms[q]! * index.norms[row]!;
            score = denominator === 0 ? 0 : score / denominator;
          }
        }
        if (tops[q]!.admits(score)) tops[q]!.add({ id: index.ids[row]!, docId: index.docIds[row]!, score });
      }
    }
    return tops.map((top) => top.hits);
  }

  async count(): Promise<number> {
    return this.#open().ids.length;
  }

  async drop(): Promise<void> {
    const index = this.#open();
    this.#indexes.delete(index.spec.name);
    this.#current = undefined;
  }

  async close(): Promise<void> {
    this.#indexes.clear();
    this.#current = undefined;
  }

  #open(): FlatIndex {
    if (!this.#current) throw new Error('memory store: call open(spec) before using the index');
    return this.#current;
  }
}
