import { createRandom } from './random.js';

/**
 * Binary-classification statistics for a score where higher means "positive" (e.g. faithful). Pure functions.
 * `labels[i]` is true for a positive row; `scores[i]` must be finite. Arrays of different lengths throw RangeError.
 */

/**
 * ROC AUC as the Mann–Whitney U statistic: the probability that a random positive outscores a random negative,
 * ties counting one half. Ties get average ranks, so the value equals sklearn's `roc_auc_score` (trapezoidal ROC
 * area) exactly; all-equal scores give 0.5. Throws RangeError when either class is empty (AUC is undefined, and
 * sklearn raises too).
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  checkPaired(scores, labels);
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]!]) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new RangeError(`ROC AUC needs both classes, got ${positives} positive and ${negatives} negative`);
  }
  const u = positiveRankSum - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}

/**
 * Balanced accuracy of the rule "positive iff score ≥ threshold": (true-positive rate + true-negative rate) / 2.
 * Unlike accuracy it is 0.5 for any constant rule, whatever the class balance. A class with no rows contributes
 * its rate as undefined, so that case throws RangeError.
 */
export function balancedAccuracy(scores: readonly number[], labels: readonly boolean[], threshold: number): number {
  checkPaired(scores, labels);
  let tp = 0;
  let p = 0;
  let tn = 0;
  let n = 0;
  scores.forEach((score, i) => {
    if (labels[i]) {
      p++;
      if (score >= threshold) tp++;
    } else {
      n++;
      if (score < threshold) tn++;
    }
  });
  if (p === 0 || n === 0) throw new RangeError(`balanced accuracy needs both classes, got ${p} positive and ${n} negative`);
  return (tp / p + tn / n) / 2;
}

/**
 * The threshold that maximises balanced accuracy on these rows. Candidates are midpoints between consecutive
 * distinct scores (plus one below the minimum), so the rule generalises halfway between the rows it separates
 * rather than sitting on a training score. The lowest best threshold wins ties, so results are deterministic.
 */
export function bestThreshold(scores: readonly number[], labels: readonly boolean[]): number {
  checkPaired(scores, labels);
  const distinct = [...new Set(scores)].sort((a, b) => a - b);
  const candidates = [distinct[0]! - 1, ...distinct.slice(1).map((s, i) => (s + distinct[i]!) / 2)];
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const p = labels.filter(Boolean).length;
  const n = labels.length - p;
  if (p === 0 || n === 0) throw new RangeError(`a threshold needs both classes, got ${p} positive and ${n} negative`);
  // Sweep upwards: rows below the candidate are predicted negative.
  let best = candidates[0]!;
  let bestValue = -1;
  let below = 0;
  let negativesBelow = 0;
  let positivesBelow = 0;
  for (const candidate of candidates) {
    while (below < order.length && scores[order[below]!]! < candidate) {
      if (labels[order[below]!]) positivesBelow++;
      else negativesBelow++;
      below++;
    }
    const value = ((p - positivesBelow) / p + negativesBelow / n) / 2;
    if (value > bestValue + 1e-12) {
      bestValue = value;
      best = candidate;
    }
  }
  return best;
}

/** One fold: the row indices to fit on and the row indices to test on; a group is never in both. */
export interface Fold {
  readonly train: readonly number[];
  readonly test: readonly number[];
}

/**
 * Grouped k-fold: the distinct groups are shuffled with a seeded PRNG (Fisher–Yates over `createRandom(seed)`)
 * and dealt round-robin into `folds` folds, so every row of a group (all sentences of one question) lands in the
 * same test fold. Same groups and seed, same folds. Throws RangeError when there are fewer groups than folds.
 */
