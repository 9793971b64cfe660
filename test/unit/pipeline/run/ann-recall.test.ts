import { describe, expect, it } from 'vitest';
import type { AnnRecallConfig } from '../../../../src/config/eval-config.js';
import type { Query } from '../../../../src/corpus/types.js';
import { annRecallVerdict, measureAnnRecall } from '../../../../src/pipeline/run/ann-recall.js';
import type { Retriever } from '../../../../src/retrievers/retriever.js';

/**
 * An approximate retriever over a fixed ranking: the exact top-k of every query is c0…c9; the ANN search misses
 * the last `misses(query)` of them (returning other chunks in their place).
 */
function retrieverMissing(misses: (queryId: string) => number, raise = 'hnsw.efSearch'): Retriever {
  const hit = (id: string) => ({ id, docId: id, score: 1 });
  const exact = () => Array.from({ length: 10 }, (_, i) => hit(`c${i}`));
  return {
    approximation: { index: 'pgvector hnsw (m 16)', raise, exactly: 'index: none' },
    retrieve: async (query: Query) => exact().map((h, i) => (i >= 10 - misses(query.id) ? hit(`other${i}`) : h)),
    retrieveExact: async (queries: readonly Query[]) => queries.map(() => exact()),
  } as unknown as Retriever;
}

const queries = (n: number): Query[] => Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: `query ${i}` }));
const config = (n: number): AnnRecallConfig => ({ queries: n, k: 10, minRecall: 0.95, gate: false, seed: 42 });

describe('measureAnnRecall', () => {
  it('recall 1.000 over 15 sampled queries is not enough to show ≥ 0.95, and says how many queries would be', async () => {
    const ann = (await measureAnnRecall(retrieverMissing(() => 0), queries(15), config(15)))!;
    expect(ann).toMatchObject({ recall: 1, upper: 1, verdict: 'inconclusive', queriesNeeded: 72 });
    expect(ann.lower).toBeCloseTo(0.782, 3);
    expect(ann.warning).toBe(
      'ANN recall@10 1.000 [0.782, 1.000] over 15 sampled queries (pgvector hnsw (m 16)): not enough sampled queries to show ≥ 0.95 ' +
        '(about 72 would, the eval has 15; raise annRecall.queries)',
    );
  });

  it('the same perfect index over 100 sampled queries meets the threshold, without a warning', async () => {
    const ann = (await measureAnnRecall(retrieverMissing(() => 0), queries(300), config(100)))!;
    expect(ann).toMatchObject({ recall: 1, queries: 100, verdict: 'meets' });
    expect(ann.lower).toBeGreaterThanOrEqual(0.95);
    expect(ann.warning).toBeUndefined();
  });

  it('an upper bound under the threshold says the index is below it and names the setting to raise', async () => {
    const ann = (await measureAnnRecall(retrieverMissing(() => 5), queries(40), config(40)))!;
    expect(ann).toMatchObject({ recall: 0.5, verdict: 'below' });
    expect(ann.upper!).toBeLessThan(0.95);
    expect(ann.warning).toMatch(/^ANN recall@10 0\.500 \[0\.\d{3}, 0\.\d{3}\] over 40 sampled queries \(pgvector hnsw \(m 16\)\): below 0\.95; .*raise hnsw\.efSearch/);
  });

  it('a mean just under the threshold over few queries is inconclusive, not "below"', async () => {
    // 10 of 15 queries perfect, 5 miss one chunk in ten: mean 1 − 0.5/15 = 0.967, above 0.95 but on 15 queries.
    const ann = (await measureAnnRecall(retrieverMissing((id) => (Number(id.slice(1)) < 5 ? 1 : 0)), queries(15), config(15)))!;
    expect(ann.recall).toBeCloseTo(1 - 0.5 / 15, 12);
    expect(ann.verdict).toBe('inconclusive');
    expect(ann.warning).toMatch(/not enough sampled queries to show ≥ 0\.95 \(about \d+ would/);
  });

  it('annRecallVerdict reads the bounds: lower ≥ threshold meets, upper < threshold is below, else inconclusive', () => {
    expect(annRecallVerdict({ lower: 0.95, upper: 1 }, 0.95)).toBe('meets');
    expect(annRecallVerdict({ lower: 0.9, upper: 0.949 }, 0.95)).toBe('below');
    expect(annRecallVerdict({ lower: 0.9, upper: 0.95 }, 0.95)).toBe('inconclusive');
  });
});
