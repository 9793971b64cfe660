import { describe, expect, it } from 'vitest';
import { scoreRun } from '../../../src/metrics/evaluate-run.js';
import { DataError, UsageError } from '../../../src/shared/errors.js';

const judgments = new Map([
  ['q1', new Map([['a', 1], ['b', 1]])],
  ['q2', new Map([['c', 2]])],
  ['q3', new Map<string, number>()], // judged, all grades ≤ 0
]);

describe('scoreRun', () => {
  it('scores every judged query and averages over them', () => {
    const run = new Map([
      ['q1', ['a', 'x']],
      ['q2', ['x', 'c']],
      ['q3', ['a']],
    ]);
    const scores = scoreRun({ run, judgments, metrics: ['recall@1', 'mrr', 'success@2'] });
    expect(scores.metrics).toEqual(['recall@1', 'mrr', 'hit@2']);
    expect(scores.perQuery.get('q1')).toEqual({ 'recall@1': 0.5, mrr: 1, 'hit@2': 1 });
    expect(scores.perQuery.get('q2')).toEqual({ 'recall@1': 0, mrr: 0.5, 'hit@2': 1 });
    // A query judged only with grades ≤ 0 counts, with 0, as in trec_eval.
    expect(scores.perQuery.get('q3')).toEqual({ 'recall@1': 0, mrr: 0, 'hit@2': 0 });
    expect(scores.queries).toBe(3);
    expect(scores.mean['recall@1']).toBeCloseTo(0.5 / 3, 12);
    expect(scores.mean.mrr).toBeCloseTo(1.5 / 3, 12);
    expect(scores.mean['hit@2']).toBeCloseTo(2 / 3, 12);
  });

  it('scores a judged query missing from the run as 0 and lists it (trec_eval -c)', () => {
    const scores = scoreRun({ run: new Map([['q1', ['a', 'b']]]), judgments, metrics: ['recall@10'] });
    expect(scores.missingFromRun).toEqual(['q2', 'q3']);
    expect(scores.perQuery.get('q2')).toEqual({ 'recall@10': 0 });
    expect(scores.mean['recall@10']).toBeCloseTo(1 / 3, 12);
  });

  it('with requireAllJudged, a judged query missing from the run is a DataError', () => {
    expect(() =>
      scoreRun({ run: new Map([['q1', ['a']]]), judgments, metrics: ['mrr'], requireAllJudged: true }),
    ).toThrow(/no results for 2 judged queries: q2, q3/);
  });

  it('excludes run queries that are not judged, unless includeUnjudged scores them as 0', () => {
    const run = new Map([
      ['q1', ['a', 'b']],
      ['q2', ['c']],
      ['q3', []],
      ['extra', ['a']],
    ]);
    const excluded = scoreRun({ run, judgments, metrics: ['recall@10'] });
    expect(excluded.unjudgedInRun).toEqual(['extra']);
    expect(excluded.queries).toBe(3);
    expect(excluded.perQuery.has('extra')).toBe(false);

    const included = scoreRun({ run, judgments, metrics: ['recall@10'], includeUnjudged: true });
    expect(included.queries).toBe(4);
    expect(included.perQuery.get('extra')).toEqual({ 'recall@10': 0 });
    expect(included.mean['recall@10']).toBeCloseTo(2 / 4, 12);
  });

  it('refuses a run whose query ids match none of the qrels (an id mismatch would otherwise score 0)', () => {
    const run = new Map([['Q-1', ['a']]]);
    expect(() => scoreRun({ run, judgments, metrics: ['mrr'] })).toThrow(DataError);
    expect(() => scoreRun({ run, judgments, metrics: ['mrr'] })).toThrow(/none of the run's 1 query ids/);
  });

  it('refuses to score with no judged queries', () => {
    expect(() => scoreRun({ run: new Map([['q1', ['a']]]), judgments: new Map(), metrics: ['mrr'] })).toThrow(/no judged queries/);
    // Issue 11 #9: an empty run printed all zeros with exit 0.
    expect(() => scoreRun({ run: new Map(), judgments, metrics: ['mrr'] })).toThrow(/the run is empty/);
  });

  it('computes each metric once when aliases repeat it', () => {
    const scores = scoreRun({ run: new Map([['q1', ['a']]]), judgments, metrics: ['hit@1', 'success@1', 'HIT@1'] });
    expect(scores.metrics).toEqual(['hit@1']);
  });

  it('rejects an unknown metric with a UsageError', () => {
    expect(() => scoreRun({ run: new Map([['q1', ['a']]]), judgments, metrics: ['f1@3'] })).toThrow(UsageError);
  });
});
