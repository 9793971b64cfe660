import { describe, expect, it } from 'vitest';
import { CorpusMatcher } from '../../../src/retrievers/external.js';
import { TextLocator } from '../../../src/shared/text/locate-text.js';
import { spanMetricsForQuery } from '../../../src/metrics/spans.js';

const doc = { id: 'd1', text: 'Alpha beta.\n\nGamma   delta epsilon.\nAlpha beta.' };

describe('TextLocator', () => {
  it('finds exact text first, then with whitespace runs read as one space, then without whitespace', () => {
    const locator = new TextLocator(doc.text);
    expect(locator.locate('Alpha beta.')).toEqual({ start: 0, end: 11, match: 'exact' });
    expect(locator.locate('Alpha beta.', 1)).toEqual({ start: 36, end: 47, match: 'exact' });
    const spaced = locator.locate('Gamma delta epsilon.');
    expect(spaced).toMatchObject({ match: 'whitespace' });
    expect(doc.text.slice(spaced!.start, spaced!.end)).toBe('Gamma   delta epsilon.');
    const joined = locator.locate('beta.Gamma');
    expect(joined).toMatchObject({ match: 'no-whitespace' });
    expect(doc.text.slice(joined!.start, joined!.end)).toBe('beta.\n\nGamma');
    expect(locator.locate('not there')).toBeUndefined();
    expect(locator.locate('  ')).toBeUndefined();
  });
});

describe('CorpusMatcher', () => {
  it('places hits by offsets, by text, or not at all, and counts each outcome once per distinct chunk', () => {
    const matcher = new CorpusMatcher([doc]);
    const hits = matcher.toHits([
      { ref: 'a', docId: 'd1', text: 'Alpha beta.', score: 0.9 },
      { ref: 'b', docId: 'd1', text: 'Alpha beta.', score: 0.8 }, // the same text again: the next occurrence
      { ref: 'c', docId: 'd1', text: 'Gamma delta epsilon.', start: 0, end: 5 }, // offsets disagree with the text
      { ref: 'd', docId: 'd1', text: 'nowhere' },
      { ref: 'e', docId: 'ghost', text: 'Alpha beta.' },
      { ref: 'f', docId: 'd1' },
    ]);
    expect(hits.map((h) => h.id)).toEqual(['d1#0-11', 'd1#36-47', 'd1#13-35', 'd1#?d', 'ghost#?e', 'd1#?f']);
    // Missing scores keep the source's order.
    expect(hits[2]!.score).toBe(-3);
    matcher.toHits([{ ref: 'a', docId: 'd1', text: 'Alpha beta.' }]);
    expect(matcher.stats()).toEqual({
      chunks: 6,
      unmatchedDocIds: 1,
      located: { offsets: 0, exact: 2, whitespace: 1, 'no-whitespace': 0 },
      unlocated: 1,
      withoutText: 1,
      unmatchedExamples: ['ghost'],
    });
    // Span metrics use the located chunks and leave the others out.
    const scores = spanMetricsForQuery(hits, [{ docId: 'd1', start: 0, end: 11, grade: 1 }], 10);
    expect(scores?.recall).toBe(1);
  });
});
