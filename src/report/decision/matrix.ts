import { comparePairwise, describeFamily, type PairwiseEntry, type PairwiseResult } from '../../stats/pairwise.js';
import type { Correction } from '../../stats/paired-tests.js';

/** decide's five arms over an answer matrix, in the order a team would take the steps. */
export const matrixArmKinds = ['closed-book base model', 'few-shot', 'RAG', 'fine-tuned model', 'RAG + fine-tuned'] as const;
export type MatrixArmKind = (typeof matrixArmKinds)[number];

export interface MatrixDecisionArm {
  readonly name: MatrixArmKind;
  readonly cell: string;
  readonly model: string | null;
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
  readonly repeats: number;
  readonly repeatSd: number | null;
  /** List-price USD per answered question (one answer), null without a price. */
  readonly costPerQuery: number | null;
  readonly latencyP50: number | null;
}

/** What one step (an arm against the closed-book base model) buys, from the paired entry of the family. */
export interface MatrixStep {
  readonly arm: MatrixArmKind;
  readonly delta: number;
  readonly lower: number;
  readonly upper: number;
  readonly pAdjusted: number;
  readonly significant: boolean;
  readonly extraCostPerQuery: number | null;
  /** delta / extra cost per question: metric points gained per dollar spent on answering; null when not more expensive or unpriced. */
  readonly deltaPerDollar: number | null;
}

export interface MatrixDecision {
  readonly metric: string;
  readonly questions: number;
  readonly arms: readonly MatrixDecisionArm[];
  readonly skipped: readonly { readonly name: MatrixArmKind; readonly reason: string }[];
  readonly pairwise: PairwiseResult;
  readonly family: string;
  readonly best: MatrixArmKind | null;
  /** True when the best arm is significantly above every other arm (family-wise, paired). */
  readonly significantlyBest: boolean;
  /** The arms not significantly below the best (the best included). */
  readonly tied: readonly MatrixArmKind[];
  /** The largest queriesNeeded among the best's untied pairs; null when a pair has Δ = 0 (no size decides). */
  readonly queriesNeeded: number | null;
  readonly steps: readonly MatrixStep[];
  readonly headline: string;
  readonly evidence: readonly string[];
}

export interface MatrixDecisionInput {
  readonly metric: string;
  readonly arms: readonly (MatrixDecisionArm & { readonly perQuery: ReadonlyMap<string, number> })[];
  readonly skipped: MatrixDecision['skipped'];
  readonly alpha: number;
  readonly confidence: number;
  readonly seed: number;
  readonly correction?: Correction;
}

/**
 * The recommendation over the matrix arms: every pair of arms compared on the questions all arms scored (each
 * question's value = its mean over repeats), with paired randomization tests Holm-adjusted over all pairs and paired
 * bootstrap intervals (stats/pairwise.ts). The best arm is recommended only when it is significantly above every
 * other arm; otherwise the report names the arms tied with it and how many questions would decide.
 */
