import { featureNames, featureVector, prepareContext, supportFeatures } from '../features.js';
import { predictLogistic, type LogisticModel } from './logistic.js';
import { checkInputs, unscorable, type Score } from '../score.js';

/**
 * The shipped combiner: an L2 logistic regression over `modelInputNames` (the 15 `featureNames`, then the 21
 * pairwise products of `interactingFeatures`, in that order), fitted on the visible SALAD (2,685 sentences, folds
 * by question) and BEGIN-WoW (4,031 responses, folds by knowledge snippet) rows, each dataset weighted equally,
 * λ = 0.3 chosen by grouped 5-fold CV log-loss (`fitFaithfulnessModel`, seed 1). Reproduce with
 * `node bench/faithfulness.mjs`; its out-of-fold AUCs (nested CV) are in bench/RESULTS-faithfulness.md.
 * Single weights are not interpretable on their own: the coverage signals enter both alone and in products.
 */
export const lexicalAlignmentModel: LogisticModel = {
  weights: [
    4.183704, -1.772229, -0.767633, 1.288697, 1.358925, -1.347194, -4.877349, -1.502412, -1.007397, 4.941786, 3.868673,
    -4.181651, 2.26457, 7.281908, -3.890247, -4.367847, -4.739105, -2.460332, -2.89593, 3.55308, -0.788504, 0.838456,
    1.935638, -2.877026, -0.546255, -0.769614, -0.858239, -1.50319, 1.837704, 0.328371, 6.562659, 0.505567, 3.700995,
    1.483121, -3.244822, 1.359221,
  ],
  bias: -4.992717,
};

export interface LexicalFaithfulnessOptions {
  /**
   * Another fitted combiner over `modelInputNames` (same order), e.g. refitted on in-domain labels with
   * `fitFaithfulnessModel`. Throws RangeError when its weight count differs.
   */
  readonly model?: LogisticModel;
}

/**
 * Offline lexical faithfulness: how well the context supports the answer, in [0, 1] (higher = more supported),
 * read as the fitted probability that a human would judge the answer fully supported. Signals (features.ts):
 * stemmed content-word support, contiguous pair support, best sentence / two-sentence window / three-sentence
 * passage (terms weighted by their rarity within the context), character-trigram soft matches, in-order overlap
 * with the best passage, verbatim copied runs, numbers and names found in the context, answer length, and the
 * answer being a question, first-person, or a negation the context lacks.
 *
 * Lexical, so it cannot see paraphrase beyond stems or contradiction between supported words ("owned by
 * Facebook" when the context says Google bought it, if both names appear); use an NLI model or an LLM judge for that.
 * null when the answer or context has no words, or the answer has no content word. ~3,000 rows/s on
 * SALAD-length contexts (the context is prepared on every call).
 */
export function lexicalFaithfulness(answer: string, context: string, options: LexicalFaithfulnessOptions = {}): Score {
  const invalid = checkInputs(answer, context);
  if (invalid) return invalid;
  const features = supportFeatures(answer, prepareContext(context));
  if (!features) return unscorable('the answer has only stopwords: no content to check');
  const model = options.model ?? lexicalAlignmentModel;
  const x = featureVector(features);
  // A model fitted on another feature set would silently read the wrong inputs; refuse it instead.
  if (model.weights.length !== x.length) throw new RangeError(`the model has ${model.weights.length} weights, the features ${x.length}`);
  const value = predictLogistic(model, x);
  return { value, detail: Object.fromEntries(featureNames.map((name) => [name, features[name]])) };
}
