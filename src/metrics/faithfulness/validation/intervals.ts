import { clusterBootstrap, type PercentileInterval } from '../../../stats/bootstrap.js';
import { boundedMeanInterval } from '../../../stats/bounded-mean.js';
import { rocAuc } from '../../../stats/roc.js';

/** An estimate with its interval; the interval is null when there is too little to resample (see `minQuestions`). */
export interface IntervalEstimate {
  readonly mean: number;
  readonly lower: number | null;
  readonly upper: number | null;
}

/** The figures of one set of rows (all of them, or one group) with their bootstrap intervals. */
export interface ClassifierIntervals {
  readonly rows: number;
  /** Distinct fold units (questions) among the rows: the resampling unit. */
  readonly questions: number;
  /** ROC AUC for `faithful`; null when the rows hold one class only. */
  readonly auc: IntervalEstimate | null;
  /** Balanced accuracy of the out-of-fold verdicts at the cross-validated threshold. */
  readonly balancedAccuracy: IntervalEstimate | null;
  /** Share of faithful rows judged faithful (recall of faithful) at the threshold. */
  readonly truePositiveRate: IntervalEstimate | null;
  /** Share of unfaithful rows judged unfaithful (recall of unfaithful) at the threshold. */
  readonly trueNegativeRate: IntervalEstimate | null;
}

/** How the intervals were made, for the JSON output and the text note. */
export interface IntervalMethod {
  readonly confidence: number;
  readonly resamples: number;
  readonly seed: number;
  readonly unit: 'question';
  readonly minQuestions: number;
}

/** Fewer questions than this and an interval is not computed (a bootstrap over 1–4 clusters says nothing). */
export const minQuestions = 5;

/**
 * Bootstrap by question, stratified: every question's rows travel together (sentences of one question are not
 * independent), and the questions are resampled within three strata — all rows faithful, all unfaithful, mixed —
 * so every resample holds both classes and the AUC is always defined. The scores and out-of-fold verdicts are
 * those of the evaluation: the interval covers the sampling of questions, not the refitting of the model or the
 * choice of the threshold inside each fold (held fixed, as the point estimates were made).
 */
export function classifierIntervals(
  input: { readonly scores: readonly number[]; readonly labels: readonly boolean[]; readonly predicted: readonly boolean[]; readonly questions: readonly string[] },
  options: { readonly seed: number; readonly resamples?: number; readonly confidence?: number },
): ClassifierIntervals {
  const { scores, labels, questions } = input;
  const all = scores.map((_, i) => i);
  const point = figures(all, input);
  const clusters = groupRows(questions);
  const intervals =
    clusters.length >= minQuestions
      ? clusterBootstrap(clusters, clusters.map((rows) => composition(rows, labels)), (rows) => figures(rows, input), {
          seed: options.seed,
          ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
          ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
        })
      : {};
  const units = {
    truePositiveRate: distinctQuestions(questions, (i) => labels[i]!),
    trueNegativeRate: distinctQuestions(questions, (i) => !labels[i]),
  };
  const estimate = (name: keyof typeof point): IntervalEstimate | null => {
    const mean = point[name];
    if (mean === null) return null;
    if (clusters.length >= minQuestions && (mean === 0 || mean === 1)) {
      if (name === 'truePositiveRate' || name === 'trueNegativeRate') return { mean, ...extremeRate(mean, units[name])! };
      const separated = separationBounds(mean, units.truePositiveRate, units.trueNegativeRate, name);
      if (separated) return { mean, ...separated };
    }
    const interval: PercentileInterval | null | undefined = intervals[name];
    // A percentile interval of a resampled statistic need not contain the full-sample value when the data are
    // extreme (all of AUC's resamples at 1); widen it to do so, so `lower ≤ mean ≤ upper` always holds.
    return interval ? { mean, lower: Math.min(interval.lower, mean), upper: Math.max(interval.upper, mean) } : { mean, lower: null, upper: null };
  };
  return {
    rows: scores.length,
    questions: clusters.length,
    auc: estimate('auc'),
    balancedAccuracy: estimate('balancedAccuracy'),
    truePositiveRate: estimate('truePositiveRate'),
    trueNegativeRate: estimate('trueNegativeRate'),
  };
}

function figures(
  rows: readonly number[],
  input: { readonly scores: readonly number[]; readonly labels: readonly boolean[]; readonly predicted: readonly boolean[] },
): Record<'auc' | 'balancedAccuracy' | 'truePositiveRate' | 'trueNegativeRate', number | null> {
  let positives = 0;
  let truePositives = 0;
  let negatives = 0;
  let trueNegatives = 0;
  for (const i of rows) {
    if (input.labels[i]) {
      positives++;
      if (input.predicted[i]) truePositives++;
    } else {
      negatives++;
      if (!input.predicted[i]) trueNegatives++;
    }
  }
  const tpr = positives > 0 ? truePositives / positives : null;
  const tnr = negatives > 0 ? trueNegatives / negatives : null;
  return {
    auc: positives > 0 && negatives > 0 ? rocAuc(rows.map((i) => input.scores[i]!), rows.map((i) => input.labels[i]!)) : null,
    balancedAccuracy: tpr !== null && tnr !== null ? (tpr + tnr) / 2 : null,
    truePositiveRate: tpr,
    trueNegativeRate: tnr,
  };
}

