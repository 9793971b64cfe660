import { groupedFolds } from '../../../stats/roc.js';
import { featureVector, prepareContext, supportFeatures, type PreparedContext } from '../features.js';
import { fitLogistic, predictLogistic, type LogisticModel } from './logistic.js';

/**
 * Fitting the `lexical-alignment` combiner: an L2 logistic regression over `featureNames`, its one
 * hyper-parameter λ chosen by grouped cross-validation. Used offline (bench/faithfulness.mjs) to produce the
 * shipped weights and the out-of-fold AUCs reported for them; the metric itself never fits anything at run time.
 */
export interface TrainingExample {
  readonly answer: string;
  readonly context: string;
  readonly faithful: boolean;
  /** Fold unit: examples sharing it (one question's sentences) are never split between train and test. */
  readonly group: string;
  /** Weight in the fit's loss, default 1: give each source dataset the same total weight so none dominates. */
  readonly weight?: number;
}

interface FitOptions {
  readonly folds: number;
  readonly seed: number;
  /** λ candidates; default `defaultL2Grid`. */
  readonly l2Grid?: readonly number[];
}

/** Log-spaced, wide enough to span "almost unregularised" to "weights shrunk hard" for ~10⁴ rows. */
const defaultL2Grid = [0.3, 3, 30, 300] as const;

interface Featurized {
  readonly x: number[];
  readonly y: boolean;
  readonly group: string;
  readonly weight: number;
}

function fit(data: readonly Featurized[], l2: number): LogisticModel {
  return fitLogistic(data.map((d) => d.x), data.map((d) => d.y), { l2, sampleWeights: data.map((d) => d.weight) });
}

/** Examples with no content word are left out: the metric returns null for them, so there is nothing to fit. */
export function featurize(examples: readonly TrainingExample[]): Featurized[] {
  const contexts = new Map<string, PreparedContext>();
  const out: Featurized[] = [];
  for (const e of examples) {
    let prepared = contexts.get(e.context);
    if (!prepared) contexts.set(e.context, (prepared = prepareContext(e.context)));
    const features = supportFeatures(e.answer, prepared);
    if (features) out.push({ x: featureVector(features), y: e.faithful, group: e.group, weight: e.weight ?? 1 });
  }
  return out;
}

/** λ with the lowest grouped-CV log-loss on `data` (log-loss, not AUC: it is smooth and rewards calibration). */
function chooseL2(data: readonly Featurized[], options: FitOptions): number {
  const grid = options.l2Grid ?? defaultL2Grid;
  const folds = groupedFolds(data.map((d) => d.group), options.folds, options.seed);
  let best = grid[0]!;
  let bestLoss = Infinity;
  for (const l2 of grid) {
    let loss = 0;
    for (const { train, test } of folds) {
      const model = fit(train.map((i) => data[i]!), l2);
      for (const i of test) {
        const p = Math.min(1 - 1e-12, Math.max(1e-12, predictLogistic(model, data[i]!.x)));
        loss -= data[i]!.weight * (data[i]!.y ? Math.log(p) : Math.log(1 - p));
      }
    }
    if (loss < bestLoss) [best, bestLoss] = [l2, loss];
  }
  return best;
}

/** λ by grouped CV on all examples, then one fit on all of them: the model to ship. */
export function fitFaithfulnessModel(examples: readonly TrainingExample[], options: FitOptions): LogisticModel & { l2: number } {
  const data = featurize(examples);
  const l2 = chooseL2(data, options);
  return { ...fit(data, l2), l2 };
}

/**
 * Nested grouped cross-validation: for each outer fold, λ is chosen by an inner grouped CV on the outer training
 * groups only, the model is fitted there and scores the held-out groups. Returns one out-of-fold probability per
 * example (null where the metric would return null), so AUCs computed from them are honest estimates for unseen
 * questions: neither the weights nor λ ever saw the rows they score.
 */
export function crossValidatedScores(examples: readonly TrainingExample[], options: FitOptions): (number | null)[] {
  const contexts = new Map<string, PreparedContext>();
  const vectors = examples.map((e) => {
    let prepared = contexts.get(e.context);
    if (!prepared) contexts.set(e.context, (prepared = prepareContext(e.context)));
    const features = supportFeatures(e.answer, prepared);
    return features && featureVector(features);
  });
  const scored = examples.flatMap((e, i) => (vectors[i] ? [i] : []));
  const data = scored.map((i) => ({ x: vectors[i]!, y: examples[i]!.faithful, group: examples[i]!.group, weight: examples[i]!.weight ?? 1 }));
  const out = new Array<number | null>(examples.length).fill(null);
  for (const { train, test } of groupedFolds(data.map((d) => d.group), options.folds, options.seed)) {
    const trainData = train.map((i) => data[i]!);
    const l2 = chooseL2(trainData, { ...options, seed: options.seed + 1 });
    const model = fit(trainData, l2);
    for (const i of test) out[scored[i]!] = predictLogistic(model, data[i]!.x);
  }
  return out;
}