export function decideMatrix(input: MatrixDecisionInput): MatrixDecision {
  const arms = input.arms;
  const shared = [...(arms[0]?.perQuery.keys() ?? [])].filter((id) => arms.every((arm) => arm.perQuery.has(id)));
  const series = arms.flatMap((a, i) =>
    arms.slice(i + 1).map((b) => ({ metric: input.metric, a: a.name, b: b.name, x: shared.map((id) => a.perQuery.get(id)!), y: shared.map((id) => b.perQuery.get(id)!) })),
  );
  const pairwise = comparePairwise(series, { kind: 'all-pairs', correction: input.correction ?? 'holm', alpha: input.alpha, confidence: input.confidence, permutations: 'auto', seed: input.seed });
  const means = new Map(arms.map((arm) => [arm.name, shared.reduce((sum, id) => sum + arm.perQuery.get(id)!, 0) / Math.max(1, shared.length)]));
  const plain = arms.map(({ perQuery: _perQuery, ...arm }) => arm);
  const family = describeFamily(pairwise.family);
  if (arms.length < 2 || shared.length === 0) {
    return {
      metric: input.metric, questions: shared.length, arms: plain, skipped: input.skipped, pairwise, family, best: null, significantlyBest: false, tied: [], queriesNeeded: null, steps: [],
      headline: 'Cannot decide: fewer than two arms were answered on the same questions.',
      evidence: input.skipped.map((s) => `${s.name}: ${s.reason}`),
    };
  }
  const best = [...arms].sort((x, y) => means.get(y.name)! - means.get(x.name)!)[0]!.name;
  const versusBest = arms.filter((arm) => arm.name !== best).map((arm) => ({ arm: arm.name, entry: oriented(pairwise.entries, best, arm.name) }));
  const below = (e: PairwiseEntry) => e.pAdjusted < input.alpha && e.delta > 0;
  const tied = [best, ...versusBest.filter((v) => !below(v.entry)).map((v) => v.arm)];
  const open = versusBest.filter((v) => !below(v.entry));
  const queriesNeeded = open.some((v) => v.entry.queriesNeeded === null || v.entry.queriesNeeded === undefined)
    ? null
    : Math.max(0, ...open.map((v) => v.entry.queriesNeeded!));
  const steps = stepsOf(arms, pairwise.entries, input.alpha);
  const cheapestTied = cheapest(plain.filter((a) => tied.includes(a.name)));
  const headline =
    tied.length === 1
      ? `Recommend ${best}: significantly above every other arm on ${input.metric} (${family}).`
      : `No single best arm: ${tied.join(', ')} are tied on ${input.metric} (no pair of them differs significantly after ${pairwise.family.correction === 'holm' ? 'Holm' : 'BH'}).` +
        (cheapestTied ? ` The cheapest of them is ${cheapestTied}.` : '') +
        (queriesNeeded === null ? ' An observed difference of 0 means no number of questions would separate them.' : ` About ${queriesNeeded.toLocaleString('en')} questions (now ${shared.length}) would decide at the observed spread.`);
  const evidence = [
    `${shared.length} questions answered by every arm; each question's score is its mean over repeats.`,
    ...versusBest.map(({ arm, entry }) => `${best} − ${arm}: Δ ${signed(entry.delta)} [${signed(entry.ci.lower)}, ${signed(entry.ci.upper)}], Holm p ${entry.pAdjusted.toPrecision(2)}${below(entry) ? ' (significant)' : ' (tied)'}.`),
    ...steps.filter((s) => s.deltaPerDollar !== null).map((s) => `${s.arm} over the closed-book base model: ${signed(s.delta)} per question for $${s.extraCostPerQuery!.toFixed(5)} more per question (${s.deltaPerDollar!.toFixed(1)} ${input.metric} summed over questions per extra dollar${s.significant ? '' : '; not significant after Holm'}).`),
    ...input.skipped.map((s) => `${s.name} not compared: ${s.reason}`),
    ...(pairwise.warning ? [`WARNING: ${pairwise.warning}`] : []),
  ];
  return { metric: input.metric, questions: shared.length, arms: plain, skipped: input.skipped, pairwise, family, best, significantlyBest: tied.length === 1, tied, queriesNeeded: tied.length === 1 ? null : queriesNeeded, steps, headline, evidence };
}

/** The family's entry for the pair, as x − y (entries are stored in arm order). */
function oriented(entries: readonly PairwiseEntry[], x: string, y: string): PairwiseEntry {
  const direct = entries.find((e) => e.a === x && e.b === y);
  if (direct) return direct;
  const e = entries.find((e) => e.a === y && e.b === x);
  if (!e) throw new Error(`no pairwise entry for ${x} and ${y}`);
  return { ...e, a: x, b: y, delta: -e.delta, ci: { lower: -e.ci.upper, upper: -e.ci.lower }, effectSize: -e.effectSize };
}

function stepsOf(arms: MatrixDecisionInput['arms'], entries: readonly PairwiseEntry[], alpha: number): MatrixStep[] {
  const base = arms.find((arm) => arm.name === 'closed-book base model');
  if (!base) return [];
  return arms
    .filter((arm) => arm !== base)
    .map((arm) => {
      const e = oriented(entries, arm.name, base.name);
      const extra = arm.costPerQuery !== null && base.costPerQuery !== null ? arm.costPerQuery - base.costPerQuery : null;
      return {
        arm: arm.name,
        delta: e.delta,
        lower: e.ci.lower,
        upper: e.ci.upper,
        pAdjusted: e.pAdjusted,
        significant: e.pAdjusted < alpha,
        extraCostPerQuery: extra,
        deltaPerDollar: extra !== null && extra > 0 ? e.delta / extra : null,
      };
    });
}

function cheapest(arms: readonly MatrixDecisionArm[]): MatrixArmKind | undefined {
  const priced = arms.filter((a) => a.costPerQuery !== null);
  if (priced.length !== arms.length || priced.length === 0) return undefined;
  return [...priced].sort((a, b) => a.costPerQuery! - b.costPerQuery!)[0]!.name;
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
}
