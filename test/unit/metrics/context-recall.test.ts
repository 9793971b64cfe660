import { describe, expect, it } from 'vitest';
import { answerCoverage, goldPassageRecall } from '../../../src/metrics/context-recall.js';

describe('gold passage recall', () => {
  it.each([
    [['d1', 'd2', 'd3'], ['d1', 'd4'], 0.5],
    [['d1', 'd1', 'd1'], ['d1', 'd2'], 0.5], // three chunks of d1 still find one gold passage
    [['d1', 'd2'], ['d2', 'd1'], 1],
    [[], ['d1'], 0],
  ] as const)('%j retrieving %j → %d', (retrieved, gold, expected) => {
    expect(goldPassageRecall(retrieved, gold).value).toBe(expected);
  });

  it('is null without gold passages', () => {
    expect(goldPassageRecall(['d1'], []).value).toBeNull();
  });
});

describe('gold answer coverage', () => {
  it('is the share of the gold answer content tokens found in the context', () => {
    // gold content tokens: [vaccines, exposed, temperatures, reduce, potency] (were/that/may/their are stopwords)
    const gold = 'Vaccines were exposed to temperatures that may reduce their potency.';
    const context = 'Storage temperatures of vaccines were monitored; some vaccines were exposed to freezing.';
    expect(answerCoverage([gold], context).value).toBeCloseTo(3 / 5, 12);
  });

  it('takes the best gold answer and counts repeats', () => {
    expect(answerCoverage(['cold chain', 'Denver Broncos'], 'the Denver Broncos won').value).toBe(1);
    expect(answerCoverage(['cat cat dog'], 'a cat').value).toBeCloseTo(2 / 3, 12);
  });

  it('is null when there is nothing to look for, 0 when nothing is found', () => {
    expect(answerCoverage([], 'text').value).toBeNull();
    expect(answerCoverage(['it is what it is'], 'text').value).toBeNull();
    expect(answerCoverage(['Denver'], '').value).toBe(0);
  });
});
