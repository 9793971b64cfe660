import type { ArmComparison, DecisionArm, DecisionSettings, FailureCategory, Recommendation, Verdict } from './summary.js';

/**
 * The recommendation of `ragbench decide`, from per-arm estimates and paired comparisons on the primary metric.
 * Pure. B is the best retrieved arm (highest primary mean); `x ≈ y` means the CI of the paired difference lies
 * inside ±margin (TOST-style equivalence; with the report's 95% interval this is conservative); `x ≫ y` means the
 * difference exceeds the margin and its Holm-adjusted randomization p is below alpha. The first rule that holds wins:
 *
 * 1. prompt-only: closed-book ≈ B (or closed-book ≫ B) and the closed-book mean ≥ goodEnough;
 * 2. fine-tune-or-stronger-model: with the gold passages the primary mean is below goodEnough, or faithfulness
 *    (faithfulness-llm, else faithfulness-lexical) is below faithfulEnough: context cannot fix behaviour;
 * 3. improve-retrieval: gold ≫ B (named, with its context-recall gap);
 * 4. rag: B ≫ closed-book and B ≈ gold;
 * 5. otherwise inconclusive, with `leaning` = the rule the point estimates alone would pick.
 *
 * A heuristic answerer (`heuristicAnswerer`, e.g. the offline extractive baseline) decides nothing about model
 * behaviour: rules 1, 2 and 4 are claims about what a model does with or without context, and a rule's answers (a
 * regex picking "yes") are no evidence for them. Then the verdict is inconclusive ("run with an LLM answerer") and
 * the evidence keeps only retrieval-side findings: context recall and the gold-vs-retrieved comparison.
 *
 * Small samples: a comparison the rules read that is not clearly better or worse, and whose CI half-width exceeds
 * the margin, cannot show "≈" at all; it is flagged with the number of questions that would shrink the half-width
 * to the margin (width ∝ 1/√n). The CI width decides, not a fixed count.
 */
export type RuleArm = Pick<DecisionArm, 'name' | 'kind' | 'metrics' | 'failureCounts' | 'failing'> & Partial<Pick<DecisionArm, 'chunker' | 'retriever'>>;

export interface RuleInput {
  readonly settings: Pick<DecisionSettings, 'primaryMetric' | 'goodEnough' | 'equivalenceMargin' | 'alpha' | 'faithfulEnough' | 'contextK' | 'confidence'>;
  readonly arms: readonly RuleArm[];
  readonly comparisons: readonly ArmComparison[];
  /** The answerer's description when it is a heuristic, not a language model (Answerer.heuristic). */
  readonly heuristicAnswerer?: string;
}

interface Predicates {
  equivalent(c: ArmComparison): boolean;
  superior(c: ArmComparison): boolean;
  inferior(c: ArmComparison): boolean;
}

