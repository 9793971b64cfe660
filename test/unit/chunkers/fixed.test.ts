import { describe, expect, it } from 'vitest';
import { createChunker } from '../../../src/chunkers/registry.js';
import { ConfigError } from '../../../src/shared/errors.js';
import { spansOf } from './corpus.js';

const chunk = (text: string, options: object = {}) => createChunker('fixed', options).chunk({ id: 'd', text });

describe('fixed chunker', () => {
  it.each([
    ['abcdefghij', { sizeChars: 4 }, [[0, 4], [4, 8], [8, 10]]],
    ['abcdefghij', { sizeChars: 4, overlapChars: 1 }, [[0, 4], [3, 7], [6, 10]]],
    ['abcdefghij', { sizeChars: 5, overlapChars: 4 }, [[0, 5], [1, 6], [2, 7], [3, 8], [4, 9], [5, 10]]],
    ['abcd', { sizeChars: 10 }, [[0, 4]]],
  ])('windows %j with %j are %j', (text, options, spans) => {
    expect(spansOf(chunk(text, options))).toEqual(spans);
  });

  it('defaults to 512 characters without overlap', () => {
    expect(spansOf(chunk('x'.repeat(1100)))).toEqual([[0, 512], [512, 1024], [1024, 1100]]);
    expect(createChunker('fixed').fingerprint).toBe('fixed:{"overlapChars":0,"sizeChars":512}');
  });

  it('moves a boundary back rather than cut a surrogate pair', () => {
    // a b 😀(2,3) c d: a window ending at 3 would cut the emoji.
    const chunks = chunk('ab😀cd', { sizeChars: 3 });
    expect(spansOf(chunks)).toEqual([[0, 2], [2, 5], [5, 6]]);
    expect(chunks.map((c) => c.text)).toEqual(['ab', '😀c', 'd']);
  });

  it('widens a one-character window to hold a whole surrogate pair', () => {
    expect(spansOf(chunk('😀a', { sizeChars: 1 }))).toEqual([[0, 2], [2, 3]]);
  });

  it('moves an overlap start forward out of a surrogate pair and still advances', () => {
    const chunks = chunk('😀😀😀', { sizeChars: 3, overlapChars: 2 });
    expect(spansOf(chunks)).toEqual([[0, 2], [2, 4], [4, 6]]);
  });

  it('gives repeated passages distinct offsets and ids', () => {
    const chunks = chunk('abc abc abc ', { sizeChars: 4 });
    expect(chunks.map((c) => c.id)).toEqual(['d#0-4', 'd#4-8', 'd#8-12']);
    expect(chunks.every((c) => c.text === 'abc ')).toBe(true);
  });

  it('drops whitespace-only windows', () => {
    expect(spansOf(chunk('ab    cd', { sizeChars: 2 }))).toEqual([[0, 2], [6, 8]]);
  });

  it('keeps CRLF line ends as written', () => {
    expect(chunk('a\r\nb\r\n', { sizeChars: 3 }).map((c) => c.text)).toEqual(['a\r\n', 'b\r\n']);
  });

  it('returns no chunks for an empty document', () => {
    expect(chunk('')).toEqual([]);
  });

  it.each([
    [{ sizeChars: 10, overlapChars: 10 }, 'overlapChars (10) must be smaller than sizeChars (10)'],
    [{ sizeChars: 0 }, 'sizeChars'],
    [{ overlapChars: -1 }, 'overlapChars'],
    [{ size: 10 }, 'size'],
  ])('rejects %j with a ConfigError', (options, message) => {
    expect(() => createChunker('fixed', options)).toThrow(ConfigError);
    expect(() => createChunker('fixed', options)).toThrow(message);
  });
});
