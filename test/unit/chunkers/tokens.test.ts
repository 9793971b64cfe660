import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { describe, expect, it } from 'vitest';
import { createChunker } from '../../../src/chunkers/registry.js';
import { ConfigError } from '../../../src/shared/errors.js';
import { lacks } from '../../helpers/datasets.js';
import { readCorpus, spansOf } from './corpus.js';

const chunk = (text: string, options: object = {}) => createChunker('tokens', options).chunk({ id: 'd', text });

describe('tokens chunker', () => {
  // cl100k_base: "hello" " world" " foo" " bar"
  it.each([
    [{ sizeTokens: 1 }, [[0, 5], [5, 11], [11, 15], [15, 19]]],
    [{ sizeTokens: 2 }, [[0, 11], [11, 19]]],
    [{ sizeTokens: 3, overlapTokens: 1 }, [[0, 15], [11, 19]]],
    [{ sizeTokens: 2, overlapTokens: 1, encoding: 'o200k_base' }, [[0, 11], [5, 15], [11, 19]]],
  ])('cuts "hello world foo bar" with %j at token boundaries %j', (options, spans) => {
    expect(spansOf(chunk('hello world foo bar', options))).toEqual(spans);
  });

  it('gives repeated passages distinct offsets ("abc" " abc" " abc" " abc")', () => {
    expect(spansOf(chunk('abc abc abc abc', { sizeTokens: 1 }))).toEqual([[0, 3], [3, 7], [7, 11], [11, 15]]);
  });

  it('widens a chunk to whole characters when tokens split a character\'s UTF-8 bytes', () => {
    // 🦒 is three byte-level tokens in cl100k_base; each one-token window becomes the whole emoji, once.
    expect(spansOf(chunk('🦒🦒', { sizeTokens: 1 }))).toEqual([[0, 2], [2, 4]]);
    // "a" " \xF0\x9D" "\x94" "\x98" " b": the chunk starting inside 𝔘 starts at the character.
    const chunks = chunk('a 𝔘 b', { sizeTokens: 1 });
    expect(chunks.map((c) => c.text)).toEqual(['a', ' 𝔘', '𝔘', ' b']);
  });

  it('treats special-token strings in a document as ordinary text', () => {
    expect(chunk('<|endoftext|> x', { sizeTokens: 100 }).map((c) => c.text)).toEqual(['<|endoftext|> x']);
  });

  it('keeps CRLF inside chunks as written', () => {
    expect(chunk('line one\r\nline two\r\n', { sizeTokens: 100 })[0]!.text).toBe('line one\r\nline two\r\n');
  });

  it('returns no chunks for an empty or whitespace-only document', () => {
    expect(chunk('')).toEqual([]);
    expect(chunk('   \n ')).toEqual([]);
  });

  it.skipIf(lacks('cisi'))('produces sizeTokens-token chunks that tile a real document exactly', () => {
    const encoder = new Tiktoken(cl100k);
    const doc = readCorpus('cisi')[0]!;
    const chunks = createChunker('tokens', { sizeTokens: 16 }).chunk(doc);
    expect(chunks.map((c) => c.text).join('')).toBe(doc.text);
    expect(chunks.length).toBe(Math.ceil(encoder.encode(doc.text).length / 16));
    for (const c of chunks.slice(0, -1)) expect(encoder.encode(c.text).length).toBeLessThanOrEqual(16);
  });

  it('applies defaults (256 tokens, no overlap, cl100k_base)', () => {
    expect(createChunker('tokens').fingerprint).toBe('tokens:{"encoding":"cl100k_base","overlapTokens":0,"sizeTokens":256}');
  });

  it.each([
    [{ sizeTokens: 8, overlapTokens: 8 }, 'overlapTokens (8) must be smaller than sizeTokens (8)'],
    [{ encoding: 'gpt2' }, 'encoding'],
    [{ sizeTokens: 0 }, 'sizeTokens'],
  ])('rejects %j with a ConfigError', (options, message) => {
    expect(() => createChunker('tokens', options)).toThrow(ConfigError);
    expect(() => createChunker('tokens', options)).toThrow(message);
  });
});
