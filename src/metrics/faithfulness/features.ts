import { contentTerms, stem, stopwords, wordTokens } from '../text-normalize.js';
import { charTrigrams, dice, extractiveFragments, lcsLength, longestCommonRun, positionIndex } from './alignment.js';

/**
 * Lexical evidence that an answer is supported by a context, each signal in [0, 1] unless noted (higher = better
 * supported). Computed once per (answer, context); `lexicalAlignment` combines them. Pure.
 *
 * "Weighted" shares weight each answer term by its inverse sentence frequency inside this context,
 * log((S + 1) / (df + 0.5)) over the context's S sentences: a term every sentence repeats is the topic (the
 * question's own words, usually) and matching it proves little, while a rare term found is real evidence. The
 * background is the context itself, so the metric stays one function of (answer, context) with no shipped table.
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
  /** Weighted share of the answer's terms found in the single best context sentence. */
  readonly bestSentence: number;
  /** Weighted share found in the best passage of three consecutive sentences (the whole context if shorter). */
  readonly bestPassage: number;
  /**
   * Weighted soft support: a term found scores 1, else (4+ letters) its best character-trigram Dice with a context
   * term, so morphological variants Porter misses (magnetic/magnetism, cooled/cooling) get partial credit.
   */
  readonly softSupport: number;
  /** LCS of the answer's terms with the best passage's terms, over the answer's terms: the words in the same order. */
  readonly orderedSupport: number;
  /** Longest run of the answer's words (stemmed, stopwords kept) copied verbatim from the context, over its words. */
  readonly longestCopy: number;
  /** Share of the answer's words inside copied fragments of 2+ words (Grusky et al. 2018 coverage, fragments ≥ 2). */
  readonly copiedCoverage: number;
}

/** The features' order in `featureVector`; a fitted model's first weights follow it. */
export const featureNames = [
  'support', 'bigramSupport', 'alignment', 'numbersSupported', 'namesSupported', 'logLength', 'question', 'firstPerson',
  'negationMismatch', 'bestSentence', 'bestPassage', 'softSupport', 'orderedSupport', 'longestCopy', 'copiedCoverage',
] as const satisfies readonly (keyof SupportFeatures)[];

/**
 * The coverage signals whose pairwise products the model also gets. Coverage is not additive evidence: a 0.8 share
 * means little on a 3-word answer and much on a 30-word one, and copied runs matter most when overall support is
 * partial. Products let a linear model express that (nested CV: SALAD +0.003, BEGIN +0.004 AUC over no products).
 */
export const interactingFeatures = [
  'support', 'bestSentence', 'bestPassage', 'softSupport', 'longestCopy', 'copiedCoverage', 'logLength',
] as const satisfies readonly (keyof SupportFeatures)[];

/** Names of every model input: the features, then the products `a*b` of `interactingFeatures` pairs, in order. */
export const modelInputNames: readonly string[] = [
  ...featureNames,
  ...interactingFeatures.flatMap((a, i) => interactingFeatures.slice(i + 1).map((b) => `${a}*${b}`)),
];

export function featureVector(features: SupportFeatures): number[] {
  const x: number[] = featureNames.map((name) => features[name]);
  interactingFeatures.forEach((a, i) => {
    for (const b of interactingFeatures.slice(i + 1)) x.push(features[a] * features[b]);
  });
  return x;
}

