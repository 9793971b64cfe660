import { describe, expect, it } from 'vitest';
import { medianOf, perQueryMeans, repeatedEstimate } from '../../../src/stats/repeats.js';

describe('repeatedEstimate (queries × repeats)', () => {
  // q1 [1,0,1] → 2/3, sd √(((1/3)² + (2/3)² + (1/3)²)/2) = √(1/3) = 0.57735; q2 [0,0] → 0, sd 0; q3 [1,1,null] → 1, sd 0;
  // q4 [null,null] → left out. mean (2/3 + 0 + 1)/3 = 5/9; repeatSd (0.57735 + 0 + 0)/3 = 0.19245; nulls 3 of 10.
  const scores = [[1, 0, 1], [0, 0], [1, 1, null], [null, null]];

  it('averages per-query means over scored repeats and the within-query SD, and counts nulls over all answers', () => {
    const e = repeatedEstimate(scores, { seed: 1 });
    expect(e.mean).toBeCloseTo(5 / 9, 12);
    expect(e.repeatSd).toBeCloseTo(Math.sqrt(1 / 3) / 3, 12);
    expect(e.nullShare).toBeCloseTo(0.3, 12);
    expect(e.queries).toBe(3);
  });

  it('bootstraps over queries, not over answers: three per-query means {0, 2/3, 1} give the 95% interval [0, 1]', () => {
    // A resample is all-0 (or all-1) with probability 1/27 = 3.7% > 2.5%, so both percentiles sit at the extremes.
    const e = repeatedEstimate(scores, { seed: 7, resamples: 4000 });
    expect(e.lower).toBe(0);
    expect(e.upper).toBe(1);
    // Flattened, the 7 scored answers would be all-0 with probability (3/7)^7 = 0.27% only: a narrower (wrong) interval.
  });

  it('repeat noise that averages out within every query leaves a zero-width interval but a positive repeatSd', () => {
    const e = repeatedEstimate([[0, 1], [1, 0]], { seed: 3 });
    expect([e.mean, e.lower, e.upper]).toEqual([0.5, 0.5, 0.5]);
    expect(e.repeatSd).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('one repeat has no spread (repeatSd null); nothing scored has no mean', () => {
    expect(repeatedEstimate([[1], [0]]).repeatSd).toBeNull();
    expect(repeatedEstimate([[null], [null]])).toEqual({ mean: null, lower: null, upper: null, queries: 0, repeatSd: null, nullShare: 1 });
  });

  it('perQueryMeans and medianOf', () => {
    expect([...perQueryMeans(new Map([['a', [1, 0]], ['b', [null]], ['c', [1, null]]]))]).toEqual([['a', 0.5], ['c', 1]]);
    expect(medianOf([5, 1, 3, 2])).toBe(2.5);
    expect(medianOf([])).toBeNull();
  });
});