export function recommend(input: RuleInput): Recommendation {
  const { settings, arms, comparisons } = input;
  const m = settings.equivalenceMargin;
  const primary = settings.primaryMetric;
  const closed = arms.find((arm) => arm.kind === 'closed-book');
  const gold = arms.find((arm) => arm.kind === 'gold');
  const best = bestBy(arms.filter((arm) => arm.kind === 'retrieved'), primary);
  const cbVsB = best && closed ? comparisons.find((c) => c.a === best.name && c.b === closed.name) : undefined;
  const gVsB = best && gold ? comparisons.find((c) => c.a === gold.name && c.b === best.name) : undefined;
  if (!closed || !gold || !best || !cbVsB || !gVsB || meanOf(closed, primary) === null || meanOf(gold, primary) === null) {
    return {
      verdict: 'inconclusive',
      headline: 'Not enough data to decide: the closed-book, retrieved and gold arms must all be scored on the same questions.',
      evidence: [`${primary} could not be compared across closed-book, retrieved and gold answers (an arm is missing or unscorable).`],
      smallSample: false,
      smallSampleNotes: [],
    };
  }
  const strict: Predicates = {
    equivalent: (c) => readComparison(c, settings) === 'about the same',
    superior: (c) => readComparison(c, settings) === 'clearly better',
    inferior: (c) => readComparison(c, settings) === 'clearly worse',
  };
  const point: Predicates = {
    equivalent: (c) => Math.abs(c.difference.mean) <= m,
    superior: (c) => c.difference.mean > m,
    inferior: (c) => c.difference.mean < -m,
  };
  const context = { input, closed, gold, best, cbVsB, gVsB };
  // Width matters where it kept a comparison from being read either way; a clear difference is clear at any width.
  const notes = [cbVsB, gVsB].filter((c) => !strict.superior(c) && !strict.inferior(c)).flatMap((c) => smallSampleNote(c, m, settings.confidence));
  const sample = { smallSample: notes.length > 0, smallSampleNotes: notes };
  if (input.heuristicAnswerer) return heuristicRecommendation(context, input.heuristicAnswerer, sample);
  const verdict = firstRule(context, strict);
  if (verdict) return { verdict, headline: headlines[verdict](best), evidence: evidenceFor(verdict, context), ...sample };
  const leaning = firstRule(context, point);
  return {
    verdict: 'inconclusive',
    headline: `Not enough evidence to decide yet${leaning ? ` (the numbers lean towards: ${verdictNames[leaning]})` : ''}.`,
    evidence: [
      `Retrieval vs closed-book: ${describe(cbVsB, settings)}.`,
      `Gold passages vs retrieval: ${describe(gVsB, settings)}.`,
      ...(notes.length > 0 ? ['The intervals are wider than the equivalence margin, so "about the same" cannot be shown with this many questions.'] : []),
    ],
    ...(leaning ? { leaning } : {}),
    ...sample,
  };
}

/**
 * With a heuristic answerer: inconclusive about behaviour, and only what retrieval did (context recall of the
 * retrieved arms, and whether the gold passages beat retrieval when the same rule reads them).
 */
function heuristicRecommendation(
  ctx: RuleContext,
  answerer: string,
  sample: Pick<Recommendation, 'smallSample' | 'smallSampleNotes'>,
): Recommendation {
  const { settings, arms } = ctx.input;
  const lines = [`The answerer is a heuristic, not a language model: ${answerer}.`];
  const retrieved = arms.filter((a) => a.kind === 'retrieved');
  for (const arm of retrieved) {
    const recall = arm.metrics['context-recall'];
    if (recall && recall.mean !== null) {
      lines.push(`Retrieval: ${arm.name} puts ${pct(recall.mean)} of the gold passages in its top ${settings.contextK} chunks (context-recall ${formatEstimate(recall)}).`);
    }
  }
  lines.push(
    `Retrieval: gold passages vs the best retrieval (${ctx.best.name}), both read by the same heuristic: ${describe(ctx.gVsB, settings)}` +
      (readComparison(ctx.gVsB, settings) === 'clearly better' ? ' — better passages help, so retrieval has room to improve.' : '.'),
    'Model behaviour (prompt-only, RAG or fine-tuning): inconclusive: run with an LLM answerer. A heuristic\'s scores ' +
      'without context or with the gold passages say nothing about what a model would do.',
  );
  return {
    verdict: 'inconclusive',
    headline: 'Inconclusive about the model: these answers come from a heuristic, so only the retrieval findings stand. Run with an LLM answerer to decide between prompt-only, RAG and fine-tuning.',
    evidence: lines,
    ...sample,
    heuristicAnswerer: answerer,
  };
}

interface RuleContext {
  readonly input: RuleInput;
  readonly closed: RuleArm;
  readonly gold: RuleArm;
  readonly best: RuleArm;
  readonly cbVsB: ArmComparison;
  readonly gVsB: ArmComparison;
}

function firstRule(ctx: RuleContext, is: Predicates): Exclude<Verdict, 'inconclusive'> | undefined {
  const { settings } = ctx.input;
  const closedMean = meanOf(ctx.closed, settings.primaryMetric)!;
  if ((is.equivalent(ctx.cbVsB) || is.inferior(ctx.cbVsB)) && closedMean >= settings.goodEnough) return 'prompt-only';
  if (goldFails(ctx)) return 'fine-tune-or-stronger-model';
  if (is.superior(ctx.gVsB)) return 'improve-retrieval';
  if (is.superior(ctx.cbVsB) && is.equivalent(ctx.gVsB)) return 'rag';
  return undefined;
}

