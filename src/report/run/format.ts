import { unreliableNullShare } from '../../metrics/answers.js';
import type { ArmSummary, MetricEstimate, RunSummary, ScoredEstimate } from './summary.js';

/** `0.412 [0.371, 0.455]` (counts: `578 [570, 585]`), with `mark` (e.g. `*` or bold) on the mean. */
export function formatEstimate(estimate: MetricEstimate, mark: (mean: string) => string = (mean) => mean): string {
  // Counts (e.g. context-tokens) read better without decimals; scores in [0, 1] keep three.
  const digits = Math.abs(estimate.mean) >= 10 ? 0 : 3;
  return `${mark(estimate.mean.toFixed(digits))} [${estimate.lower.toFixed(digits)}, ${estimate.upper.toFixed(digits)}]`;
}

/** An answer metric's cell: like a retrieval cell, plus its null share (and UNRELIABLE above the threshold). */
export function formatScoredEstimate(estimate: ScoredEstimate | undefined): string {
  if (!estimate) return 'n/a';
  if (estimate.mean === null) return `n/a (${formatNullShare(estimate)})`;
  return `${formatEstimate(estimate)} (${formatNullShare(estimate)})`;
}

/** A span metric's cell: null only means a query without span labels, counted when there are any. */
function formatSpanEstimate(estimate: ScoredEstimate | undefined): string {
  if (!estimate) return 'n/a';
  if (estimate.mean === null) return `n/a (${estimate.nulls} unscorable)`;
  return `${formatEstimate(estimate)}${estimate.nulls > 0 ? ` (${estimate.nulls} unscorable)` : ''}`;
}

