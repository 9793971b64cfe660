import { describe, expect, it } from 'vitest';
import {
  hit,
  map,
  mrr,
  ndcg,
  parseMetricName,
  precision,
  recall,
  retrievalMetrics,
  rprecision,
  toDocRanking,
  type RetrievalMetric,
} from '../../../src/metrics/retrieval.js';
import { UsageError } from '../../../src/shared/errors.js';

const judged = (entries: Record<string, number>): ReadonlyMap<string, number> => new Map(Object.entries(entries));
const log2 = Math.log2;

// Three relevant docs with grades 3, 2, 1; the run finds `a` at rank 2 and `c` at rank 4.
const graded = judged({ a: 3, b: 2, c: 1 });
const ranked = ['x', 'a', 'y', 'c', 'z'];

describe('metrics on one query, computed by hand', () => {
  it.each<[string, RetrievalMetric, number, number]>([
    ['recall@1', recall, 1, 0],
    ['recall@2', recall, 2, 1 / 3],
    ['recall@5', recall, 5, 2 / 3],
    ['recall@10 (k beyond the list)', recall, 10, 2 / 3],
    ['precision@1', precision, 1, 0],
    ['precision@2', precision, 2, 1 / 2],
    ['precision@5', precision, 5, 2 / 5],
    ['precision@10 divides by k, not by the 5 retrieved (trec_eval P_10)', precision, 10, 2 / 10],
    ['hit@1', hit, 1, 0],
    ['hit@2', hit, 2, 1],
    ['mrr@1: first relevant (rank 2) is beyond k', mrr, 1, 0],
    ['mrr@2', mrr, 2, 1 / 2],
    ['mrr (no cut)', mrr, Infinity, 1 / 2],
    ['map (no cut): (1/2 + 2/4) / 3 relevant', map, Infinity, (1 / 2 + 2 / 4) / 3],
    ['map@2 divides by all 3 relevant, not min(R, k)', map, 2, 1 / 2 / 3],
    ['map@3', map, 3, 1 / 2 / 3],
    ['rprec: R = 3, one relevant in the top 3; k is ignored', rprecision, 1, 1 / 3],
    ['ndcg@1', ndcg, 1, 0],
    ['ndcg@2: ideal is grades 3, 2', ndcg, 2, 3 / log2(3) / (3 + 2 / log2(3))],
    ['ndcg@5', ndcg, 5, (3 / log2(3) + 1 / log2(5)) / (3 + 2 / log2(3) + 1 / log2(4))],
    ['ndcg (no cut)', ndcg, Infinity, (3 / log2(3) + 1 / log2(5)) / (3 + 2 / log2(3) + 1 / log2(4))],
  ])('%s', (_name, metric, k, expected) => {
    expect(metric(ranked, graded, k)).toBeCloseTo(expected, 12);
  });
});

