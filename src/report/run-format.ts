import type { AnswerEstimate, MetricEstimate, RunSummary } from './run-summary.js';

/** `0.412 [0.371, 0.455]`, with `mark` (e.g. `*` or bold) on the mean. */
export function formatEstimate(estimate: MetricEstimate, mark: (mean: string) => string = (mean) => mean): string {
  return `${mark(estimate.mean.toFixed(3))} [${estimate.lower.toFixed(3)}, ${estimate.upper.toFixed(3)}]`;
}

/** An answer metric's cell: like a retrieval cell, plus how many queries could not be scored. */
export function formatAnswerEstimate(estimate: AnswerEstimate | undefined): string {
  if (!estimate) return 'n/a';
  if (estimate.mean === null) return `n/a (${estimate.nulls} unscorable)`;
  const nulls = estimate.nulls > 0 ? ` (${estimate.nulls} unscorable)` : '';
  return `${formatEstimate(estimate)}${nulls}`;
}

/** The best mean of a metric over the arms, for marking it. */
export function bestMean(summary: RunSummary, metric: string): number {
  return Math.max(...summary.arms.map((arm) => arm.metrics[metric]?.mean ?? -Infinity));
}

/** `12 model calls (3 cached), 4,210 input + 880 output tokens, $0.0021` — or why there is no cost. */
export function formatCost(cost: NonNullable<RunSummary['cost']>): string {
  const usd = cost.usd === null ? `cost unknown (${cost.reason ?? 'no price'})` : `$${cost.usd.toFixed(4)}`;
  return (
    `${cost.calls} model calls (${cost.cachedCalls} cached), ${cost.inputTokens.toLocaleString('en')} input + ` +
    `${cost.outputTokens.toLocaleString('en')} output tokens, ${usd}`
  );
}