function goldFails({ gold, input: { settings } }: RuleContext): boolean {
  const faithfulness = faithfulnessOf(gold);
  return meanOf(gold, settings.primaryMetric)! < settings.goodEnough || (faithfulness !== undefined && faithfulness.mean < settings.faithfulEnough);
}

export const verdictNames: Readonly<Record<Verdict, string>> = {
  'prompt-only': 'prompt-only',
  rag: 'RAG as configured',
  'improve-retrieval': 'improve retrieval',
  'fine-tune-or-stronger-model': 'fine-tune or a stronger model',
  inconclusive: 'inconclusive',
};

const headlines: Readonly<Record<Exclude<Verdict, 'inconclusive'>, (best: RuleArm) => string>> = {
  'prompt-only': () => 'Prompt-only is enough: the model answers as well without retrieved passages as with them, and well enough.',
  rag: (best) => `Use RAG as configured (${setupOf(best)}): retrieval makes answers clearly better, about as good as with the perfect passages.`,
  'improve-retrieval': (best) =>
    `Retrieval is the bottleneck: with the right passages answers are clearly better. Improve retrieval (best setup so far: ${setupOf(best)}).`,
  'fine-tune-or-stronger-model': () =>
    'Context cannot fix this: even with the right passages the answers fall short. Fine-tune the model on this task or try a stronger model.',
};

function evidenceFor(verdict: Exclude<Verdict, 'inconclusive'>, ctx: RuleContext): string[] {
  const { settings, arms } = ctx.input;
  const p = settings.primaryMetric;
  const bar = `the good-enough bar of ${settings.goodEnough}`;
  switch (verdict) {
    case 'prompt-only':
      return [
        `Closed-book ${p} is ${estimate(ctx.closed, p)}, at or above ${bar}.`,
        `Adding retrieved passages (${ctx.best.name}) changes it by ${formatDifference(ctx.cbVsB)}` +
          (ctx.cbVsB.difference.mean < 0 ? `: retrieval makes answers worse (Holm p = ${formatP(ctx.cbVsB.pHolm)}).` : `, inside ±${settings.equivalenceMargin}: no measurable gain.`),
      ];
    case 'fine-tune-or-stronger-model': {
      const faithfulness = faithfulnessOf(ctx.gold);
      const below = meanOf(ctx.gold, p)! < settings.goodEnough;
      const lines = [`With the gold passages in the prompt, ${p} is ${estimate(ctx.gold, p)}, ${below ? 'below' : 'meeting'} ${bar}.`];
      if (faithfulness) lines.push(`Faithfulness with the gold passages (${faithfulness.metric}) is ${formatEstimate(faithfulness)} (unfaithful below ${settings.faithfulEnough}).`);
      lines.push(`${ctx.gold.failing} questions fail even with the gold passages: ${formatCounts(ctx.gold.failureCounts)}.`);
      if (ctx.gVsB.difference.mean > settings.equivalenceMargin) lines.push(`Retrieval loses a further ${formatDifference(ctx.gVsB)} against the gold passages, but fixing it cannot reach the bar.`);
      lines.push('The passages were right, so the gap is in how the model reads them or formats its answer: a behaviour problem.');
      return lines;
    }
    case 'improve-retrieval': {
      const lines = [
        `Gold passages beat the best retrieval (${ctx.best.name}) by ${formatDifference(ctx.gVsB)} in ${p} (Holm p = ${formatP(ctx.gVsB.pHolm)}).`,
        `Best setup by ${p}: chunker ${ctx.best.chunker ?? '?'} with retriever ${ctx.best.retriever ?? '?'} (${estimate(ctx.best, p)}; gold ${estimate(ctx.gold, p)}).`,
      ];
      const recall = ctx.best.metrics['context-recall'];
      if (recall && recall.mean !== null) {
        lines.push(`Its top ${settings.contextK} chunks hold ${pct(recall.mean)} of the gold passages on average (context-recall ${formatEstimate(recall)}): a recall gap of ${pct(1 - recall.mean)} to the gold context.`);
      }
      const byRecall = bestBy(arms.filter((a) => a.kind === 'retrieved'), 'context-recall');
      if (byRecall && byRecall.name !== ctx.best.name) lines.push(`Highest context-recall: ${byRecall.name} (${estimate(byRecall, 'context-recall')}).`);
      return lines;
    }
    case 'rag':
      return [
        `Retrieval (${ctx.best.name}) beats closed-book by ${formatDifference(ctx.cbVsB)} in ${p} (Holm p = ${formatP(ctx.cbVsB.pHolm)}).`,
        `It is within ±${settings.equivalenceMargin} of the gold passages: ${formatDifference(ctx.gVsB)} (gold − retrieved).`,
        `${p}: closed-book ${estimate(ctx.closed, p)}, retrieved ${estimate(ctx.best, p)}, gold ${estimate(ctx.gold, p)}.`,
      ];
  }
}

