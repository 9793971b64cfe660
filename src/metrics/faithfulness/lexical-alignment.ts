import { featureNames, featureVector, prepareContext, supportFeatures } from './features.js';
import { predictLogistic, type LogisticModel } from './logistic.js';
import { checkInputs, unscorable, type Score } from './score.js';

/**
 * The shipped combiner: an L2 logistic regression over `featureNames` (in that order), fitted on the visible
 * SALAD (2,685 sentences, folds by question) and BEGIN-WoW (4,031 responses, folds by knowledge snippet) rows,
 * each dataset weighted equally, λ = 3 chosen by grouped 5-fold CV log-loss (`fitFaithfulnessModel`, seed 1). Reproduce with `node bench/faithfulness.mjs`;
 * its out-of-fold AUCs (nested CV) are in bench/RESULTS-faithfulness.md.
 */
export const lexicalAlignmentModel: LogisticModel = {
  // support, bigramSupport, alignment, numbersSupported, namesSupported, logLength, question, firstPerson,
  // negationMismatch. alignment is negative only given support (they are collinear): at equal overall support,
  // words bunched in one window are weaker evidence than it seemed once bigrams already count contiguity.
  weights: [7.281902, 0.954271, -0.778362, 1.723868, 1.332438, 0.155857, -4.546684, -2.269768, -1.495051],
  bias: -8.184411,
};

export interface LexicalFaithfulnessOptions {
  /** Another fitted combiner (same feature order), e.g. refitted on in-domain labels with `fitFaithfulnessModel`. */
  readonly model?: LogisticModel;
}

/**
 * Offline lexical faithfulness: how well the context supports the answer, in [0, 1] (higher = more supported),
 * read as the fitted probability that a human would judge the answer fully supported. Signals (features.ts):
 * stemmed content-word support, contiguous pair support, best two-sentence window, numbers and names found in
 * the context, answer length, and the answer being a question, first-person, or a negation the context lacks.
 *
 * Lexical, so it cannot see paraphrase beyond stems or contradiction between supported words ("owned by
 * Facebook" when the context says Google bought it, if both names appear); use an NLI model or an LLM judge for that.
 * null when the answer or context has no words, or the answer has no content word. ~10⁴ rows/s.
 */
export function lexicalFaithfulness(answer: string, context: string, options: LexicalFaithfulnessOptions = {}): Score {
  const invalid = checkInputs(answer, context);
  if (invalid) return invalid;
  const features = supportFeatures(answer, prepareContext(context));
  if (!features) return unscorable('the answer has only stopwords: no content to check');
  const value = predictLogistic(options.model ?? lexicalAlignmentModel, featureVector(features));
  return { value, detail: Object.fromEntries(featureNames.map((name) => [name, features[name]])) };
}
