import { MemoryStore } from './memory.js';
import { ExactSearchUnavailable, type Hit, type IndexSpec, type VectorRecord } from './vector-store.js';

/** Vectors copied out of a service before `searchExact` answers "not measured" (≈ 300 MB at 384 dimensions). */
export const defaultExactMaxRecords = 200_000;

/** Reads every record of the open index, page by page, handing each page to `add`. */
type ReadAll = (add: (records: readonly VectorRecord[]) => Promise<void>, signal?: AbortSignal) => Promise<void>;

/**
 * Exact search for a service whose own search is ANN only (Pinecone, Weaviate HNSW): its stored vectors are read
 * back once into an in-process MemoryStore (float64 scoring, the same ordering rules as every `search`) and
 * scanned there. The copy belongs to one index state: the store calls `invalidate()` on every open, write and
 * drop. Above `maxRecords` nothing is copied and `ExactSearchUnavailable` names the setting to raise.
 */
export class ExactCopy {
  readonly #maxRecords: number;
  readonly #setting: string;
  #copy: Promise<MemoryStore> | undefined;

  constructor(maxRecords: number, setting = 'exactMaxRecords') {
    this.#maxRecords = maxRecords;
    this.#setting = setting;
  }

  invalidate(): void {
    this.#copy = undefined;
  }

  async search(spec: IndexSpec, count: number, readAll: ReadAll, vectors: readonly Float32Array[], k: number, signal?: AbortSignal): Promise<Hit[][]> {
    if (count > this.#maxRecords) {
      throw new ExactSearchUnavailable(
        `index ${spec.name} holds ${count} records > ${this.#setting} ${this.#maxRecords} (the cap on vectors copied out for exact search); raise ${this.#setting}`,
      );
    }
    if (!this.#copy) {
      const copy = load(spec, readAll, signal);
      this.#copy = copy;
      // A failed read is not remembered: the next measurement reads again.
      copy.catch(() => {
        if (this.#copy === copy) this.#copy = undefined;
      });
    }
    return (await this.#copy).searchBatch(vectors, k, signal);
  }
}

async function load(spec: IndexSpec, readAll: ReadAll, signal?: AbortSignal): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.open(spec);
  await readAll((records) => store.upsert(records), signal);
  return store;
}
