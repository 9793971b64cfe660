import { stopwords, wordTokens } from '../text-normalize.js';
import { checkInputs, unscorable, type Score } from './score.js';

/**
 * K-Precision (Adlakha et al., "Evaluating Correctness and Faithfulness of Instruction-Following Models for
 * Question Answering", 2023): the share of the answer's tokens that also occur in the context. Here, as in the
 * datasets' reference baseline, tokens are content words (`wordTokens` minus `stopwords`) counted with
 * multiplicity, and a token is supported if it occurs anywhere in the context, exactly (no stemming).
 * The documented baseline that `lexical-alignment` has to beat.
 *
 * null when the answer or context is empty, or the answer has only stopwords ("Are you into it?"): there is no
 * claim to check, which is neither faithful nor unfaithful.
 */
export function kPrecision(answer: string, context: string): Score {
  const invalid = checkInputs(answer, context);
  if (invalid) return invalid;
  const claimed = wordTokens(answer).filter((token) => !stopwords.has(token));
  if (claimed.length === 0) return unscorable('the answer has only stopwords: no content to check');
  const available = new Set(wordTokens(context));
  let supported = 0;
  for (const token of claimed) if (available.has(token)) supported++;
  return { value: supported / claimed.length, detail: { supported, tokens: claimed.length } };
}
