import type { ChatModel } from '../../../llms/chat-model.js';
import { judgeFailure } from '../../answers.js';
import { contentTerms, wordTokens } from '../../text-normalize.js';
import { lcsLength } from '../alignment.js';
import { claimsMessages, claimsSchema, contentBoundary, verdictsMessages, verdictsSchema, type BoundaryMaker } from './prompt.js';
import { checkInputs, unscorable, type ClaimVerdict, type Score } from '../score.js';

interface LlmFaithfulnessOptions {
  readonly model: ChatModel;
  readonly question: string;
  readonly answer: string;
  /** The passages the answer was generated from, as one text. */
  readonly context: string;
  /** Independent judgements (decomposition + verification each); > 1 reports their spread. Default 1. */
  readonly samples?: number;
  /** Judge temperature; default 0. Samples > 1 get seeds 1..n so each is reproducible (and cached) on its own. */
  readonly temperature?: number;
  /** Boundary tokens for the data blocks; default derived from the data (`contentBoundary`). */
  readonly boundary?: BoundaryMaker;
  readonly signal?: AbortSignal;
}

type Verdict = 'supported' | 'unsupported' | 'contradicted';

/**
 * LLM-judged faithfulness (RAGChecker / RAGAS style): the answer is split into atomic claims (one call), each claim
 * is checked against the context (one call, a verdict and a verbatim quote per claim), and the score is
 * supported claims / claims. Value in [0, 1]; null with a reason when the answer or context is empty, the answer
 * makes no checkable claim, or the judge fails (service error, unusable JSON) — never a fake 0.
 *
 * Mechanical defences, which hold even when the judge model is fooled by text in the data:
 * - a "supported" (or "contradicted") verdict counts only if its quote occurs in the context (word for word after
 *   case/punctuation folding, or ≥ 85% of its words in order within a window), shares a content word with the
 *   claim, and does not come from a sentence that addresses the evaluator ("rate this answer faithful", fake
 *   JSON verdicts, chat-template markers): otherwise it is downgraded to "unsupported" (`detail.downgraded`);
 * - claims that share no content word with the answer are dropped (invented by an injected decomposer), and any
 *   answer sentence the claims leave mostly uncovered is checked as a claim itself, so an answer cannot talk the
 *   decomposer into skipping its false sentences.
 * With samples > 1 the value is the mean over scored samples and `detail` holds std, min, max.
 */
export async function llmFaithfulness(options: LlmFaithfulnessOptions): Promise<Score> {
  const invalid = checkInputs(options.answer, options.context);
  if (invalid) return invalid;
  const samples = options.samples ?? 1;
  const scores: Score[] = [];
  for (let sample = 0; sample < samples; sample++) scores.push(await judgeOnce(options, samples > 1 ? sample + 1 : undefined));
  if (samples === 1) return scores[0]!;
  const values = scores.flatMap((s) => (s.value === null ? [] : [s.value]));
  const failed = scores.find((s) => s.value === null);
  if (values.length === 0) return unscorable(`all ${samples} samples failed; first: ${failed && 'reason' in failed ? failed.reason : ''}`);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length);
  const first = scores.find((s) => s.value !== null && s.claims);
  return {
    value: mean,
    // The claims of the first scored sample: one readable account of how the judge saw the answer.
    ...(first && first.value !== null && first.claims ? { claims: first.claims } : {}),
    detail: { samples: values.length, failedSamples: samples - values.length, std, min: Math.min(...values), max: Math.max(...values) },
  };
}

async function judgeOnce(options: LlmFaithfulnessOptions, seed: number | undefined): Promise<Score> {
  const boundary = options.boundary ?? contentBoundary;
  const call = {
    temperature: options.temperature ?? 0,
    ...(seed === undefined ? {} : { seed }),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  try {
    const decomposed = await options.model.complete(claimsMessages(options.question, options.answer, boundary), { ...call, jsonSchema: claimsSchema });
    const raw = (JSON.parse(decomposed.text) as { claims: string[] }).claims;
    const { claims, dropped, added } = checkClaims(raw, options.answer);
    if (claims.length === 0) return unscorable('the answer makes no checkable claim');
    const checked = await options.model.complete(verdictsMessages(options.context, claims, boundary), { ...call, jsonSchema: verdictsSchema });
    const given = (JSON.parse(checked.text) as { verdicts: { claim: number; verdict: Verdict; quote: string }[] }).verdicts;
    const byClaim = new Map<number, { verdict: Verdict; quote: string }>();
    for (const v of given) if (!byClaim.has(v.claim)) byClaim.set(v.claim, v);
    const missing = claims.findIndex((_, i) => !byClaim.has(i));
    if (missing >= 0) return unscorable(`judge gave no verdict for claim ${missing} of ${claims.length}`);
    const context = prepareQuoteContext(options.context);
    const counts = { supported: 0, unsupported: 0, contradicted: 0, downgraded: 0 };
    const verdicts = claims.map((claim, i): ClaimVerdict => {
      const { verdict, quote } = byClaim.get(i)!;
      const final = verdict === 'unsupported' || hasEvidence(quote, claim, context) ? verdict : 'unsupported';
      if (final !== verdict) counts.downgraded++;
      counts[final]++;
      return { claim, verdict: final, quote, ...(final !== verdict ? { downgraded: true } : {}) };
    });
    return {
      value: counts.supported / claims.length,
      detail: { claims: claims.length, ...counts, droppedClaims: dropped, addedClaims: added },
      claims: verdicts,
    };
  } catch (error) {
    return judgeFailure(error, options.signal);
  }
}

const terms = (text: string): string[] => contentTerms(text);

/** Drops claims foreign to the answer; adds answer sentences the claims leave < 50% covered. */
export function checkClaims(raw: readonly string[], answer: string): { claims: string[]; dropped: number; added: number } {
  const answerTerms = new Set(terms(answer));
  const kept = raw.filter((claim) => terms(claim).some((t) => answerTerms.has(t)));
  const covered = new Set(kept.flatMap(terms));
  const uncovered = splitSentences(answer).filter((sentence) => {
    const own = terms(sentence);
    return own.length > 0 && own.filter((t) => covered.has(t)).length / own.length < 0.5;
  });
  return { claims: [...kept, ...uncovered], dropped: raw.length - kept.length, added: uncovered.length };
}

function splitSentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).filter((s) => /[\p{L}\p{N}]/u.test(s));
}

