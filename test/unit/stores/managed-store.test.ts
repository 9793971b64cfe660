import { describe, expect, it } from 'vitest';
import { DimensionError, ServiceError } from '../../../src/shared/errors.js';
import type { Progress } from '../../../src/shared/progress.js';
import { manageStore } from '../../../src/stores/managed-store.js';
import type { Hit, IndexSpec, VectorRecord, VectorStore } from '../../../src/stores/vector-store.js';

/** A recording fake: this tests the wrapper, not a backend (those run in the contract suite). */
function fakeStore(options: { maxBatchSize?: number; failures?: (ServiceError | Error)[] } = {}) {
  const calls: string[] = [];
  const batches: number[] = [];
  const failures = [...(options.failures ?? [])];
  const maybeFail = () => {
    const failure = failures.shift();
    if (failure) throw failure;
  };
  const store: VectorStore = {
    kind: 'fake',
    capabilities: { maxBatchSize: options.maxBatchSize ?? 3, distances: ['cosine'], readsOwnWrites: true, persistent: false },
    async open(spec: IndexSpec) {
      calls.push(`open ${spec.name}`);
      maybeFail();
    },
    async upsert(records: readonly VectorRecord[]) {
      calls.push('upsert');
      maybeFail();
      batches.push(records.length);
    },
    async finishLoad() {
      calls.push('finishLoad');
    },
    async search(): Promise<Hit[]> {
      calls.push('search');
      maybeFail();
      return [{ id: 'a', docId: 'd', score: 1 }];
    },
    async count() {
      calls.push('count');
      return batches.reduce((a, b) => a + b, 0);
    },
    async drop() {
      calls.push('drop');
    },
    async close() {
      calls.push('close');
    },
  };
  return { store, calls, batches };
}

const spec: IndexSpec = { name: 'idx', dimensions: 2, distance: 'cosine' };
const records = (n: number, dimensions = 2): VectorRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `r${i}`, docId: `d${i}`, vector: new Float32Array(dimensions).fill(i + 1) }));
const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
const retryable = () => new ServiceError('fake', 'HTTP 503', { retryable: true, status: 503 });

describe('manageStore', () => {
  it('splits upserts into batches of capabilities.maxBatchSize and reports progress per batch', async () => {
    const { store, batches } = fakeStore({ maxBatchSize: 3 });
    const advanced: number[] = [];
    const progress: Progress = { start() {}, advance: (n) => void advanced.push(n), done() {} };
    const managed = manageStore(store, { progress });
    await managed.open(spec);
    await managed.upsert(records(8));
    expect(batches).toEqual([3, 3, 2]);
    expect(advanced).toEqual([3, 3, 2]);
  });

  it('checks every vector before sending any batch', async () => {
    const { store, calls } = fakeStore();
    const managed = manageStore(store);
    await managed.open(spec);
    await expect(managed.upsert([...records(5), ...records(1, 3)])).rejects.toThrow(DimensionError);
    await expect(managed.search(new Float32Array(5), 3)).rejects.toMatchObject({ code: 'E_DIMENSION' });
    expect(calls).toEqual(['open idx']);
  });

  it('retries retryable ServiceErrors with backoff, then succeeds', async () => {
    const { store, calls, batches } = fakeStore({ failures: [retryable(), retryable()] });
    const managed = manageStore(store, { retry: fastRetry });
    await managed.open(spec);
    await managed.upsert(records(2));
    expect(calls).toEqual(['open idx', 'open idx', 'open idx', 'upsert']);
    expect(batches).toEqual([2]);
  });

  it('gives up after the configured attempts and rethrows the last error', async () => {
    const { store, calls } = fakeStore({ failures: [retryable(), retryable(), retryable(), retryable()] });
    const managed = manageStore(store, { retry: fastRetry });
    await expect(managed.open(spec)).rejects.toMatchObject({ code: 'E_SERVICE', retryable: true });
    expect(calls.filter((c) => c === 'open idx')).toHaveLength(3);
  });

  it('does not retry non-retryable errors', async () => {
    const { store, calls } = fakeStore({ failures: [new ServiceError('fake', 'HTTP 401', { status: 401 })] });
    const managed = manageStore(store, { retry: fastRetry });
    await expect(managed.open(spec)).rejects.toThrow('HTTP 401');
    expect(calls).toEqual(['open idx']);
  });

  it('opens once for the same spec (also concurrently), again after a failure or for another spec', async () => {
    const { store, calls } = fakeStore({ failures: [new Error('boom')] });
    const managed = manageStore(store, { retry: false });
    await expect(managed.open(spec)).rejects.toThrow('boom');
    await Promise.all([managed.open(spec), managed.open({ ...spec })]);
    await managed.open(spec);
    await managed.open({ ...spec, name: 'other' });
    expect(calls).toEqual(['open idx', 'open idx', 'open other']);
  });

  it('requires open before use', async () => {
    const managed = manageStore(fakeStore().store);
    await expect(managed.search(new Float32Array(2), 1)).rejects.toThrow(/open\(spec\)/);
    await expect(managed.count()).rejects.toThrow(/open\(spec\)/);
  });

  it('closes the inner store once; later calls reject', async () => {
    const { store, calls } = fakeStore();
    const managed = manageStore(store);
    await managed.open(spec);
    await Promise.all([managed.close(), managed.close()]);
    await managed.close();
    expect(calls.filter((c) => c === 'close')).toHaveLength(1);
    await expect(managed.count()).rejects.toThrow(/closed/);
  });

  it('passes search results and counts through', async () => {
    const managed = manageStore(fakeStore().store);
    await managed.open(spec);
    await managed.upsert(records(4));
    expect(await managed.search(new Float32Array([1, 0]), 1)).toEqual([{ id: 'a', docId: 'd', score: 1 }]);
    expect(await managed.count()).toBe(4);
  });
});
