import { z } from 'zod';
import { IndexMismatchError } from '../shared/errors.js';
import { definePlugin } from '../shared/plugin.js';
import { checkIndexSpec, checkK, checkVector } from './vector-checks.js';
import { ExactScan, vectorNorm } from './exact-scan.js';
import { distances, type Hit, type IndexSpec, type VectorRecord, type VectorStore } from './vector-store.js';

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
    this.norms[row] = vectorNorm(record.vector);
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

  /** One pass over the stored vectors for the whole batch (exact-scan.ts, shared with embedded pgvector). */
  async searchBatch(vectors: readonly Float32Array[], k: number, signal?: AbortSignal): Promise<Hit[][]> {
    const index = this.#open();
    for (const vector of vectors) checkVector(vector, index.spec, 'query vector');
    checkK(k);
    if (k === 0) return vectors.map(() => []);
    const scan = new ExactScan(vectors, k, index.spec.distance, index.spec.dimensions);
    scan.add({ rows: index.ids.length, data: index.data, norms: index.norms, ids: index.ids, docIds: index.docIds }, signal);
    return scan.results();
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
