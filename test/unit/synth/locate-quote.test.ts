import { describe, expect, it } from 'vitest';
import { locateQuote } from '../../../src/synth/locate-quote.js';

const doc = 'The Boundary Layer\n\nthickens   downstream of the shock. It separates at “high” Mach numbers — see below.';

describe('locateQuote', () => {
  it('finds an exact quote, trimmed and without quotation marks or ellipses around it', () => {
    expect(locateQuote(doc, 'downstream of the shock', 0)).toEqual({ start: 31, end: 54, method: 'exact', distance: 0 });
    expect(locateQuote(doc, '  "…downstream of the shock..."  ', 0)).toMatchObject({ start: 31, end: 54, method: 'exact' });
  });

  it('finds a quote that differs in case, whitespace and typographic marks, in original offsets', () => {
    const match = locateQuote(doc, 'the boundary layer thickens downstream', 0)!;
    expect(match).toMatchObject({ method: 'normalized', distance: 0 });
    expect(doc.slice(match.start, match.end)).toBe('The Boundary Layer\n\nthickens   downstream');
    const marks = locateQuote(doc, 'separates at "high" mach numbers - see', 0)!;
    expect(doc.slice(marks.start, marks.end)).toBe('separates at “high” Mach numbers — see');
  });

  it('finds a slightly misquoted passage within the tolerance, and not beyond it', () => {
    // Two substitutions in 33 characters: allowed at 0.1 (3 edits), not at 0.05 (1 edit).
    const quote = 'it separatez at "high" mach numbrs';
    const match = locateQuote(doc, quote, 0.1)!;
    expect(match).toMatchObject({ method: 'fuzzy', distance: 2 });
    expect(doc.slice(match.start, match.end)).toBe('It separates at “high” Mach numbers');
    expect(locateQuote(doc, quote, 0.05)).toBeNull();
  });

  it('handles a dropped and an inserted character', () => {
    const match = locateQuote(doc, 'thickens downstrem of thee shock', 0.1)!;
    expect(match).toMatchObject({ method: 'fuzzy', distance: 2 });
    expect(doc.slice(match.start, match.end)).toBe('thickens   downstream of the shock');
  });

  it('returns null for an invented quote, an empty quote and an empty document', () => {
    expect(locateQuote(doc, 'completely unrelated words about rockets', 0.2)).toBeNull();
    expect(locateQuote(doc, '  ', 0.2)).toBeNull();
    expect(locateQuote('', 'anything', 0.5)).toBeNull();
  });

  it('picks the right copy of a repeated passage by its context', () => {
    const text = 'alpha beta gamma. alpha beta delta.';
    expect(locateQuote(text, 'alpha beta delta', 0)).toMatchObject({ start: 18, end: 34 });
    expect(locateQuote(text, 'alpha beta deltx', 0.1)).toMatchObject({ start: 18, end: 34, method: 'fuzzy', distance: 1 });
  });
});
