import { describe, expect, it } from 'vitest';
import { formatScoredEstimate } from '../../../../src/report/run/format.js';

describe('answer metric cells', () => {
  const estimate = (scored: number, nulls: number) => ({ mean: 0.5, lower: 0.4, upper: 0.6, scored, nulls });

  it('show the null share next to every answer metric, and UNRELIABLE only above 10%', () => {
    expect(formatScoredEstimate(estimate(100, 0))).toBe('0.500 [0.400, 0.600] (null 0/100 0%)');
    expect(formatScoredEstimate(estimate(90, 10))).toBe('0.500 [0.400, 0.600] (null 10/100 10%)');
    expect(formatScoredEstimate(estimate(89, 11))).toBe('0.500 [0.400, 0.600] (null 11/100 11% UNRELIABLE)');
    expect(formatScoredEstimate({ mean: null, scored: 0, nulls: 5 })).toBe('n/a (null 5/5 100% UNRELIABLE)');
  });
});