/**
 * A rate of 0 or 1 is where a percentile bootstrap collapses to [0, 0] or [1, 1]; there the Clopper–Pearson
 * interval over the questions behind the rate is exact whatever the rows within a question do
 * (src/stats/bounded-mean.ts: (α/2)^(1/q) for q questions all at 1). null for a rate strictly inside (0, 1).
 */
function extremeRate(rate: number, questions: number): { lower: number; upper: number } | null {
  if (rate !== 0 && rate !== 1) return null;
  const { lower, upper } = boundedMeanInterval(new Array<number>(questions).fill(rate));
  return { lower, upper };
}

/**
 * AUC or balanced accuracy of exactly 1 (or 0): every resample separates the classes too, so the bootstrap says
 * [1, 1]. A threshold t in the gap has true rates TPR = P(X ≥ t) and TNR = P(Y < t), each bounded below by its
 * Clopper–Pearson bound over its questions (Bonferroni: 1.25% per rate, so the pair holds at 97.5%, the lower
 * side of a 95% interval). Then balanced accuracy ≥ (TPR + TNR) / 2, and AUC = P(X > Y) ≥ TPR · TNR, since
 * {X ≥ t > Y} ⊂ {X > Y} for independent X and Y. Mirrored for 0. null for a value strictly inside (0, 1).
 */
function separationBounds(value: number, positiveQuestions: number, negativeQuestions: number, name: string): { lower: number; upper: number } | null {
  const bound = (questions: number) => boundedMeanInterval(new Array<number>(questions).fill(1), { confidence: 0.975 }).lower;
  const [tpr, tnr] = [bound(positiveQuestions), bound(negativeQuestions)];
  const far = name === 'auc' ? tpr * tnr : (tpr + tnr) / 2;
  return value === 1 ? { lower: far, upper: 1 } : value === 0 ? { lower: 0, upper: 1 - far } : null;
}

function distinctQuestions(questions: readonly string[], include: (row: number) => boolean): number {
  const seen = new Set<string>();
  questions.forEach((question, i) => include(i) && seen.add(question));
  return seen.size;
}

/** Row indices per question, in order of first appearance. */
function groupRows(questions: readonly string[]): number[][] {
  const byQuestion = new Map<string, number[]>();
  questions.forEach((question, i) => {
    const rows = byQuestion.get(question);
    if (rows) rows.push(i);
    else byQuestion.set(question, [i]);
  });
  return [...byQuestion.values()];
}

function composition(rows: readonly number[], labels: readonly boolean[]): string {
  const faithful = rows.filter((i) => labels[i]).length;
  return faithful === rows.length ? 'faithful' : faithful === 0 ? 'unfaithful' : 'mixed';
}

/**
 * The faithful rate of each calibration bin with its interval, by the same stratified bootstrap by question
 * (`bins` as calibrationTable cuts them: equal-width in [0, 1], the last bin including 1). A bin empty in more than
 * half of the resamples, or fewer than `minQuestions` questions overall, gets null bounds.
 */
export function calibrationIntervals(
  input: { readonly scores: readonly number[]; readonly labels: readonly boolean[]; readonly questions: readonly string[] },
  options: { readonly bins: number; readonly seed: number; readonly resamples?: number },
): { readonly lower: number | null; readonly upper: number | null }[] {
  const binOf = input.scores.map((score) => Math.min(options.bins - 1, Math.floor(score * options.bins)));
  const rates = (rows: readonly number[]) => {
    const count = new Array<number>(options.bins).fill(0);
    const positives = new Array<number>(options.bins).fill(0);
    for (const i of rows) {
      count[binOf[i]!]!++;
      if (input.labels[i]) positives[binOf[i]!]!++;
    }
    return Object.fromEntries(count.map((c, b) => [`bin${b}`, c === 0 ? null : positives[b]! / c]));
  };
  const clusters = groupRows(input.questions);
  const intervals =
    clusters.length >= minQuestions
      ? clusterBootstrap(clusters, clusters.map((rows) => composition(rows, input.labels)), rates, {
          seed: options.seed,
          ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
        })
      : {};
  const point = rates(input.scores.map((_, i) => i));
  return Array.from({ length: options.bins }, (_, b) => {
    const interval = intervals[`bin${b}`];
    const mean = point[`bin${b}`];
    if (!interval || mean === null || mean === undefined) return { lower: null, upper: null };
    const exact = extremeRate(mean, distinctQuestions(input.questions, (i) => binOf[i] === b));
    if (exact) return exact;
    return { lower: Math.min(interval.lower, mean), upper: Math.max(interval.upper, mean) };
  });
}
