import { describe, expect, it } from 'vitest';
import { scoreRun } from '../../../src/metrics/evaluate-run.js';
import { parseMetricName } from '../../../src/metrics/retrieval.js';
import { chunkTokenCounter, parseSpanMetricName, spanMetricValue, withinTokenBudget } from '../../../src/metrics/spans.js';
import { budgetMetricValue } from '../../../src/metrics/token-budget.js';
import { UsageError } from '../../../src/shared/errors.js';

// "aa bb cc dd ee ff" as word tokens [0,2) [2,5) [5,8) … (a leading space inside a token, as with cl100k).
const words = { starts: Int32Array.from([0, 2, 5, 8, 11, 14]), ends: Int32Array.from([2, 5, 8, 11, 14, 17]) };
const tokensOf = chunkTokenCounter(() => words);

describe('token budgets', () => {
  it('counts a chunk by the document tokens it overlaps', () => {
    expect(tokensOf({ id: 'd#0-5', docId: 'd' })).toBe(2);
    expect(tokensOf({ id: 'd#3-9', docId: 'd' })).toBe(3); // cuts tokens 1 and 3: both count
  });

  it('takes chunks in rank order while they fit; stops at the first that would exceed the budget', () => {
    const cost = new Map([['a', 3], ['b', 2], ['c', 1]]);
    const of = (id: string) => cost.get(id)!;
    expect(withinTokenBudget(['a', 'b', 'c'], 5, of)).toEqual(['a', 'b']); // exactly met: b fits
    expect(withinTokenBudget(['a', 'b', 'c'], 4, of)).toEqual(['a']); // b would exceed; c is not slipped in
    expect(withinTokenBudget(['a', 'b', 'c'], 2, of)).toEqual([]); // first chunk larger than the budget
    expect(withinTokenBudget(['a', 'b', 'c'], 100, of)).toEqual(['a', 'b', 'c']);
  });

  it('scores recall and nDCG at a budget (hand-computed)', () => {
    // chunks of 2, 1, 2, 2 tokens: x, y (same doc as x), z, w
    const hits = [
      { id: 'x#0-5', docId: 'x' },
      { id: 'x#5-8', docId: 'x' },
      { id: 'z#0-5', docId: 'z' },
      { id: 'w#0-5', docId: 'w' },
    ];
    const relevant = new Map([['z', 2], ['w', 1], ['v', 1]]);
    const spec = (text: string) => parseMetricName(text);
    // budget 5: x (2) + x (1) + z (2) = 5, exactly met → documents x, z
    expect(budgetMetricValue(spec('recall@tokens=5'), hits, relevant, tokensOf)).toBeCloseTo(1 / 3, 12);
    // nDCG: DCG = 2 / log2(3); ideal over all judged: 2/log2(2) + 1/log2(3) + 1/log2(4)
    const ideal = 2 + 1 / Math.log2(3) + 1 / 2;
    expect(budgetMetricValue(spec('ndcg@tokens=5'), hits, relevant, tokensOf)).toBeCloseTo(2 / Math.log2(3) / ideal, 12);
    expect(budgetMetricValue(spec('mrr@tokens=5'), hits, relevant, tokensOf)).toBeCloseTo(1 / 2, 12);
    // budget 4: z would exceed it → only x: nothing relevant
    expect(budgetMetricValue(spec('recall@tokens=4'), hits, relevant, tokensOf)).toBe(0);
    // budget 1: the first chunk (2 tokens) is larger than the budget → nothing is sent
    expect(budgetMetricValue(spec('recall@tokens=1'), hits, relevant, tokensOf)).toBe(0);
    expect(budgetMetricValue(spec('hit@tokens=7'), hits, relevant, tokensOf)).toBe(1);
  });

  it('scores span recall at a budget, and 0 when the first chunk does not fit', () => {
    const hits = [{ id: 'd#0-5', docId: 'd' }, { id: 'd#5-11', docId: 'd' }];
    const spans = [{ docId: 'd', start: 5, end: 11, grade: 1 }];
    const value = (text: string) => spanMetricValue(parseSpanMetricName(text), hits, spans, () => words);
    expect(value('span-recall@tokens=4')).toBe(1); // 2 + 2 tokens: both fit, the span is covered
    expect(value('span-recall@tokens=3')).toBe(0); // only the first chunk
    expect(value('span-recall@tokens=1')).toBe(0); // nothing fits
    expect(value('token-recall@tokens=4')).toBe(1);
  });

  it('parses budget names and refuses them where there are no chunks', () => {
    expect(parseMetricName('NDCG@tokens=2000')).toEqual({ name: 'ndcg', k: Infinity, tokens: 2000, label: 'ndcg@tokens=2000' });
    expect(parseSpanMetricName('span-recall@tokens=1000')).toEqual({ name: 'span-recall', k: Infinity, tokens: 1000, label: 'span-recall@tokens=1000' });
    expect(() => parseMetricName('precision@tokens=100')).toThrow(UsageError);
    expect(() => parseMetricName('recall@tokens=0')).toThrow(UsageError);
    expect(() => scoreRun({ run: new Map([['q', ['d']]]), judgments: new Map([['q', new Map([['d', 1]])]]), metrics: ['recall@tokens=100'] })).toThrow(
      /needs the retrieved chunks/,
    );
  });
});