describe('edge cases', () => {
  const metrics = Object.entries(retrievalMetrics);

  it.each(metrics)('%s is 0 for a query with no relevant docs', (_name, metric) => {
    expect(metric(['a', 'b'], new Map(), 10)).toBe(0);
    expect(metric(['a', 'b'], judged({ a: 0, b: -1 }), 10)).toBe(0);
  });

  it.each(metrics)('%s is 0 for an empty ranking', (_name, metric) => {
    expect(metric([], graded, 10)).toBe(0);
  });

  it.each(metrics)('%s is 1 for a perfect ranking', (_name, metric) => {
    const perfect = ['a', 'b', 'c'];
    const k = _name === 'precision' ? 3 : 10;
    expect(metric(perfect, graded, k)).toBeCloseTo(1, 12);
  });

  it.each(metrics)('%s rejects a ranking with a repeated doc id', (_name, metric) => {
    expect(() => metric(['a', 'x', 'a'], graded, 10)).toThrow(/duplicate/);
  });

  it.each([0, -1, 1.5, NaN])('rejects k = %s', (k) => {
    expect(() => recall(ranked, graded, k)).toThrow(RangeError);
  });

  it('precision needs a finite k', () => {
    expect(() => precision(ranked, graded, Infinity)).toThrow(RangeError);
  });

  it('treats grade ≤ 0 entries as not relevant', () => {
    const withZeros = judged({ a: 1, b: 0, c: -1 });
    expect(recall(['b', 'c', 'a'], withZeros, 10)).toBe(1);
    expect(mrr(['b', 'c', 'a'], withZeros, 10)).toBeCloseTo(1 / 3, 12);
    expect(rprecision(['b', 'c', 'a'], withZeros, 10)).toBe(0);
  });

  it('mrr@k is 0 when the first relevant doc is just beyond k, 1/rank at k', () => {
    const late = ['x', 'y', 'z', 'a'];
    expect(mrr(late, graded, 3)).toBe(0);
    expect(mrr(late, graded, 4)).toBe(1 / 4);
    expect(hit(late, graded, 3)).toBe(0);
  });

  it('nDCG normalises by the ideal of ALL judged relevant docs, not only the retrieved ones', () => {
    // Four relevant docs, one retrieved at rank 1. Normalising by the retrieved docs' own ideal would give 1.
    const fourRelevant = judged({ a: 1, b: 1, c: 1, d: 1 });
    const ideal = 1 + 1 / log2(3) + 1 / log2(4) + 1 / log2(5);
    expect(ndcg(['a'], fourRelevant, 10)).toBeCloseTo(1 / ideal, 12);
    expect(ndcg(['a'], fourRelevant, 10)).toBeLessThan(0.5);
  });

  it('nDCG uses grades as linear gains: the better doc first scores higher', () => {
    const grades = judged({ a: 3, c: 1 });
    const best = ndcg(['a', 'c'], grades, 10);
    const swapped = ndcg(['c', 'a'], grades, 10);
    expect(best).toBeCloseTo(1, 12);
    expect(swapped).toBeCloseTo((1 + 3 / log2(3)) / (3 + 1 / log2(3)), 12);
  });

  it('nDCG@k cuts the ideal ranking at k too (trec_eval ndcg_cut)', () => {
    // Ideal@1 is the single best grade (3); the run puts grade 2 first: 2 / 3.
    expect(ndcg(['b'], graded, 1)).toBeCloseTo(2 / 3, 12);
  });

  it('keeps the given order for docs with equal scores (ties are resolved when the run is read)', () => {
    const hits = [
      { id: 'b#0-5', docId: 'b', score: 1 },
      { id: 'a#0-5', docId: 'a', score: 1 },
    ];
    expect(toDocRanking(hits)).toEqual(['b', 'a']);
  });
});

describe('toDocRanking', () => {
  it('counts a document once, at the rank of its best chunk', () => {
    const hits = [
      { id: 'a#0-10', docId: 'a', score: 0.9 },
      { id: 'x#0-10', docId: 'x', score: 0.8 },
      { id: 'a#10-20', docId: 'a', score: 0.7 },
      { id: 'b#0-10', docId: 'b', score: 0.6 },
      { id: 'b#10-20', docId: 'b', score: 0.5 },
    ];
    expect(toDocRanking(hits)).toEqual(['a', 'x', 'b']);
  });

  it('recall@k never exceeds 1 when several chunks of the relevant docs are retrieved', () => {
    const hits = ['a', 'a', 'a', 'b', 'b'].map((docId, i) => ({ docId, id: `${docId}#${i}` }));
    const relevant = judged({ a: 1, b: 1 });
    expect(recall(toDocRanking(hits), relevant, 5)).toBe(1);
    expect(precision(toDocRanking(hits), relevant, 5)).toBe(2 / 5);
  });
});

describe('parseMetricName', () => {
  it.each([
    ['recall@10', 'recall', 10, 'recall@10'],
    ['precision@5', 'precision', 5, 'precision@5'],
    ['P@5', 'precision', 5, 'precision@5'],
    ['hit@10', 'hit', 10, 'hit@10'],
    ['success@10', 'hit', 10, 'hit@10'],
    ['mrr@10', 'mrr', 10, 'mrr@10'],
    ['mrr', 'mrr', Infinity, 'mrr'],
    ['NDCG@10', 'ndcg', 10, 'ndcg@10'],
    ['ndcg', 'ndcg', Infinity, 'ndcg'],
    ['map@100', 'map', 100, 'map@100'],
    ['map', 'map', Infinity, 'map'],
    ['rprec', 'rprec', Infinity, 'rprec'],
    ['r-precision', 'rprec', Infinity, 'rprec'],
    [' recall@3 ', 'recall', 3, 'recall@3'],
  ])('%s → %s, k = %s', (text, name, k, label) => {
    expect(parseMetricName(text)).toEqual({ name, k, label });
  });

  it.each(['recall', 'precision', 'hit', 'recall@0', 'ndcg@-1', 'ndcg@1.5', 'rprec@10', 'f1@10', 'bleu', '', 'recall@'])(
    'rejects %j with a UsageError listing the valid names',
    (text) => {
      expect(() => parseMetricName(text)).toThrow(UsageError);
      expect(() => parseMetricName(text)).toThrow(expect.objectContaining({ fix: expect.stringContaining('recall@k') }));
    },
  );
});