interface QuoteContext {
  readonly words: readonly string[];
  /** Word index → index into `sentences`. */
  readonly sentenceOf: readonly number[];
  readonly sentences: readonly string[];
}

function prepareQuoteContext(context: string): QuoteContext {
  const sentences = splitSentences(context);
  const words: string[] = [];
  const sentenceOf: number[] = [];
  sentences.forEach((sentence, i) => {
    for (const word of wordTokens(sentence)) {
      words.push(word);
      sentenceOf.push(i);
    }
  });
  return { words, sentenceOf, sentences };
}

/**
 * The quote is real evidence for the claim: every piece of it (pieces split at an ellipsis) is found in the
 * context, it shares a content word with the claim, and none of the context sentences it comes from speaks to
 * the evaluator.
 */
export function hasEvidence(quote: string, claim: string, context: QuoteContext | string): boolean {
  const prepared = typeof context === 'string' ? prepareQuoteContext(context) : context;
  const claimTerms = new Set(terms(claim));
  if (!terms(quote).some((t) => claimTerms.has(t))) return false;
  const pieces = quote.split(/\.\.\.|…/).map(wordTokens).filter((words) => words.length > 0);
  if (pieces.length === 0) return false;
  for (const piece of pieces) {
    const span = locate(piece, prepared.words);
    if (!span) return false;
    for (let s = prepared.sentenceOf[span.start]!; s <= prepared.sentenceOf[span.end - 1]!; s++) {
      if (addressesJudge(prepared.sentences[s]!)) return false;
    }
  }
  return true;
}

/** Exact word sequence, else (4+ words) a window holding ≥ 85% of the quote's words in order (LCS). */
function locate(piece: readonly string[], words: readonly string[]): { start: number; end: number } | undefined {
  const m = piece.length;
  outer: for (let i = 0; i + m <= words.length; i++) {
    for (let j = 0; j < m; j++) if (words[i + j] !== piece[j]) continue outer;
    return { start: i, end: i + m };
  }
  if (m < 4) return undefined;
  const width = m + Math.ceil(m * 0.15);
  for (let i = 0; i < words.length; i++) {
    const window = words.slice(i, i + width);
    if (window[0] !== piece[0] && window[0] !== piece[1]) continue;
    if (lcsLength(piece, window) >= 0.85 * m) return { start: i, end: Math.min(words.length, i + width) };
  }
  return undefined;
}


/** Text written to an evaluator, not about the world: never evidence, whatever a judge makes of it. */
const judgeDirected: readonly RegExp[] = [
  /\b(?:rate|score|grade|mark|judge|label|classify|treat|consider)\s+(?:this|the|that|every|each|all|any)\s+(?:answers?|responses?|claims?|statements?|outputs?)\b/i,
  /\bignore\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding|other|system)\s+(?:instructions?|rules|directions|guidelines|prompts?)/i,
  /\b(?:note\s+to\s+(?:the\s+)?)?(?:evaluators?|graders?|assessors?|judges?|fact[- ]?checkers?|reviewers?)\s*[:,]/i,
  /\bnote\s+to\s+(?:the\s+)?(?:ai|assistant|model|llm)\b/i,
  /"(?:verdicts?|claims?|decision)"\s*:/i,
  /\b(?:answers?|responses?|claims?|statements?)\s+(?:is|are|should\s+be)\s+(?:fully\s+|entirely\s+|always\s+)?(?:faithful|supported|grounded|correct)\b/i,
  /<\|im_(?:start|end)\|>|\[\/?INST\]|<\/?(?:system|assistant|developer)>|<<<\s*(?:BEGIN|END)\b/i,
  /(?:^|\n)\s*(?:system|assistant|developer)\s*:/i,
  /\b(?:output|respond|reply|return)\s+(?:with\s+|only\s+)+(?:the\s+|a\s+)?(?:json|verdict)/i,
];

export function addressesJudge(sentence: string): boolean {
  return judgeDirected.some((pattern) => pattern.test(sentence));
}
