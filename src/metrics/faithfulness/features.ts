import { stem, stopwords, wordTokens } from '../text-normalize.js';

/**
 * Lexical evidence that an answer is supported by a context, each signal in [0, 1] (higher = better supported).
 * Computed once per (answer, context); `lexicalAlignment` combines them. Pure.
 */
export interface SupportFeatures {
  /** Share of the answer's content words (stemmed, with multiplicity) that occur anywhere in the context. */
  readonly support: number;
  /** Share of the answer's adjacent content-word pairs that occur adjacently (stopwords skipped) in the context. */
  readonly bigramSupport: number;
  /** Best share of the answer's content words found inside one window of two consecutive context sentences. */
  readonly alignment: number;
  /** 1 if every number in the answer occurs in the context (or it has none), else 0. */
  readonly numbersSupported: number;
  /** Share of the answer's mid-sentence capitalised words (names) found in the context; 1 if there are none. */
  readonly namesSupported: number;
  /** log(1 + number of the answer's content words): more words, more chances for one to be unsupported. */
  readonly logLength: number;
  /** 1 if the answer is a question: it asserts nothing a source could support (BEGIN labels all of them unfaithful). */
  readonly question: number;
  /** 1 if the answer speaks in the first person singular ("I love it"): a claim about the speaker, not the source. */
  readonly firstPerson: number;
  /** 1 if the answer negates (not, never, n't, …) and the context never does: a likely flipped claim. */
  readonly negationMismatch: number;
}

/** The feature order of `featureVector`, which a fitted model's weights follow. */
export const featureNames = [
  'support', 'bigramSupport', 'alignment', 'numbersSupported', 'namesSupported', 'logLength', 'question', 'firstPerson',
  'negationMismatch',
] as const satisfies readonly (keyof SupportFeatures)[];

export function featureVector(features: SupportFeatures): number[] {
  return featureNames.map((name) => features[name]);
}

/** The context, preprocessed once so many answers can be scored against it cheaply. */
export interface PreparedContext {
  readonly stems: ReadonlySet<string>;
  readonly bigrams: ReadonlySet<string>;
  readonly numbers: ReadonlySet<string>;
  /** Content-word stems of each window of two consecutive sentences. */
  readonly windows: readonly ReadonlySet<string>[];
  readonly negates: boolean;
}

// Spelled-out numbers map to digits, so "ten-pin" in a context supports "10-pin" in an answer and vice versa.
const numberWords: Readonly<Record<string, string>> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  ten: '10', eleven: '11', twelve: '12', twenty: '20', thirty: '30', forty: '40', fifty: '50', hundred: '100',
  first: '1st', second: '2nd', third: '3rd',
};

/** A content word's comparable form: digits as written, number words as digits, other words Porter-stemmed. */
function term(token: string): string {
  return numberWords[token] ?? stem(token);
}

function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const token of wordTokens(text)) if (!stopwords.has(token)) out.push(term(token));
  return out;
}

/** Numbers as written, with thousands separators dropped: "1,500" and "1500" are the same claim. */
function numbersIn(text: string): string[] {
  return (text.match(/\d+(?:[.,]\d+)*/g) ?? []).map((n) => n.replace(/,(?=\d{3}\b)/g, ''));
}

/**
 * Sentences split at . ! ? followed by space, and at line breaks (SALAD contexts put each document's title on its
 * own line). Rough on abbreviations ("U.S. army"), which only makes a window shorter, never wrong.
 */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).filter((s) => /[\p{L}\p{N}]/u.test(s));
}

export function prepareContext(context: string): PreparedContext {
  const terms = contentTerms(context);
  const bigrams = new Set<string>();
  for (let i = 1; i < terms.length; i++) bigrams.add(`${terms[i - 1]} ${terms[i]}`);
  const perSentence = sentences(context).map(contentTerms);
  // Two consecutive sentences: a claim often spans a sentence and its follow-up ("It ... . This is why ...").
  const windows = perSentence.map((s, i) => new Set([...s, ...(perSentence[i + 1] ?? [])]));
  return { stems: new Set(terms), bigrams, numbers: new Set(numbersIn(context)), windows, negates: negation.test(context) };
}

/** null when the answer has no content word: nothing is claimed, so there is nothing to support. */
export function supportFeatures(answer: string, context: PreparedContext): SupportFeatures | null {
  const terms = contentTerms(answer);
  if (terms.length === 0) return null;
  const support = share(terms, (t) => context.stems.has(t));
  let bigramHits = 0;
  for (let i = 1; i < terms.length; i++) if (context.bigrams.has(`${terms[i - 1]} ${terms[i]}`)) bigramHits++;
  // A one-word answer has no pair; its single word's support stands in.
  const bigramSupport = terms.length > 1 ? bigramHits / (terms.length - 1) : support;
  let alignment = 0;
  for (const window of context.windows) alignment = Math.max(alignment, share(terms, (t) => window.has(t)));
  const numbers = numbersIn(answer);
  const numbersSupported = numbers.every((n) => context.numbers.has(n)) ? 1 : 0;
  const names = namesIn(answer).map(term);
  const namesSupported = names.length === 0 ? 1 : share(names, (t) => context.stems.has(t));
  const words = wordTokens(answer);
  return {
    support,
    bigramSupport,
    alignment,
    numbersSupported,
    namesSupported,
    logLength: Math.log1p(terms.length),
    question: /\?\s*$/.test(answer) ? 1 : 0,
    firstPerson: words.some((w) => firstPersonWords.has(w)) ? 1 : 0,
    negationMismatch: negation.test(answer) && !context.negates ? 1 : 0,
  };
}

// Singular only: "we"/"our" in explanatory answers is usually the generic "we" ("we perceive taste…").
const firstPersonWords: ReadonlySet<string> = new Set(['i', 'me', 'my', 'mine', 'myself']);
const negation = /\b(?:not|no|never|cannot|nothing|none|nobody|neither|nor)\b|n['’]t\b/i;

/** Capitalised words not at a sentence start and not stopwords ("I", "The"): names, places, titles. */
function namesIn(answer: string): string[] {
  const names: string[] = [];
  for (const match of answer.matchAll(/(?<=[\p{L}\p{N},;:)]\s+)\p{Lu}[\p{L}\p{N}]*/gu)) {
    const word = match[0].toLowerCase();
    if (!stopwords.has(word)) names.push(word);
  }
  return names;
}

function share(terms: readonly string[], isSupported: (term: string) => boolean): number {
  let hits = 0;
  for (const t of terms) if (isSupported(t)) hits++;
  return hits / terms.length;
}
