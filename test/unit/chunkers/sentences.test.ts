import { describe, expect, it } from 'vitest';
import { createChunker } from '../../../src/chunkers/registry.js';
import { ConfigError } from '../../../src/shared/errors.js';
import { readCorpus, spansOf } from './corpus.js';
import { lacks } from '../../helpers/datasets.js';

const chunk = (text: string, options: object = {}) => createChunker('sentences', options).chunk({ id: 'd', text });
const four = 'One. Two. Three. Four.'; // sentences at 0-4, 5-9, 10-16, 17-22

describe('sentences chunker', () => {
  it.each([
    [{ sentencesPerChunk: 1 }, [[0, 4], [5, 9], [10, 16], [17, 22]]],
    [{ sentencesPerChunk: 2 }, [[0, 9], [10, 22]]],
    [{ sentencesPerChunk: 2, overlapSentences: 1 }, [[0, 9], [5, 16], [10, 22]]],
    [{ sentencesPerChunk: 3 }, [[0, 16], [17, 22]]],
    [{}, [[0, 22]]],
  ])('groups "One. Two. Three. Four." with %j into %j', (options, spans) => {
    expect(spansOf(chunk(four, options))).toEqual(spans);
  });

  it('ends a sentence at a spaced terminator, as in Cranfield\'s tokenised "word ." text', () => {
    const text = 'a wing . an experimental study . the results .';
    expect(spansOf(chunk(text, { sentencesPerChunk: 1 }))).toEqual([[0, 8], [9, 32], [33, 46]]);
    // Intl.Segmenter alone sees one sentence: UAX #29 does not break before a lowercase word.
    expect(spansOf(chunk(text, { sentencesPerChunk: 1, spacedTerminators: false }))).toEqual([[0, 46]]);
  });

  it.skipIf(lacks('cranfield'))('finds many sentences in a real Cranfield document', () => {
    const doc = readCorpus('cranfield')[0]!;
    const chunks = createChunker('sentences', { sentencesPerChunk: 1 }).chunk(doc);
    expect(chunks.length).toBeGreaterThanOrEqual(5);
    expect(chunks.every((c) => c.text.endsWith('.'))).toBe(true);
  });

  it('gives repeated sentences distinct offsets', () => {
    expect(spansOf(chunk('Go. Go. Go. Go.', { sentencesPerChunk: 1 }))).toEqual([[0, 3], [4, 7], [8, 11], [12, 15]]);
  });

  it('breaks at CRLF line ends and leaves them out of the chunks', () => {
    expect(spansOf(chunk('Line one\r\nLine two', { sentencesPerChunk: 1 }))).toEqual([[0, 8], [10, 18]]);
  });

  it('counts an emoji as two UTF-16 units', () => {
    expect(spansOf(chunk('I like 😀. You too.', { sentencesPerChunk: 1 }))).toEqual([[0, 10], [11, 19]]);
  });

  it('returns no chunks for an empty or whitespace-only document', () => {
    expect(chunk('')).toEqual([]);
    expect(chunk(' \n\r\n ')).toEqual([]);
  });

  it('accepts another locale', () => {
    expect(chunk('Erstens. Zweitens.', { locale: 'de', sentencesPerChunk: 1 }).map((c) => c.text)).toEqual(['Erstens.', 'Zweitens.']);
  });

  it.each([
    [{ sentencesPerChunk: 2, overlapSentences: 2 }, 'overlapSentences (2) must be smaller than sentencesPerChunk (2)'],
    [{ locale: 'not a locale!' }, 'locale must be a BCP 47 language tag'],
    [{ sentencesPerChunk: 0 }, 'sentencesPerChunk'],
  ])('rejects %j with a ConfigError', (options, message) => {
    expect(() => createChunker('sentences', options)).toThrow(ConfigError);
    expect(() => createChunker('sentences', options)).toThrow(message);
  });
});

describe('sentences size cap (issue 11 #9)', () => {
  it('splits a document without sentence breaks at maxChars (default 8000) instead of making one huge chunk', () => {
    const text = 'word '.repeat(1_000_000); // 5 MB, no terminator: one "sentence"
    const doc = { id: 'big', text };
    const chunks = createChunker('sentences', {}).chunk(doc);
    expect(chunks.length).toBeGreaterThan(600);
    expect(Math.max(...chunks.map((c) => c.end - c.start))).toBeLessThanOrEqual(8000);
    for (const c of chunks.slice(0, 50)) expect(c.text).toBe(text.slice(c.start, c.end));
    const small = createChunker('sentences', { maxChars: 100 }).chunk({ id: 's', text: 'One short sentence. ' + 'x'.repeat(250) });
    expect(small[0]!.text).toBe('One short sentence.');
    expect(small.slice(1).map((c) => c.text).join('')).toBe('x'.repeat(250));
    expect(Math.max(...small.map((c) => c.end - c.start))).toBeLessThanOrEqual(100);
  });
});