/** The context, preprocessed once so many answers can be scored against it cheaply. */
export interface PreparedContext {
  readonly stems: ReadonlySet<string>;
  readonly bigrams: ReadonlySet<string>;
  readonly numbers: ReadonlySet<string>;
  /** Content-word stems of each window of two consecutive sentences. */
  readonly windows: readonly ReadonlySet<string>[];
  readonly negates: boolean;
  /** Content-term sets of each sentence. */
  readonly sentenceSets: readonly ReadonlySet<string>[];
  /**
   * Passages of three consecutive sentences (one passage of the whole context when it has fewer, so a short
   * context is judged like a long one rather than scoring 0 for lacking a third sentence): terms in order, and as a set.
   */
  readonly passages: readonly { readonly terms: readonly string[]; readonly set: ReadonlySet<string> }[];
  /** Number of sentences each term occurs in (the weights' document frequency). */
  readonly sentenceFrequency: ReadonlyMap<string, number>;
  /** Character trigrams of every context term of 4+ letters, for soft matching. */
  readonly trigrams: ReadonlyMap<string, ReadonlySet<string>>;
  /** All word tokens, stemmed, stopwords kept, and their positions: for copied runs. */
  readonly words: readonly string[];
  readonly wordIndex: ReadonlyMap<string, readonly number[]>;
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

const contentTermsOf = (text: string): string[] => contentTerms(text, term);

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
  const terms = contentTermsOf(context);
  const bigrams = new Set<string>();
  for (let i = 1; i < terms.length; i++) bigrams.add(`${terms[i - 1]} ${terms[i]}`);
  const sentenceTerms = sentences(context).map(contentTermsOf);
  const sentenceSets = sentenceTerms.map((s) => new Set(s));
  // Two consecutive sentences: a claim often spans a sentence and its follow-up ("It ... . This is why ...").
  const windows = sentenceTerms.map((s, i) => new Set([...s, ...(sentenceTerms[i + 1] ?? [])]));
  const sentenceFrequency = new Map<string, number>();
  for (const set of sentenceSets) for (const t of set) sentenceFrequency.set(t, (sentenceFrequency.get(t) ?? 0) + 1);
  const stems = new Set(terms);
  const trigrams = new Map<string, Set<string>>();
  for (const t of stems) if (t.length >= 4) trigrams.set(t, charTrigrams(t));
  const width = Math.min(3, sentenceTerms.length);
  const passages = [];
  for (let i = 0; i + width <= sentenceTerms.length; i++) {
    const passageTerms = sentenceTerms.slice(i, i + width).flat();
    passages.push({ terms: passageTerms, set: new Set(passageTerms) });
  }
  const words = wordTokens(context).map(stem);
  return {
    stems, bigrams, numbers: new Set(numbersIn(context)), windows, negates: negation.test(context), sentenceSets,
    passages, sentenceFrequency, trigrams, words, wordIndex: positionIndex(words),
  };
}

/** null when the answer has no content word: nothing is claimed, so there is nothing to support. */
export function supportFeatures(answer: string, context: PreparedContext): SupportFeatures | null {
  const terms = contentTermsOf(answer);
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
  const stemmedWords = words.map(stem);
  const copied = extractiveFragments(stemmedWords, context.words, context.wordIndex);
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
    ...passageFeatures(terms, context),
    longestCopy: longestCommonRun(stemmedWords, context.wordIndex) / words.length,
    copiedCoverage: copied.reduce((sum, n) => sum + (n >= 2 ? n : 0), 0) / words.length,
  };
}

/** bestSentence, bestPassage, softSupport and orderedSupport: the weighted, sentence-aware signals. */
function passageFeatures(terms: readonly string[], context: PreparedContext) {
  const sentenceCount = context.sentenceSets.length;
  const weights = terms.map((t) => Math.log((sentenceCount + 1) / ((context.sentenceFrequency.get(t) ?? 0) + 0.5)));
  const total = weights.reduce((a, b) => a + b, 0);
  const weighted = (has: (t: string) => boolean) => terms.reduce((sum, t, i) => sum + (has(t) ? weights[i]! : 0), 0) / total;
  let bestSentence = 0;
  for (const set of context.sentenceSets) bestSentence = Math.max(bestSentence, weighted((t) => set.has(t)));
  let bestPassage = 0;
  let passage: readonly string[] = [];
  for (const { terms: passageTerms, set } of context.passages) {
    const value = weighted((t) => set.has(t));
    if (value > bestPassage) [bestPassage, passage] = [value, passageTerms];
  }
  const soft = terms.reduce((sum, t, i) => sum + softMatch(t, context) * weights[i]!, 0) / total;
  return { bestSentence, bestPassage, softSupport: soft, orderedSupport: lcsLength(terms, passage) / terms.length };
}

/** 1 for a term in the context; else its best trigram Dice with a context term (4+ letters both), else 0. */
function softMatch(t: string, context: PreparedContext): number {
  if (context.stems.has(t)) return 1;
  if (t.length < 4) return 0;
  const own = charTrigrams(t);
  let best = 0;
  for (const other of context.trigrams.values()) best = Math.max(best, dice(own, other));
  return best;
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
