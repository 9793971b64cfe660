import { z } from 'zod';
import { segmentSentences } from '../chunkers/sentences.js';
import type { Decision } from '../corpus/qa.js';
import { stem, stopwords, wordTokens } from '../metrics/text-normalize.js';
import { normalizeForMatching } from '../shared/text/unicode-text.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import type { Answerer, AnswerOptions, ContextPassage, GeneratedAnswer } from './answerer.js';

const extractiveOptions = z.strictObject({
  /** Sentences in the answer, at most. */
  maxSentences: z.int().min(1).max(20).default(2),
  /** Intl.Segmenter locale for sentence boundaries. */
  locale: z.string().min(1).default('en'),
});

type ExtractiveOptions = z.output<typeof extractiveOptions>;

/** The offline baseline: the context sentences that share the most (IDF-weighted) question terms. */
export const extractive = definePlugin({
  description: 'offline baseline: the context sentences sharing the most IDF-weighted question terms (maxSentences)',
  options: extractiveOptions,
  async create(options: ExtractiveOptions): Promise<Answerer> {
    return createExtractiveAnswerer(options);
  },
});

/** A context sentence with its overlap score. */
interface ExtractedSentence {
  readonly text: string;
  /** Position in context order (passage, then offset): the output order. */
  readonly order: number;
  readonly terms: ReadonlySet<string>;
  score: number;
}

/**
 * Deterministic and offline, so the whole pipeline runs without an API and re-runs give identical answers.
 *
 * 1. Every passage is split into sentences (Intl.Segmenter, as the `sentences` chunker does).
 * 2. Terms are content words (`wordTokens` minus stopwords), Porter-stemmed, so "vaccines" meets "vaccine".
 * 3. A sentence scores Σ idf(t) over the DISTINCT question terms it holds, with
 *    idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5)) over the N passages (Lucene's BM25 idf: never negative), so a
 *    term every passage repeats counts little and a rare, specific one much.
 * 4. The `maxSentences` best (ties: earlier first) with a score above 0 are returned in context order; when no
 *    sentence shares a term, the first sentence stands in (lead baseline), and no context gives an empty answer.
 *
 * Decision rule (yes/no/maybe tasks): "no" when a chosen sentence holds a negation or null-result cue (see
 * `negationCue`), "yes" otherwise (PubMedQA's majority class, 55%), "maybe" when there is no context to read.
 * A baseline to beat, not a reader: it cannot tell "no difference was found" from "no patient died".
 */
export function createExtractiveAnswerer(options: ExtractiveOptions): Answerer {
  const segmenter = new Intl.Segmenter(options.locale, { granularity: 'sentence' });
  return {
    fingerprint: fingerprintOf('extractive', options),
    heuristic:
      'extractive (offline heuristic): copies the context sentences sharing the most question terms and labels ' +
      'yes/no/maybe by a negation-word pattern that defaults to "yes"',
    async answer(question: string, contexts: readonly ContextPassage[], call: AnswerOptions = {}): Promise<GeneratedAnswer> {
      call.signal?.throwIfAborted();
      const started = performance.now();
      const chosen = chooseSentences(question, contexts, segmenter, options.maxSentences);
      const text = chosen.map((s) => s.text).join(' ');
      const label: Decision | undefined = call.decision ? decide(chosen) : undefined;
      return {
        text,
        ...(label ? { label } : {}),
        inputTokens: 0,
        outputTokens: 0,
        latencyMs: performance.now() - started,
        cached: false,
      };
    },
  };
}

/** The chosen sentences in context order (see `createExtractiveAnswerer`). */
function chooseSentences(
  question: string,
  contexts: readonly ContextPassage[],
  segmenter: Intl.Segmenter,
  maxSentences: number,
): ExtractedSentence[] {
  const sentences: ExtractedSentence[] = [];
  const documentFrequency = new Map<string, number>();
  for (const passage of contexts) {
    const spans = segmentSentences(passage.text, segmenter, true);
    const passageTerms = new Set<string>();
    for (let i = 0; i < spans.length; i += 2) {
      const text = passage.text.slice(spans[i], spans[i + 1]);
      const terms = new Set(termsOf(text));
      for (const term of terms) passageTerms.add(term);
      sentences.push({ text, order: sentences.length, terms, score: 0 });
    }
    for (const term of passageTerms) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  if (sentences.length === 0) return [];
  const n = contexts.length;
  const idf = (term: string) => {
    const df = documentFrequency.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };
  const questionTerms = new Set(termsOf(question));
  for (const sentence of sentences) {
    for (const term of questionTerms) if (sentence.terms.has(term)) sentence.score += idf(term);
  }
  const ranked = sentences
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, maxSentences);
  const chosen = ranked.length > 0 ? ranked : [sentences[0]!];
  return chosen.sort((a, b) => a.order - b.order);
}

function termsOf(text: string): string[] {
  return wordTokens(text)
    .filter((word) => !stopwords.has(word))
    .map(stem);
}

/**
 * Cues of a negative or null finding, as abstracts word them ("no significant difference", "did not improve",
 * "was not associated", "failed to"). Plain "no"/"not" alone are too common in positive findings to count.
 */
const negationCue =
  /\b(?:no|not|nor|neither)\s+(?:\w+\s+){0,2}?(?:significant(?:ly)?|difference|differ(?:ed)?|associat\w*|correlat\w*|effect|benefit|improve\w*|increase\w*|reduc\w*|chang\w*|evidence|relation\w*|predict\w*|impact)\b|\bfail(?:ed|s)? to\b|\b(?:did|does|do|was|were|is|are|could|can)\s*n[o']t\b|\bnon-?significant\b|\binsignificant\b|\bcomparable\b|\bsimilar\b/i;

function decide(chosen: readonly ExtractedSentence[]): Decision {
  if (chosen.length === 0) return 'maybe';
  return chosen.some((s) => negationCue.test(normalizeForMatching(s.text))) ? 'no' : 'yes';
}
