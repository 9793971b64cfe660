import { describe, expect, it } from 'vitest';
import type { Query } from '../../../../src/corpus/types.js';
import { createRetrieverPool } from '../../../../src/pipeline/index/pool.js';
import type { Hit, Retriever } from '../../../../src/retrievers/retriever.js';

/**
 * The run's retriever pool: one build per key, rankings remembered per query, so a component shared by its own arm
 * and a hybrid is retrieved once. The retriever here is a plain ranked list that counts what it is asked.
 */
function countingRetriever(options: { approximate?: boolean } = {}) {
  const asked: Array<{ ids: string[]; k: number }> = [];
  let closed = 0;
  const rank = (query: Query, k: number): Hit[] => Array.from({ length: k }, (_, i) => ({ id: `${query.id}-c${i}`, docId: `d${i}`, score: 100 - i }));
  const retriever: Retriever = {
    fingerprint: 'counting',
    persistent: false,
    open: async () => 0,
    add: async () => {},
    finish: async () => {},
    retrieve: async (query, k) => rank(query, k),
    retrieveBatch: async (queries, k) => {
      asked.push({ ids: queries.map((q) => q.id), k });
      return queries.map((query) => rank(query, k));
    },
    close: async () => void closed++,
    ...(options.approximate ? { approximation: { index: 'hnsw' } } : {}),
  };
  return { retriever, asked, closed: () => closed };
}
const queries: Query[] = [{ id: 'q1', text: 'one' }, { id: 'q2', text: 'two' }];

describe('retriever pool', () => {
  it('builds once per key; the second arm reuses it and its ingest reads as reused', async () => {
    const pool = createRetrieverPool<{ retriever: Retriever; mode: string }>();
    const inner = countingRetriever();
    let builds = 0;
    const build = async () => (builds++, { retriever: inner.retriever, mode: 'built' });
    const first = await pool.acquire('k', build, (arm) => ({ ...arm, mode: 'reused' }));
    const second = await pool.acquire('k', build, (arm) => ({ ...arm, mode: 'reused' }));
    expect([builds, first.mode, second.mode]).toEqual([1, 'built', 'reused']);
    await first.retriever.close();
    expect(inner.closed()).toBe(0);
    await pool.close();
    expect(inner.closed()).toBe(1);
  });

  it('closes a retriever when no arm holds it, and a later arm reopens it with the rankings kept', async () => {
    const pool = createRetrieverPool<{ retriever: Retriever }>();
    const inner = countingRetriever();
    let builds = 0;
    const build = async () => (builds++, { retriever: inner.retriever });
    const first = await pool.acquire('k', build, (arm) => arm);
    const ranked = await first.retriever.retrieveBatch!(queries, 10);
    await first.retriever.close();
    expect(inner.closed()).toBe(1);
    const later = await pool.acquire('k', build, (arm) => arm);
    expect(builds).toBe(2);
    expect(await later.retriever.retrieveBatch!(queries, 10)).toEqual(ranked);
    expect(inner.asked).toHaveLength(1);
    await later.retriever.close();
    await pool.close();
    expect(inner.closed()).toBe(2);
  });

  it('an exact retriever answers a repeated or shallower query from memory (a prefix), a deeper one by asking again', async () => {
    const pool = createRetrieverPool<{ retriever: Retriever }>();
    const inner = countingRetriever();
    const { retriever } = await pool.acquire('k', async () => ({ retriever: inner.retriever }), (arm) => arm);
    const deep = await retriever.retrieveBatch!(queries, 10);
    expect(await retriever.retrieveBatch!(queries, 10)).toEqual(deep);
    expect(await retriever.retrieveBatch!(queries, 3)).toEqual(deep.map((hits) => hits.slice(0, 3)));
    expect(inner.asked).toEqual([{ ids: ['q1', 'q2'], k: 10 }]);
    await retriever.retrieveBatch!([queries[0]!, { id: 'q3', text: 'three' }], 20);
    expect(inner.asked.slice(1)).toEqual([{ ids: ['q1', 'q3'], k: 20 }]);
  });

  it('an approximate retriever is reused only at the same k (its top 3 of a deeper search may differ)', async () => {
    const pool = createRetrieverPool<{ retriever: Retriever }>();
    const inner = countingRetriever({ approximate: true });
    const { retriever } = await pool.acquire('k', async () => ({ retriever: inner.retriever }), (arm) => arm);
    await retriever.retrieveBatch!(queries, 10);
    await retriever.retrieveBatch!(queries, 10);
    await retriever.retrieveBatch!(queries, 3);
    expect(inner.asked.map((a) => a.k)).toEqual([10, 3]);
    // The proxy keeps the rest of the retriever: its ANN marker, for ANN recall.
    expect(retriever.approximation).toEqual({ index: 'hnsw' });
  });

  it('a failed build is not kept: the next acquire builds again', async () => {
    const pool = createRetrieverPool<{ retriever: Retriever }>();
    await expect(pool.acquire('k', async () => Promise.reject(new Error('disk full')), (arm) => arm)).rejects.toThrow('disk full');
    const inner = countingRetriever();
    await expect(pool.acquire('k', async () => ({ retriever: inner.retriever }), (arm) => arm)).resolves.toBeDefined();
  });
});
