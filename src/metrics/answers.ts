import type { Decision } from '../corpus/qa.js';
import type { ChatModel } from '../llms/chat-model.js';
import { ServiceError } from '../shared/errors.js';
import { contentBoundary, correctnessMessages, correctnessSchema, type BoundaryMaker } from './faithfulness/judge/prompt.js';
import { unscorable, type Score } from './faithfulness/score.js';
import { normalizeAnswer, tokens, wordTokens } from './text-normalize.js';

/**
 * Answer correctness against gold answers. Every metric returns a Score: null with a reason when it cannot score
 * (no gold answer, a gold that normalises to nothing, no label), never a fake 0 and never NaN.
 *
 * An EMPTY prediction is scored (0 against a non-empty gold), not null: saying nothing is a wrong answer, and
 * leaving it out of the mean would reward an answerer for abstaining.
 */

/**
 * A metric whose null share (queries it could not score: judge error, invalid JSON, no gold answer, …) is above
 * this is marked UNRELIABLE in every report: its mean speaks only for the queries that did not break it, which are
 * not a random sample. A gated answer metric above its `maxNullShare` (default this) fails the gate.
 */
export const unreliableNullShare = 0.1;

/** Answer metrics by the name users write in an eval's `answers.metrics` (`pipeline/answer-eval.ts` runs them). */
export const answerMetricNames = [
  'exact-match',
  'token-f1',
  'decision-accuracy',
  'context-recall',
  'answer-coverage',
  'faithfulness-lexical',
  'faithfulness-llm',
  'correctness-llm',
] as const;
export type AnswerMetricName = (typeof answerMetricNames)[number];

/** Gold answers that still hold a token after SQuAD normalisation (a gold of "the" cannot be matched fairly). */
function usableGolds(golds: readonly string[]): string[] {
  return golds.filter((gold) => normalizeAnswer(gold) !== '');
}

/** SQuAD v1.1 exact match: 1 if the normalised prediction equals any normalised gold, else 0. */
export function exactMatch(prediction: string, golds: readonly string[]): Score {
  const usable = usableGolds(golds);
  if (golds.length === 0) return unscorable('no gold answer');
  if (usable.length === 0) return unscorable('every gold answer is empty after normalisation');
  const normalized = normalizeAnswer(prediction);
  return { value: usable.some((gold) => normalizeAnswer(gold) === normalized) ? 1 : 0 };
}

/**
 * SQuAD v1.1 token F1, the maximum over gold answers: tokens are `tokens()` (normalised, a multiset); overlap is
 * the multiset intersection; F1 = 2PR / (P + R), and 0 when nothing overlaps.
 */
export function tokenF1(prediction: string, golds: readonly string[]): Score {
  const usable = usableGolds(golds);
  if (golds.length === 0) return unscorable('no gold answer');
  if (usable.length === 0) return unscorable('every gold answer is empty after normalisation');
  const predicted = tokens(prediction);
  let best = 0;
  for (const gold of usable) best = Math.max(best, f1(predicted, tokens(gold)));
  return { value: best };
}

function f1(predicted: readonly string[], gold: readonly string[]): number {
  if (predicted.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const token of gold) counts.set(token, (counts.get(token) ?? 0) + 1);
  let same = 0;
  for (const token of predicted) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      same++;
      counts.set(token, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / predicted.length;
  const recall = same / gold.length;
  return (2 * precision * recall) / (precision + recall);
}

/** 1 when the predicted yes/no/maybe label equals the gold one, else 0; null when either side has no label. */
export function decisionAccuracy(predicted: Decision | undefined, gold: Decision | undefined): Score {
  if (gold === undefined) return unscorable('the question has no yes/no/maybe label');
  if (predicted === undefined) return unscorable('the answer carries no yes/no/maybe decision');
  return { value: predicted === gold ? 1 : 0 };
}

interface JudgeCorrectnessOptions {
  readonly model: ChatModel;
  readonly question: string;
  readonly answer: string;
  readonly golds: readonly string[];
  readonly signal?: AbortSignal;
  /** Boundary tokens for the data blocks; default derived from the data (see `contentBoundary`). */
  readonly boundary?: BoundaryMaker;
}

const correctnessValue = { correct: 1, partially_correct: 0.5, incorrect: 0 } as const;

/**
 * LLM-judged correctness against the gold answers, at temperature 0, structured JSON: correct 1, partially
 * correct 0.5, incorrect 0. An answer without a word is scored 0 without asking the judge (an empty prediction is
 * a wrong answer, as in the other metrics); null when there is no gold answer or the judge fails.
 *
 * Mechanical check (like the faithfulness judge's quotes): a "correct" verdict must quote the reference text it
 * matched, and the quote must occur word for word in a gold answer (pieces split at an ellipsis). A verdict
 * without such a quote is null with the reason, not 1: a judge talked into "correct" by the answer itself, or
 * grading from its own knowledge, cannot credit it, and the null share shows it.
 */
export async function judgeCorrectness(options: JudgeCorrectnessOptions): Promise<Score> {
  const golds = options.golds.filter((gold) => gold.trim() !== '');
  if (golds.length === 0) return unscorable('no gold answer');
  if (!/[\p{L}\p{N}]/u.test(options.answer)) return { value: 0 };
  const messages = correctnessMessages(options.question, options.answer, golds, options.boundary ?? contentBoundary);
  try {
    const completion = await options.model.complete(messages, {
      temperature: 0,
      jsonSchema: correctnessSchema,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const { verdict, quote } = JSON.parse(completion.text) as { verdict?: unknown; quote?: unknown };
    if (typeof verdict !== 'string' || !Object.hasOwn(correctnessValue, verdict)) {
      return unscorable(`judge gave no valid verdict: ${completion.text.slice(0, 120)}`);
    }
    if (verdict === 'correct' && !(typeof quote === 'string' && quotesGold(quote, golds))) {
      return unscorable(`judge said correct but its quote ${JSON.stringify(String(quote ?? '').slice(0, 80))} is not in any gold answer`);
    }
    return { value: correctnessValue[verdict as keyof typeof correctnessValue] };
  } catch (error) {
    return judgeFailure(error, options.signal);
  }
}

/** Every piece of the quote (split at an ellipsis) occurs as a word sequence in one gold answer; an empty quote does not. */
export function quotesGold(quote: string, golds: readonly string[]): boolean {
  const pieces = quote.split(/\.\.\.|…/).map(wordTokens).filter((words) => words.length > 0);
  if (pieces.length === 0) return false;
  return golds.some((gold) => {
    const words = wordTokens(gold);
    return pieces.every((piece) => words.some((_, i) => piece.every((word, j) => words[i + j] === word)));
  });
}

/**
 * A judge that fails is "could not score", never 0 (promptfoo's graderError lesson). Aborts and bugs (anything
 * but a service failure or unparsable JSON) are rethrown.
 */
export function judgeFailure(error: unknown, signal?: AbortSignal): Score {
  if (signal?.aborted) throw signal.reason;
  if (error instanceof ServiceError) return unscorable(`judge failed: ${error.message}`);
  if (error instanceof SyntaxError) return unscorable(`judge answer is not JSON: ${error.message}`);
  throw error;
}