/** How a comparison reads under the rules: "≈", "≫", "≪" or neither. */
export function readComparison(c: ArmComparison, settings: Pick<RuleInput['settings'], 'equivalenceMargin' | 'alpha'>): 'about the same' | 'clearly better' | 'clearly worse' | 'unclear' {
  const m = settings.equivalenceMargin;
  if (c.difference.lower >= -m && c.difference.upper <= m) return 'about the same';
  if (c.difference.mean > m && c.pHolm < settings.alpha) return 'clearly better';
  if (c.difference.mean < -m && c.pHolm < settings.alpha) return 'clearly worse';
  return 'unclear';
}

function describe(c: ArmComparison, settings: RuleInput['settings']): string {
  const reading = readComparison(c, settings);
  const what =
    reading === 'about the same'
      ? `about the same (inside ±${settings.equivalenceMargin})`
      : reading === 'unclear'
        ? `unclear (neither inside ±${settings.equivalenceMargin} nor significantly beyond it)`
        : reading;
  return `${formatDifference(c)}, Holm p = ${formatP(c.pHolm)}: ${what}`;
}

function smallSampleNote(c: ArmComparison, margin: number, confidence: number): string[] {
  const halfWidth = (c.difference.upper - c.difference.lower) / 2;
  if (!(halfWidth > margin)) return [];
  const needed = Math.ceil(c.n * (halfWidth / margin) ** 2);
  return [
    `${c.a} vs ${c.b}: the ${Math.round(confidence * 100)}% interval of the difference is ±${halfWidth.toFixed(3)}, wider than the ±${margin} margin; ` +
      `about ${needed.toLocaleString('en')} questions (now ${c.n}) would narrow it to the margin.`,
  ];
}

function bestBy(arms: readonly RuleArm[], metric: string): RuleArm | undefined {
  let best: RuleArm | undefined;
  for (const arm of arms) {
    const mean = meanOf(arm, metric);
    if (mean !== null && (best === undefined || mean > meanOf(best, metric)!)) best = arm;
  }
  return best;
}

function meanOf(arm: RuleArm, metric: string): number | null {
  return arm.metrics[metric]?.mean ?? null;
}

function faithfulnessOf(arm: RuleArm): { metric: string; mean: number; lower: number; upper: number } | undefined {
  for (const metric of ['faithfulness-llm', 'faithfulness-lexical']) {
    const e = arm.metrics[metric];
    if (e && e.mean !== null) return { metric, mean: e.mean, lower: e.lower, upper: e.upper };
  }
  return undefined;
}

function setupOf(arm: RuleArm): string {
  return arm.chunker && arm.retriever ? `${arm.chunker} chunks, ${arm.retriever} retriever` : arm.name;
}

function estimate(arm: RuleArm, metric: string): string {
  const e = arm.metrics[metric];
  return e && e.mean !== null ? formatEstimate(e) : 'n/a';
}

export function formatEstimate(e: { mean: number; lower: number; upper: number }): string {
  return `${e.mean.toFixed(3)} [${e.lower.toFixed(3)}, ${e.upper.toFixed(3)}]`;
}

export function formatDifference(c: ArmComparison): string {
  const d = c.difference;
  const sign = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
  return `${sign(d.mean)} [${sign(d.lower)}, ${sign(d.upper)}]`;
}

function formatCounts(counts: RuleArm['failureCounts']): string {
  const entries = (Object.entries(counts) as [FailureCategory, number][]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return entries.length > 0 ? entries.map(([category, n]) => `${category} ${n}`).join(', ') : 'no categorised failures';
}

export function formatP(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
