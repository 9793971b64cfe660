import { meanOf, pairedBootstrapDiff, type BootstrapOptions } from '../../stats/bootstrap.js';
import { holmAdjust, pairedRandomizationTest } from '../../stats/paired-tests.js';
import type { ArmComparison } from './summary.js';

/** arm name → queryId → the primary metric's score (null: could not be scored). */
type PerQueryScores = ReadonlyMap<string, ReadonlyMap<string, number | null>>;

/**
 * Paired comparisons `a − b` on the questions both arms could score: the mean difference with its paired-bootstrap
 * CI, the two-sided paired randomization p, and that p Holm-adjusted across every pair given (one family: the
 * recommendation reads several of them at once). A pair with no shared scored question is left out.
 */
export function compareArmPairs(
  pairs: readonly { readonly a: string; readonly b: string }[],
  scores: PerQueryScores,
  options: { readonly metric: string; readonly bootstrap: BootstrapOptions },
): ArmComparison[] {
  const tested = pairs.flatMap(({ a, b }) => {
    const left = scores.get(a);
    const right = scores.get(b);
    if (!left || !right) return [];
    const x: number[] = [];
    const y: number[] = [];
    for (const [queryId, value] of left) {
      const other = right.get(queryId);
      if (value === null || other === null || other === undefined) continue;
      x.push(value);
      y.push(other);
    }
    if (x.length === 0) return [];
    const p = pairedRandomizationTest(x, y, { seed: options.bootstrap.seed ?? 42 }).pValue;
    return [{ a, b, metric: options.metric, n: x.length, meanA: meanOf(x), meanB: meanOf(y), difference: pairedBootstrapDiff(x, y, options.bootstrap), p }];
  });
  const adjusted = holmAdjust(tested.map((t) => t.p));
  return tested.map((t, i) => ({ ...t, pHolm: adjusted[i]! }));
}

/**
 * recall@k for k = 1..depth, averaged over queries: the share of a query's judged-relevant documents found at rank
 * ≤ k, from the 1-based ranks a run recorded (a document counts once, at its best chunk). Queries without relevant
 * documents are left out, as the retrieval metrics do by default.
 */
export function recallCurve(
  relevantRanks: readonly Readonly<Record<string, number>>[],
  relevantCounts: readonly number[],
  depth: number,
): number[] {
  const curve = new Array<number>(depth).fill(0);
  let queries = 0;
  relevantRanks.forEach((ranks, i) => {
    const total = relevantCounts[i] ?? 0;
    if (total === 0) return;
    queries++;
    for (const rank of Object.values(ranks)) for (let k = rank; k <= depth; k++) curve[k - 1] = (curve[k - 1] ?? 0) + 1 / total;
  });
  return queries === 0 ? curve : curve.map((sum) => sum / queries);
}
