import type { ResolvedEval } from '../../config/load-eval.js';
import type { RunSummary } from '../../report/run/summary.js';
import { armPairs, comparePairwise, type PairwiseResult, type PairwiseSeries } from '../../stats/pairwise.js';
import type { QueryResult } from './results.js';

/**
 * summary.json `pairwise`: the run's arms compared with each other on every retrieval metric, over the queries both
 * arms scored (see src/stats/pairwise.ts). All pairs by default; each arm against `compare.baseline` when set.
 * Undefined for a one-arm run (nothing to compare).
 */
export function pairwiseOf(
  plan: Pick<ResolvedEval, 'compare' | 'bootstrap'>,
  summary: Pick<RunSummary, 'arms' | 'metrics' | 'confidence'>,
  results: readonly QueryResult[],
): PairwiseResult | undefined {
  const arms = summary.arms.map((arm) => arm.arm);
  if (arms.length < 2) return undefined;
  const byArm = new Map<string, Map<string, QueryResult>>(arms.map((arm) => [arm, new Map()]));
  for (const result of results) byArm.get(result.arm)?.set(result.queryId, result);
  const baseline = plan.compare.baseline;
  const series: PairwiseSeries[] = [];
  for (const metric of summary.metrics) {
    for (const { a, b } of armPairs(arms, baseline)) {
      const left = byArm.get(a)!;
      const right = byArm.get(b)!;
      const x: number[] = [];
      const y: number[] = [];
      for (const [queryId, result] of left) {
        const value = result.metrics[metric];
        const other = right.get(queryId)?.metrics[metric];
        if (Number.isFinite(value) && Number.isFinite(other)) {
          x.push(value!);
          y.push(other!);
        }
      }
      series.push({ metric, a, b, x, y });
    }
  }
  return comparePairwise(series, {
    kind: baseline === undefined ? 'all-pairs' : 'baseline',
    ...(baseline !== undefined ? { baseline } : {}),
    correction: plan.compare.correction,
    alpha: plan.compare.alpha,
    confidence: summary.confidence,
    permutations: plan.compare.permutations,
    seed: plan.bootstrap.seed,
  });
}
