import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PairwiseView, RunSummary } from '../../report/run/summary.js';

/**
 * The candidate run's own pairwise comparisons (summary.json `pairwise`), shown beside the run-vs-run comparison so
 * a reader of `ragbench compare` also sees which of the candidate's arms differ from each other. It is a separate
 * family from the comparison's (its adjustment ran when the run was written). Undefined for runs written before
 * `pairwise` existed, one-arm runs, or a summary that does not parse (the comparison does not depend on it).
 */
export async function readWithinRun(dir: string): Promise<PairwiseView | undefined> {
  const file = join(dir, 'summary.json');
  if (!existsSync(file)) return undefined;
  let summary: RunSummary;
  try {
    summary = JSON.parse(await readFile(file, 'utf8')) as RunSummary;
  } catch {
    return undefined;
  }
  const pairwise = summary.pairwise as Partial<NonNullable<RunSummary['pairwise']>> | undefined;
  if (!pairwise || !Array.isArray(pairwise.entries) || typeof pairwise.family?.alpha !== 'number') return undefined;
  if (!Array.isArray(summary.arms) || !Array.isArray(summary.metrics)) return undefined;
  return {
    metrics: summary.metrics,
    pairwise: summary.pairwise,
    arms: summary.arms.map((arm) => ({
      arm: arm.arm,
      metrics: Object.fromEntries(Object.entries(arm.metrics).map(([metric, estimate]) => [metric, { mean: (estimate as { mean: number }).mean }])),
    })),
  };
}
