import { chunkArray } from '../shared/batches.js';
import { canonicalJson } from '../shared/hash.js';
import { silentProgress, type Progress } from '../shared/progress.js';
import { defaultRetry, withRetry, type RetryOptions } from '../shared/retry.js';
import { checkIndexSpec, checkK, checkVector } from './vector-checks.js';
import type { Hit, IndexSpec, ShareProgress, VectorStore } from './vector-store.js';

interface ManageOptions {
  /** `advance(n)` after each stored batch of n vectors; the caller starts and ends the phase. */
  readonly progress?: Progress;
  /** Backoff for retryable ServiceErrors; `false` disables retrying. Default: `defaultRetry`. */
  readonly retry?: RetryOptions | false;
}

/**
 * Wraps any VectorStore with the behaviour every backend needs and none should re-implement (Kysely's
 * RuntimeDriver idea): batching to `capabilities.maxBatchSize`, dimension checks before anything is sent,
 * retries with backoff on retryable ServiceErrors (every store operation is idempotent, so retrying is safe),
 * progress, open-once and close-once. After close() every other call rejects.
 */
export function manageStore(store: VectorStore, options: ManageOptions = {}): VectorStore {
  const progress = options.progress ?? silentProgress;
  const retry = options.retry === false ? { ...defaultRetry, attempts: 1 } : (options.retry ?? defaultRetry);
  let spec: IndexSpec | undefined;
  let opening: { key: string; promise: Promise<void> } | undefined;
  let closing: Promise<void> | undefined;

  const attempt = <T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    if (closing) return Promise.reject(new Error(`${store.kind} store is closed`));
    return withRetry(operation, signal ? { ...retry, signal } : retry);
  };
  const current = (): IndexSpec => {
    if (!spec) throw new Error(`${store.kind} store: call open(spec) before using the index`);
    return spec;
  };

  return {
    kind: store.kind,
    capabilities: store.capabilities,

    async open(next, signal) {
      checkIndexSpec(next);
      const key = canonicalJson(next);
      if (opening?.key === key) return opening.promise;
      const promise = attempt(() => store.open(next, signal), signal).then(
        () => {
          spec = next;
        },
        (error: unknown) => {
          // A failed open may be tried again (after a fix); only a success is remembered.
          if (opening?.promise === promise) opening = undefined;
          throw error;
        },
      );
      opening = { key, promise };
      await promise;
    },

    async upsert(records, signal) {
      const index = current();
      // All checked first: a bad vector in the last batch must not leave the first batches half-stored.
      for (const record of records) checkVector(record.vector, index, `vector ${record.id}`);
      for (const batch of chunkArray(records, store.capabilities.maxBatchSize)) {
        signal?.throwIfAborted();
        await attempt(() => store.upsert(batch, signal), signal);
        progress.advance(batch.length);
      }
    },

    async finishLoad(signal) {
      current();
      return attempt(() => store.finishLoad(signal), signal);
    },

    async search(vector, k, signal): Promise<Hit[]> {
      checkVector(vector, current(), 'query vector');
      checkK(k);
      return attempt(() => store.search(vector, k, signal), signal);
    },

    ...(store.approximation ? { approximation: store.approximation } : {}),
    ...(store.searchExact
      ? {
          async searchExact(vectors: readonly Float32Array[], k: number, signal?: AbortSignal): Promise<Hit[][]> {
            const index = current();
            for (const vector of vectors) checkVector(vector, index, 'query vector');
            checkK(k);
            return attempt(() => store.searchExact!(vectors, k, signal), signal);
          },
        }
      : {}),
    ...(store.searchBatch
      ? {
          async searchBatch(vectors: readonly Float32Array[], k: number, signal?: AbortSignal, onProgress?: ShareProgress): Promise<Hit[][]> {
            const index = current();
            for (const vector of vectors) checkVector(vector, index, 'query vector');
            checkK(k);
            return attempt(() => store.searchBatch!(vectors, k, signal, onProgress), signal);
          },
        }
      : {}),

    async count(signal) {
      current();
      return attempt(() => store.count(signal), signal);
    },

    ...(store.countWithChecksum
      ? {
          async countWithChecksum(signal?: AbortSignal) {
            current();
            return attempt(() => store.countWithChecksum!(signal), signal);
          },
        }
      : {}),

    async drop(signal) {
      current();
      await attempt(() => store.drop(signal), signal);
      spec = undefined;
      opening = undefined;
    },

    async close() {
      closing ??= store.close();
      await closing;
    },
  };
}

