import { describe, expect, it } from 'vitest';
import { annRecallColumn, annRecallWarnings, formatScoredEstimate, pipelineNotes } from '../../../../src/report/run/format.js';

describe('answer metric cells', () => {
  const estimate = (scored: number, nulls: number) => ({ mean: 0.5, lower: 0.4, upper: 0.6, scored, nulls });

  it('show the null share next to every answer metric, and UNRELIABLE only above 10%', () => {
    expect(formatScoredEstimate(estimate(100, 0))).toBe('0.500 [0.400, 0.600] (null 0/100 0%)');
    expect(formatScoredEstimate(estimate(90, 10))).toBe('0.500 [0.400, 0.600] (null 10/100 10%)');
    expect(formatScoredEstimate(estimate(89, 11))).toBe('0.500 [0.400, 0.600] (null 11/100 11% UNRELIABLE)');
    expect(formatScoredEstimate({ mean: null, scored: 0, nulls: 5 })).toBe('n/a (null 5/5 100% UNRELIABLE)');
  });
});

describe('hybrid and rerank notes', () => {
  const ann = (recall: number | null) => ({ index: 'pgvector hnsw (m 16)', raise: 'hnsw.efSearch', k: 10, queries: 50, minRecall: 0.95, recall, ...(recall !== null && recall < 0.95 ? { warning: `ANN recall@10 ${recall} < 0.95` } : {}) });
  const arm = (name: string, extra: Record<string, unknown>) =>
    ({ arm: `c × ${name}`, chunker: 'c', retriever: name, queries: 50, chunks: 9, indexKey: 'k', ingest: { mode: 'reused', seconds: 0 }, retrieveSeconds: 0, metrics: {}, ...extra }) as never;
  const summary = (arms: unknown[]) => ({ runId: 'r', evalName: 'e', createdAt: '', corpus: { name: 'x', fingerprint: 'f', documents: 1, queries: 1, judgedQueries: 1 }, metrics: [], depth: 10, confidence: 0.95, arms }) as never;

  it('a hybrid with an approximate component is not "exact": its cell is the lowest component recall, and its warning names the component', () => {
    const hybrid = arm('hybrid', { components: [{ retriever: 'bm25', approximate: null }, { retriever: 'local-hnsw', approximate: 'pgvector hnsw (m 16)', annRecall: ann(0.9) }] });
    const exactHybrid = arm('rrf', { components: [{ retriever: 'bm25', approximate: null }, { retriever: 'local', approximate: null }] });
    const column = annRecallColumn(summary([hybrid, exactHybrid]))!;
    expect(column.cell(hybrid)).toBe('fused 0.900 (!)');
    expect(column.cell(exactHybrid)).toBe('exact');
    expect(annRecallWarnings(summary([hybrid]))).toEqual(['c × hybrid, component local-hnsw: ANN recall@10 0.9 < 0.95']);
    expect(pipelineNotes(summary([hybrid]))).toEqual(['fused: c × hybrid = bm25 (exact) + local-hnsw (approximate: pgvector hnsw (m 16); ANN recall@10 0.900)']);
    // Only exact arms: no column at all.
    expect(annRecallColumn(summary([exactHybrid]))).toBeUndefined();
  });

  it("a reranked arm's note has its pairs, cache hits, seconds and cost, or why the cost is unknown", () => {
    const usage = { requests: 3, pairs: 1200, cachedPairs: 300, usd: null, reason: 'no price set' };
    const reranked = arm('bm25-rerank', { rerank: { reranker: 'http m at http://h', fingerprint: 'f', candidates: 50, seconds: 1.234, usage } });
    expect(pipelineNotes(summary([reranked]))).toEqual([
      'reranked: c × bm25-rerank by http m at http://h, top 50 candidates: 1,200 pairs scored (300 from cache) in 1.23 s, 3 requests, cost unknown (no price set)',
    ]);
  });
});
