import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/pipeline/run/evaluate.js';
import type { Hit, Retriever } from '../../../../src/retrievers/retriever.js';

/**
 * A retriever over a fixed chunk ranking: document i has `perDoc` consecutive chunks, ranked document by document
 * (d0's chunks first), as a small-chunk arm ranks several chunks of one document together. Records the depths asked.
 */
function rankedRetriever(documents: number, perDoc: number, asked: number[] = []): Retriever {
  const hits: Hit[] = [];
  for (let d = 0; d < documents; d++) for (let c = 0; c < perDoc; c++) hits.push({ id: `d${d}#${c * 10}-${c * 10 + 10}`, docId: `d${d}`, score: -hits.length });
  return {
    fingerprint: 'test',
    persistent: false,
    open: async () => 0,
    add: async () => {},
    finish: async () => {},
    retrieve: async (_query, k) => {
      asked.push(k);
      return hits.slice(0, k);
    },
    close: async () => {},
  };
}

const queries = [{ id: 'q1', text: 'q' }];
// Relevant: the 10th document in the ranking. With 4 chunks per document, 10 chunks reach only d0..d2.
const judgments = new Map([['q1', new Map([['d9', 1]])]]);

describe('evaluate: retrieval depth', () => {
  it('by default retrieves deeper until the query has k distinct documents (old behaviour: 10 chunks = 3 documents)', async () => {
    const asked: number[] = [];
    const evaluation = await evaluate({
      queries,
      judgments,
      retriever: rankedRetriever(20, 4, asked),
      depth: 10,
      target: { documents: 10 },
      maxDepth: 1000,
      metrics: ['recall@10', 'ndcg@10'],
      includeUnjudged: false,
    });
    expect(asked).toEqual([10, 20, 40]);
    expect(evaluation.run.get('q1')!.length).toBe(10);
    // d9 is the 10th distinct document: found at rank 10, so recall@10 = 1 (it was 0 over 10 chunks = 3 documents).
    expect(evaluation.perQuery.get('q1')!['recall@10']).toBe(1);
    expect(evaluation.depth).toEqual({ targetDocuments: 10, shortOfDocuments: 0, maxChunks: 40 });
  });

  it('keeps an explicit chunk budget (no maxDepth) and counts the queries short of k documents', async () => {
    const asked: number[] = [];
    const evaluation = await evaluate({
      queries,
      judgments,
      retriever: rankedRetriever(20, 4, asked),
      depth: 10,
      target: { documents: 10 },
      metrics: ['recall@10'],
      includeUnjudged: false,
    });
    expect(asked).toEqual([10]);
    expect(evaluation.run.get('q1')!.length).toBe(3);
    expect(evaluation.perQuery.get('q1')!['recall@10']).toBe(0);
    expect(evaluation.depth.shortOfDocuments).toBe(1);
  });

  it('stops at the cap, and when the retriever has no more chunks, and reports the query as short', async () => {
    const capped: number[] = [];
    const atCap = await evaluate({
      queries, judgments, retriever: rankedRetriever(20, 4, capped), depth: 10, target: { documents: 10 }, maxDepth: 25, metrics: ['recall@10'], includeUnjudged: false,
    });
    expect(capped).toEqual([10, 20, 25]);
    expect(atCap.depth).toMatchObject({ shortOfDocuments: 1, maxChunks: 25 });
    const exhausted: number[] = [];
    const small = await evaluate({
      queries, judgments, retriever: rankedRetriever(5, 4, exhausted), depth: 10, target: { documents: 10 }, maxDepth: 1000, metrics: ['recall@10'], includeUnjudged: false,
    });
    // 20 chunks in all: the 40-chunk request came back with 20, so there is nothing deeper to ask for.
    expect(exhausted).toEqual([10, 20, 40]);
    expect(small.depth.shortOfDocuments).toBe(1);
  });

  it('deepens until the largest token budget is filled and scores recall@tokens over the chunks that fit', async () => {
    // Every chunk is 10 characters = 10 one-character tokens here.
    const chars = { starts: Int32Array.from({ length: 100 }, (_, i) => i), ends: Int32Array.from({ length: 100 }, (_, i) => i + 1) };
    const evaluation = await evaluate({
      queries,
      judgments,
      retriever: rankedRetriever(20, 4, []),
      depth: 10,
      target: { documents: 1, tokens: 360 },
      maxDepth: 1000,
      tokenOffsetsOf: () => chars,
      metrics: ['recall@tokens=360', 'recall@tokens=350'],
      includeUnjudged: false,
    });
    // 360 tokens = 36 chunks = documents d0..d8; d9 starts at chunk 37: not within either budget.
    expect(evaluation.perQuery.get('q1')).toEqual({ 'recall@tokens=360': 0, 'recall@tokens=350': 0 });
    const wider = await evaluate({
      queries, judgments, retriever: rankedRetriever(20, 4, []), depth: 10, target: { documents: 1, tokens: 370 }, maxDepth: 1000,
      tokenOffsetsOf: () => chars, metrics: ['recall@tokens=370'], includeUnjudged: false,
    });
    // exactly 370 tokens = 37 chunks: the 37th (d9's first) fits a budget it meets exactly.
    expect(wider.perQuery.get('q1')!['recall@tokens=370']).toBe(1);
    expect(wider.depth).toMatchObject({ targetTokens: 370, shortOfTokens: 0 });
  });
});

describe('evaluate: query batches', () => {
  const many = Array.from({ length: 200 }, (_, i) => ({ id: `q${i}`, text: 'q' }));
  const batchingRetriever = (queryBatchSize: number | undefined, calls: number[]): Retriever => ({
    ...rankedRetriever(20, 1),
    ...(queryBatchSize ? { queryBatchSize } : {}),
    retrieveBatch: async (batch, k) => {
      calls.push(batch.length);
      return batch.map(() => Array.from({ length: k }, (_, i) => ({ id: `d${i}`, docId: `d${i}`, score: -i })));
    },
  });
  const run = (retriever: Retriever) =>
    evaluate({ queries: many, judgments: new Map(many.map((q) => [q.id, new Map([['d1', 1]])])), retriever, depth: 10, metrics: ['recall@10'], includeUnjudged: false });

  it('hands a retriever that reads its whole index per call (queryBatchSize) all the queries in one call', async () => {
    const calls: number[] = [];
    await run(batchingRetriever(4096, calls));
    expect(calls).toEqual([200]);
  });

  it('moves the query count through one long call as the retriever reports its share (a streamed pass)', async () => {
    const advances: number[] = [];
    const progress = { start: () => {}, advance: (n: number) => advances.push(n), done: () => {} };
    const retriever: Retriever = {
      ...batchingRetriever(4096, []),
      retrieveBatch: async (batch, k, _signal, onProgress) => {
        for (const share of [0.25, 0.5, 0.5, 1]) onProgress?.(share);
        return batch.map(() => Array.from({ length: k }, (_, i) => ({ id: `d${i}`, docId: `d${i}`, score: -i })));
      },
    };
    await evaluate({ queries: many, judgments: new Map([['q0', new Map([['d1', 1]])]]), retriever, depth: 10, metrics: ['recall@10'], includeUnjudged: false, progress });
    // 50 at a quarter, 50 more at half, nothing for a repeated share, the rest at the end: 200 in all, never more.
    expect(advances).toEqual([50, 50, 100, 0]);
  });

  it('otherwise retrieves in batches of 64', async () => {
    const calls: number[] = [];
    await run(batchingRetriever(undefined, calls));
    expect(calls).toEqual([64, 64, 64, 8]);
  });
});