/** `null 3/60 5%`, with `UNRELIABLE` when the share is above `unreliableNullShare`. */
function formatNullShare(estimate: ScoredEstimate): string {
  const total = estimate.scored + estimate.nulls;
  const share = total === 0 ? 0 : estimate.nulls / total;
  return `null ${estimate.nulls}/${total} ${Math.round(share * 100)}%${share > unreliableNullShare ? ' UNRELIABLE' : ''}`;
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

/** The per-arm tables that follow the retrieval table: span metrics, then answers. */
export function scoredSections(summary: RunSummary): {
  title: string;
  note: string;
  metrics: readonly string[];
  pick: (arm: ArmSummary) => Readonly<Record<string, ScoredEstimate>> | undefined;
  /** A cell: answer metrics always show their null share; span metrics only their unlabelled queries. */
  cell: (estimate: ScoredEstimate | undefined) => string;
}[] {
  const sections = [];
  if (summary.spanMetrics?.length) {
    sections.push({
      title: 'Spans',
      note: 'Character overlap of the top-k chunks with the labelled relevant spans (overlapping chunk text counted once); context-tokens ≈ characters / 4 sent to a generator.',
      metrics: summary.spanMetrics,
      pick: (arm: ArmSummary) => arm.spans,
      cell: formatSpanEstimate,
    });
  }
  if (summary.answerMetrics?.length) {
    sections.push({
      title: 'Answers',
      note:
        `Answer metrics over the queries each could score; "null n/N" counts the queries a metric could not score (judge error, invalid JSON, no gold answer), ` +
        `and a metric with more than ${unreliableNullShare * 100}% nulls is marked UNRELIABLE.`,
      metrics: summary.answerMetrics,
      pick: (arm: ArmSummary) => arm.answers,
      cell: formatScoredEstimate,
    });
  }
  return sections;
}

/**
 * The ANN recall column, present when any arm searched through an ANN index; exact arms show `exact`. A hybrid arm
 * with approximate components shows the lowest of their recalls, marked `fused` (the note under the table names them).
 */
export function annRecallColumn(summary: RunSummary): { header: string; cell: (arm: ArmSummary) => string } | undefined {
  const approximateParts = (arm: ArmSummary) => (arm.components ?? []).flatMap((c) => (c.approximate !== null ? [c.annRecall] : []));
  const measured = summary.arms.flatMap((arm) => [arm.annRecall, ...approximateParts(arm)]).filter((ann) => ann !== undefined);
  if (measured.length === 0) return undefined;
  const ks = [...new Set(measured.map((ann) => ann.k))];
  return {
    header: ks.length === 1 ? `ann-recall@${ks[0]}` : 'ann-recall',
    cell: (arm) => {
      const parts = approximateParts(arm);
      if (parts.length > 0) {
        const recalls = parts.map((part) => part?.recall ?? null);
        if (recalls.some((recall) => recall === null)) return 'fused, not measured';
        const lowest = Math.min(...(recalls as number[]));
        return `fused ${lowest.toFixed(3)}${parts.some((part) => lowest < part!.minRecall) ? ' (!)' : ''}`;
      }
      const ann = arm.annRecall;
      if (!ann) return 'exact';
      if (ann.recall === null) return 'not measured';
      return `${ann.recall.toFixed(3)}${ann.recall < ann.minRecall ? ' (!)' : ''}`;
    },
  };
}

/** One line per arm whose ANN recall is below its threshold or could not be measured. */
export function annRecallWarnings(summary: RunSummary): string[] {
  return summary.arms.flatMap((arm) => [
    ...(arm.annRecall?.warning ? [`${arm.arm}: ${arm.annRecall.warning}`] : []),
    ...(arm.components ?? []).flatMap((c) => (c.annRecall?.warning ? [`${arm.arm}, component ${c.retriever}: ${c.annRecall.warning}`] : [])),
  ]);
}

/**
 * The retrieval-depth column, when any arm has queries short of the target: `<10 docs` with `short/queries` per
 * arm, so a document metric at k computed over fewer than k documents is never silent. undefined otherwise.
 */
export function shortColumn(summary: RunSummary): { header: string; cell: (arm: ArmSummary) => string } | undefined {
  if (!summary.arms.some((arm) => (arm.depth?.shortOfDocuments ?? 0) > 0)) return undefined;
  const target = summary.arms.find((arm) => arm.depth)!.depth!;
  return { header: `<${target.targetDocuments} docs`, cell: (arm) => (arm.depth ? `${arm.depth.shortOfDocuments}/${arm.queries}` : 'n/a') };
}

/** One line on how deep retrieval went and what the short column means. */
export function depthNote(summary: RunSummary): string {
  const target = summary.arms.find((arm) => arm.depth)?.depth;
  const how =
    summary.maxDepth !== undefined
      ? `retrieved deeper (${summary.depth} chunks, doubling up to maxDepth ${summary.maxDepth}) until each query had ${target?.targetDocuments ?? 'k'} distinct documents` +
        (target?.targetTokens !== undefined ? ` and ${target.targetTokens} tokens of chunks` : '')
      : `a fixed depth of ${summary.depth} chunks per query (depth: in the eval)`;
  const short = shortColumn(summary);
  const tokenShort = summary.arms.filter((arm) => (arm.depth?.shortOfTokens ?? 0) > 0);
  const tokens = tokenShort.length > 0 ? ` Short of the token budget: ${tokenShort.map((arm) => `${arm.arm} ${arm.depth!.shortOfTokens}/${arm.queries}`).join(', ')}.` : '';
  return short
    ? `Retrieval: ${how}; column "${short.header}" counts the queries still short of that, whose document metrics at k saw fewer than k documents.${tokens}`
    : `Retrieval: ${how}; every query had enough documents.${tokens}`;
}

/**
 * One line per hybrid arm (its components, which are approximate and their ANN recall) and per rerank stage (the
 * model, candidates, pairs scored and cached, seconds and cost): what the table's numbers were produced by.
 */
export function pipelineNotes(summary: RunSummary): string[] {
  const lines: string[] = [];
  for (const arm of summary.arms) {
    if (arm.components) {
      const parts = arm.components.map((c) => {
        if (c.approximate === null) return `${c.retriever} (exact)`;
        const recall = c.annRecall?.recall;
        return `${c.retriever} (approximate: ${c.approximate}; ANN recall${recall === null || recall === undefined ? ' not measured' : `@${c.annRecall!.k} ${recall.toFixed(3)}`})`;
      });
      lines.push(`fused: ${arm.arm} = ${parts.join(' + ')}`);
    }
    if (arm.rerank) {
      const { usage } = arm.rerank;
      const usd = usage.usd === null ? `cost unknown (${usage.reason ?? 'no price'})` : `$${usage.usd.toFixed(4)}`;
      lines.push(
        `reranked: ${arm.arm} by ${arm.rerank.reranker}, top ${arm.rerank.candidates} candidates: ${usage.pairs.toLocaleString('en')} pairs scored ` +
          `(${usage.cachedPairs.toLocaleString('en')} from cache) in ${arm.rerank.seconds.toFixed(2)} s, ${usage.requests} requests, ${usd}`,
      );
    }
  }
  return lines;
}