export function groupedFolds(groups: readonly string[], folds: number, seed: number): Fold[] {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds must be an integer ≥ 2, got ${folds}`);
  const distinct = [...new Set(groups)].sort();
  if (distinct.length < folds) throw new RangeError(`${folds} folds need at least ${folds} groups, got ${distinct.length}`);
  const random = createRandom(seed);
  for (let i = distinct.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [distinct[i], distinct[j]] = [distinct[j]!, distinct[i]!];
  }
  const foldOf = new Map(distinct.map((group, i) => [group, i % folds]));
  return Array.from({ length: folds }, (_, fold) => ({
    train: groups.flatMap((group, i) => (foldOf.get(group) === fold ? [] : [i])),
    test: groups.flatMap((group, i) => (foldOf.get(group) === fold ? [i] : [])),
  }));
}

/** Per-row out-of-fold verdicts of a threshold chosen on the other folds, and the thresholds per fold. */
interface CrossValidatedThreshold {
  /** Balanced accuracy of the pooled out-of-fold predictions: each row judged by a threshold it did not help pick. */
  readonly balancedAccuracy: number;
  readonly thresholds: readonly number[];
  /** The threshold chosen on all rows: what to ship, whose quality `balancedAccuracy` estimates. */
  readonly threshold: number;
}

/**
 * Chooses the threshold by grouped cross-validation: on each fold's training rows `bestThreshold`, applied to its
 * test rows. A fold whose training rows lack a class (tiny data) falls back to the threshold from all rows.
 */
export function bestThresholdCV(
  scores: readonly number[],
  labels: readonly boolean[],
  options: { readonly groups: readonly string[]; readonly folds: number; readonly seed: number },
): CrossValidatedThreshold {
  checkPaired(scores, labels);
  const threshold = bestThreshold(scores, labels);
  const predicted = new Array<boolean>(scores.length);
  const thresholds = groupedFolds(options.groups, options.folds, options.seed).map(({ train, test }) => {
    const trainLabels = train.map((i) => labels[i]!);
    const bothClasses = trainLabels.includes(true) && trainLabels.includes(false);
    const t = bothClasses ? bestThreshold(train.map((i) => scores[i]!), trainLabels) : threshold;
    for (const i of test) predicted[i] = scores[i]! >= t;
    return t;
  });
  return { balancedAccuracy: balancedAccuracy(predicted.map(Number), labels, 0.5), thresholds, threshold };
}

/** One calibration bin: scores in [lower, upper) (the last bin includes 1). */
export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean score of the rows in the bin; null for an empty bin. */
  readonly meanScore: number | null;
  /** Share of the bin's rows labelled positive; null for an empty bin. */
  readonly positiveRate: number | null;
}

/**
 * Reliability table: scores in [0, 1] cut into `bins` equal-width bins. A calibrated score has positiveRate ≈
 * meanScore in every bin. Throws RangeError for a score outside [0, 1].
 */
export function calibrationTable(scores: readonly number[], labels: readonly boolean[], bins = 10): CalibrationBin[] {
  checkPaired(scores, labels);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const count = new Array<number>(bins).fill(0);
  const sum = new Array<number>(bins).fill(0);
  const positives = new Array<number>(bins).fill(0);
  scores.forEach((score, i) => {
    if (!(score >= 0 && score <= 1)) throw new RangeError(`calibration needs scores in [0, 1], got ${score}`);
    const bin = Math.min(bins - 1, Math.floor(score * bins));
    count[bin]!++;
    sum[bin]! += score;
    if (labels[i]) positives[bin]!++;
  });
  return count.map((c, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: c,
    meanScore: c === 0 ? null : sum[b]! / c,
    positiveRate: c === 0 ? null : positives[b]! / c,
  }));
}

function checkPaired(scores: readonly number[], labels: readonly boolean[]): void {
  if (scores.length !== labels.length) {
    throw new RangeError(`scores and labels differ in length: ${scores.length} and ${labels.length}`);
  }
  for (const score of scores) if (!Number.isFinite(score)) throw new RangeError(`scores must be finite, got ${score}`);
}
