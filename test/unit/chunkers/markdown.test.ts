import { describe, expect, it } from 'vitest';
import { headingStarts } from '../../../src/chunkers/markdown.js';
import { createChunker } from '../../../src/chunkers/registry.js';
import { ConfigError } from '../../../src/shared/errors.js';
import { spansOf } from './corpus.js';

const chunk = (text: string, options: object = {}) => createChunker('markdown', options).chunk({ id: 'd', text });
const twoSections = '# A\nalpha\n## B\nbeta\n'; // "## B" starts at 10

describe('markdown chunker', () => {
  it('starts a section at every ATX heading', () => {
    expect(spansOf(chunk(twoSections, { mergeSmall: false }))).toEqual([[0, 9], [10, 19]]);
  });

  it('merges consecutive small sections while the packed span fits maxChars', () => {
    expect(spansOf(chunk(twoSections))).toEqual([[0, 19]]);
    expect(spansOf(chunk(twoSections, { maxChars: 20, overlapChars: 0 }))).toEqual([[0, 19]]);
    expect(spansOf(chunk(twoSections, { maxChars: 19, overlapChars: 0 }))).toEqual([[0, 9], [10, 19]]);
  });

  it('ignores # lines inside fenced code blocks', () => {
    const text = '# A\n```\n# not a heading\n```\n# B\nb';
    expect(headingStarts(text)).toEqual([0, 28]);
    expect(spansOf(chunk(text, { mergeSmall: false }))).toEqual([[0, 27], [28, 33]]);
    expect(headingStarts('~~~~\n# x\n~~~\n# still code\n~~~~\n# y')).toEqual([31]);
  });

  it('recognises only real ATX headings', () => {
    expect(headingStarts('#tag\n    # indented\n   # ok\n#\n####### seven\n###### six')).toEqual([20, 28, 44]);
  });

  it('splits a section longer than maxChars with the recursive algorithm', () => {
    expect(spansOf(chunk('# T\nab cd ef gh ij', { maxChars: 10, overlapChars: 0 }))).toEqual([[0, 3], [4, 12], [13, 18]]);
  });

  it('splits a long section at document offsets when it does not start the document', () => {
    const chunks = chunk('intro\n# T\nab cd ef gh ij', { maxChars: 10, overlapChars: 0, mergeSmall: false });
    expect(spansOf(chunks)).toEqual([[0, 5], [6, 9], [10, 18], [19, 24]]);
  });

  it('keeps text before the first heading as its own section', () => {
    expect(spansOf(chunk('intro\n# A\nx', { mergeSmall: false }))).toEqual([[0, 5], [6, 11]]);
  });

  it('handles CRLF line ends', () => {
    expect(spansOf(chunk('# A\r\nx\r\n# B\r\ny', { mergeSmall: false }))).toEqual([[0, 6], [8, 14]]);
  });

  it('gives repeated sections distinct offsets', () => {
    const chunks = chunk('# A\nsame\n# A\nsame\n', { mergeSmall: false });
    expect(chunks.map((c) => c.id)).toEqual(['d#0-8', 'd#9-17']);
  });

  it('returns no chunks for an empty or whitespace-only document', () => {
    expect(chunk('')).toEqual([]);
    expect(chunk('\n\n  \n')).toEqual([]);
  });

  it.each([
    [{ maxChars: 100, overlapChars: 100 }, 'overlapChars (100) must be smaller than maxChars (100)'],
    [{ maxChars: -5 }, 'maxChars'],
    [{ mergeSmall: 'yes' }, 'mergeSmall'],
  ])('rejects %j with a ConfigError', (options, message) => {
    expect(() => createChunker('markdown', options)).toThrow(ConfigError);
    expect(() => createChunker('markdown', options)).toThrow(message);
  });
});
