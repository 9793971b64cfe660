/**
 * Issue 11 #5: no chunker cuts inside a surrogate pair, and boundaries fall between grapheme clusters (combining
 * marks, ZWJ emoji sequences, CRLF stay whole) with exact offsets, on random astral / combining / RTL / CJK text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Chunk } from '../../src/chunkers/chunker.js';
import { chunkers, createChunker, type ChunkerKind } from '../../src/chunkers/registry.js';
import type { Document } from '../../src/corpus/types.js';
import { createRandom } from '../../src/stats/random.js';

/** Pieces of text that are one grapheme cluster (or a run of them) in many scripts. */
const atoms = [
  '🚀', '🚀🚀', '😀', '𝔘', '𝕏𝕐', '👩‍👩‍👧‍👦', '👍🏽', '🇫🇷', '❤️', 'é', 'e\u0301', 'a\u0308\u0301', 'ñ', 'Å',
  'שָׁלוֹם', 'مرحبا', 'بالعالم', 'العربية', '\u200F', 'हिन्दी', 'ภาษาไทย', '東京都', '日本語の文章です。', '한국어',
  'word', 'text', 'Straße', ' ', ' ', ' ', '\n', '\r\n', '\n\n', '. ', '? ', '# Heading\n', '## Part\r\n',
];

function randomDocument(id: string, random: () => number, length: number): Document {
  let text = '';
  while (text.length < length) text += atoms[Math.floor(random() * atoms.length)]!;
  return { id, text };
}

/** Offsets (UTF-16) at which a grapheme cluster starts, plus the end. */
function graphemeBoundaries(text: string): Set<number> {
  const boundaries = new Set<number>([text.length]);
  for (const { index } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)) boundaries.add(index);
  return boundaries;
}

const small: Record<ChunkerKind, object> = {
  fixed: { sizeChars: 7, overlapChars: 3 },
  tokens: { sizeTokens: 3, overlapTokens: 1 },
  recursive: { sizeChars: 9, overlapChars: 3 },
  sentences: { sentencesPerChunk: 1, overlapSentences: 0 },
  markdown: { maxChars: 9, overlapChars: 2 },
  semantic: { bufferSize: 0, thresholdType: 'gradient', minChars: 4, maxChars: 13 },
  langchain: { chunkSize: 9, chunkOverlap: 3 },
};

const random = createRandom(11);
const documents = Array.from({ length: 60 }, (_, i) => randomDocument(`d${i}`, () => random.next(), 20 + random.int(300)));

describe.each(Object.keys(chunkers) as ChunkerKind[])('%s on astral, combining, ZWJ, RTL and CJK text', (kind) => {
  const chunker = createChunker(kind, small[kind]);
  beforeAll(async () => {
    await chunker.prepare?.(documents);
  });

  it('keeps exact offsets, never a lone surrogate, and cuts only between grapheme clusters', () => {
    const problems: string[] = [];
    for (const doc of documents) {
      const boundaries = graphemeBoundaries(doc.text);
      const chunks: Chunk[] = chunker.chunk(doc);
      for (const c of chunks) {
        if (doc.text.slice(c.start, c.end) !== c.text) problems.push(`${c.id}: text is not the slice`);
        if (/\p{Cs}/u.test(c.text)) problems.push(`${c.id}: lone surrogate in ${JSON.stringify(c.text)}`);
        if (!boundaries.has(c.start) || !boundaries.has(c.end)) problems.push(`${c.id}: cuts a grapheme cluster in ${JSON.stringify(c.text)}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
