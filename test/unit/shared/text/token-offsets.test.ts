import { describe, expect, it } from 'vitest';
import { getEncoding } from 'js-tiktoken';
import { readFileSync } from 'node:fs';
import { createTokenOffsets } from '../../../../src/shared/text/token-offsets.js';
import { datasetPath, irDatasets, lacks } from '../../../helpers/datasets.js';

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

  // The pieces are encoded once each and remembered (issue 25); the tokens must be exactly js-tiktoken's own.
  it.skipIf(lacks(...irDatasets)).each(['cl100k_base', 'o200k_base'] as const)('gives exactly js-tiktoken %s tokens on real corpora, with pieces remembered', (encoding) => {
    const offsets = createTokenOffsets(encoding);
    const reference = getEncoding(encoding);
    const texts = irDatasets.flatMap((name) =>
      readFileSync(datasetPath(name, 'corpus.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .slice(0, 300)
        .map((line) => (JSON.parse(line) as { text: string }).text),
    );
    // Whitespace runs that split differently on their own, repeated pieces, special-token text.
    texts.push('a   b\n\n  c \t\n d  ', 'x  \n\n\n   y', 'ends with spaces   ', '<|endoftext|> twice <|endoftext|>', ' \n \n\t x');
    let compared = 0;
    // Twice over: the second pass reads remembered pieces.
    for (const text of [...texts, ...texts]) {
      // eslint-disable-next-line no-control-regex
      if (!/^[\x00-\x7f]*$/.test(text)) continue; // one byte per character: token byte lengths are the offsets
      const { starts, ends } = offsets(text);
      const tokens = reference.encode(text, [], []);
      let at = 0;
      const expectedEnds = tokens.map((token) => (at += reference.decode([token]).length));
      expect(Array.from(ends)).toEqual(expectedEnds);
      expect(Array.from(starts)).toEqual([0, ...expectedEnds.slice(0, -1)]);
      compared++;
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
