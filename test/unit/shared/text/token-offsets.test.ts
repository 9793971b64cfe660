import { describe, expect, it } from 'vitest';
import { getEncoding } from 'js-tiktoken';
import { createTokenOffsets } from '../../../../src/shared/text/token-offsets.js';

const offsetsOf = createTokenOffsets('cl100k_base');

describe('token offsets', () => {
  it('gives each cl100k token its exact characters, in order, covering the text', () => {
    const text = 'Flutter of swept wings at Mach 2.4 — see (Smith, 1961).\n\nBoundary layers!';
    const { starts, ends } = offsetsOf(text);
    const reference = getEncoding('cl100k_base');
    const tokens = reference.encode(text, [], []);
    expect(starts.length).toBe(tokens.length);
    tokens.forEach((token, i) => expect(text.slice(starts[i], ends[i])).toBe(reference.decode([token])));
    expect(starts[0]).toBe(0);
    expect(ends[ends.length - 1]).toBe(text.length);
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBe(ends[i - 1]);
  });

  it('widens a token that starts or ends inside a multi-byte character to the whole character', () => {
    const text = '🦜🦜 über 東京';
    const { starts, ends } = offsetsOf(text);
    for (let i = 0; i < starts.length; i++) {
      expect(starts[i]).toBeLessThan(ends[i]!);
      // never a lone surrogate half at either edge
      expect(text.codePointAt(starts[i]!)! >= 0xdc00 && text.codePointAt(starts[i]!)! <= 0xdfff).toBe(false);
    }
    expect(ends[ends.length - 1]).toBe(text.length);
  });

  it('has no tokens for an empty text', () => {
    expect(offsetsOf('').starts.length).toBe(0);
  });
});
