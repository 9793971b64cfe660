import { z } from 'zod';
import type { Document } from '../corpus/types.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import type { Chunk, Chunker } from './chunker.js';
import { addCapped } from './recursive-split.js';
import { ChunkCollector, skipWhitespace, skipWhitespaceBack, smallerThan, windows } from './spans.js';

export function isValidLocale(locale: string): boolean {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}

const options = z
  .strictObject({
    sentencesPerChunk: z.number().int().positive().default(5),
    overlapSentences: z.number().int().nonnegative().default(0),
    locale: z.string().refine(isValidLocale, { message: 'locale must be a BCP 47 language tag such as "en" or "de-CH"' }).default('en'),
    spacedTerminators: z.boolean().default(true),
    /** Size cap: a group longer than this is split by the recursive algorithm (no sentence rule bounds a sentence). */
    maxChars: z.number().int().positive().default(8000),
  })
  .superRefine(smallerThan('overlapSentences', 'sentencesPerChunk'));

type SentencesOptions = z.output<typeof options>;

/**
 * A terminator standing alone between spaces ("word . next"), the end of the whitespace after it being the
 * boundary. Unicode's sentence rules (UAX #29, which Intl.Segmenter follows) never break before a lowercase
 * word, so Cranfield's lowercased, tokenised text ("... a slipstream . an experimental study ...") would be one
 * sentence per document without this; in ordinary prose a space before a full stop is rare.
 */
const spacedTerminator = /\s[.!?]+\s+/g;

/**
 * Sentence spans of `text` as flat `start, end` pairs, trimmed of outer whitespace, in document order: the
 * segmenter's boundaries plus, with `spacedTerminators`, a break after a terminator written as its own token.
 * Whitespace-only segments are not sentences. Shared by the `sentences` and `semantic` chunkers and by `synth`.
 */
export function segmentSentences(text: string, segmenter: Intl.Segmenter, spacedTerminators: boolean): number[] {
  const cuts: number[] = [];
  for (const segment of segmenter.segment(text)) cuts.push(segment.index);
  if (spacedTerminators) {
    // matchAll works on a copy of the regex, so the shared one keeps no state between calls.
    for (const m of text.matchAll(spacedTerminator)) cuts.push(m.index + m[0].length);
    cuts.sort((a, b) => a - b);
  }
  cuts.push(text.length);
  const spans: number[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = skipWhitespace(text, cuts[i]!, cuts[i + 1]!);
    if (start === cuts[i + 1]) continue; // empty (a repeated cut) or whitespace only
    spans.push(start, skipWhitespaceBack(text, start, cuts[i + 1]!));
  }
  return spans;
}

/**
 * Groups of `sentencesPerChunk` sentences, `sentencesPerChunk - overlapSentences` apart. Sentences come from
 * `Intl.Segmenter(locale, { granularity: 'sentence' })` (built into Node, offline), plus, with
 * `spacedTerminators` (default true), a break after a terminator written as its own token (see above).
 * Whitespace-only segments are not sentences; each chunk spans its first sentence's first non-whitespace
 * character to its last sentence's last one. A group longer than `maxChars` (default 8000) is split by the
 * recursive algorithm, so a document without sentence breaks never becomes one huge chunk.
 */
class SentencesChunker implements Chunker {
  readonly fingerprint: string;
  readonly #options: SentencesOptions;
  readonly #segmenter: Intl.Segmenter;

  constructor(options: SentencesOptions) {
    this.#options = options;
    this.fingerprint = fingerprintOf('sentences', options);
    this.#segmenter = new Intl.Segmenter(options.locale, { granularity: 'sentence' });
  }

  /** Sentence spans as flat `start, end` pairs, trimmed, in document order. */
  sentenceSpans(text: string): number[] {
    return segmentSentences(text, this.#segmenter, this.#options.spacedTerminators);
  }

  chunk(doc: Document): Chunk[] {
    const spans = this.sentenceSpans(doc.text);
    const collector = new ChunkCollector(doc);
    const { sentencesPerChunk, overlapSentences } = this.#options;
    for (const [first, last] of windows(spans.length / 2, sentencesPerChunk, overlapSentences)) {
      addCapped(collector, doc.text, { start: spans[first * 2]!, end: spans[last * 2 - 1]! }, this.#options.maxChars);
    }
    return collector.chunks;
  }
}

export const sentences = definePlugin({
  description: 'groups of sentences found by Intl.Segmenter (sentencesPerChunk, overlapSentences, locale)',
  options,
  create(options) {
    return new SentencesChunker(options);
  },
});
