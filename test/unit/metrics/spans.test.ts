import { describe, expect, it } from 'vitest';
import type { RelevantSpan } from '../../../src/corpus/types.js';
import {
  chunkCost,
  chunkSpanOf,
  mergeIntervals,
  parseSpanMetricName,
  spanMetricsForQuery,
  spanMetricValue,
  spanScores,
  toTokenSpan,
} from '../../../src/metrics/spans.js';

const hit = (docId: string, start: number, end: number) => ({ id: `${docId}#${start}-${end}`, docId, score: 1 });
const span = (docId: string, start: number, end: number, grade = 1): RelevantSpan => ({ docId, start, end, grade });

/** recall, precision, IoU rounded for table comparison. */
function scores(hits: ReturnType<typeof hit>[], spans: RelevantSpan[] | undefined, k: number) {
  const s = spanMetricsForQuery(hits, spans, k);
  return s && [s.recall, s.precision, s.iou].map((v) => Number(v.toFixed(6)));
}
const r = (v: number) => Number(v.toFixed(6));

describe('span metrics, hand-computed', () => {
  it.each([
    {
      // R = [0,20) ∪ [15,40) = [0,40), 40 chars (Chroma would count 45); R∩S = [10,30) = 20.
      name: 'overlapping chunks count their shared text once',
      hits: [hit('d', 0, 20), hit('d', 15, 40)],
      spans: [span('d', 10, 30)],
      k: 2,
      expected: [1, 0.5, 0.5], // IoU 20 / (20 + 40 − 20)
    },
    {
      // The span [45,55) crosses the boundary at 50; the top chunk [0,50) holds 5 of its 10 characters.
      name: 'a span crossing a chunk boundary, top 1',
      hits: [hit('d', 0, 50), hit('d', 50, 100)],
      spans: [span('d', 45, 55)],
      k: 1,
      expected: [0.5, 0.1, r(5 / 55)],
    },
    {
      name: 'a span crossing a chunk boundary, top 2',
      hits: [hit('d', 0, 50), hit('d', 50, 100)],
      spans: [span('d', 45, 55)],
      k: 2,
      expected: [1, 0.1, 0.1], // R = [0,100), overlap 10, union 100
    },
    {
      // S: a 10 + b 20 = 30. R: b [90,110) 20 + c 50 + a [5,15) 10 = 80. R∩S: b 10 + a 5 = 15.
      name: 'several documents: offsets only meet within the same document',
      hits: [hit('b', 90, 110), hit('c', 0, 50), hit('a', 5, 15)],
      spans: [span('a', 0, 10), span('b', 100, 120)],
      k: 3,
      expected: [0.5, 0.1875, r(15 / 95)],
    },
    {
      // The same offsets in another document are not relevant text.
      name: 'the right offsets in the wrong document score 0',
      hits: [hit('x', 0, 10)],
      spans: [span('d', 0, 10)],
      k: 5,
      expected: [0, 0, 0],
    },
    {
      // S = [0,10) ∪ [5,15) = 15 chars; R = [0,15) = 15.
      name: 'overlapping relevant spans are merged too',
      hits: [hit('d', 0, 15)],
      spans: [span('d', 0, 10), span('d', 5, 15, 3)],
      k: 1,
      expected: [1, 1, 1],
    },
    {
      name: 'k larger than the hit list uses every hit',
      hits: [hit('d', 0, 20), hit('d', 15, 40)],
      spans: [span('d', 10, 30)],
      k: 100,
      expected: [1, 0.5, 0.5],
    },
    {
      name: 'k = Infinity uses every hit',
      hits: [hit('d', 0, 20), hit('d', 15, 40)],
      spans: [span('d', 10, 30)],
      k: Number.POSITIVE_INFINITY,
      expected: [1, 0.5, 0.5],
    },
    {
      name: 'a chunk retrieved twice cannot push recall past 1',
      hits: [hit('d', 0, 10), hit('d', 0, 10)],
      spans: [span('d', 0, 10)],
      k: 2,
      expected: [1, 1, 1],
    },
    {
      name: 'touching chunks join: [0,5) and [5,10) cover [2,8) fully',
      hits: [hit('d', 0, 5), hit('d', 5, 10)],
      spans: [span('d', 2, 8)],
      k: 2,
      expected: [1, 0.6, 0.6],
    },
    {
      name: 'no hits scores 0, not null',
      hits: [],
      spans: [span('d', 0, 10)],
      k: 10,
      expected: [0, 0, 0],
    },
  ])('$name', ({ hits, spans, k, expected }) => {
    expect(scores(hits, spans, k)).toEqual(expected);
  });

  it('returns null for a query without relevant spans (left out of means, never 0)', () => {
    const hits = [hit('d', 0, 10)];
    expect(spanMetricsForQuery(hits, undefined, 10)).toBeNull();
    expect(spanMetricsForQuery(hits, [], 10)).toBeNull();
    expect(spanMetricsForQuery(hits, [span('d', 0, 10, 0)], 10)).toBeNull(); // grade 0: not relevant
  });

  it('reports the character counts behind the ratios', () => {
    expect(spanScores([{ docId: 'd', start: 0, end: 20 }, { docId: 'd', start: 15, end: 40 }], [span('d', 10, 30)])).toEqual({
      recall: 1,
      precision: 0.5,
      iou: 0.5,
      relevantChars: 20,
      retrievedChars: 40,
      overlapChars: 20,
    });
  });

  it('span recall@k never falls as k grows', () => {
    const hits = [hit('d', 40, 60), hit('e', 0, 30), hit('d', 0, 25), hit('d', 20, 45)];
    const spans = [span('d', 10, 50), span('e', 20, 25)];
    const recalls = [1, 2, 3, 4].map((k) => spanMetricsForQuery(hits, spans, k)!.recall);
    // 45 relevant chars: k=1 [40,50) 10; k=2 + e 5; k=3 + [10,25) 15; k=4 + [25,40) 15.
    expect(recalls.map(r)).toEqual([r(10 / 45), r(15 / 45), r(30 / 45), 1]);
  });

  it('rejects a k below 1', () => {
    expect(() => spanMetricsForQuery([], [span('d', 0, 1)], 0)).toThrow(RangeError);
  });
});

describe('chunkCost', () => {
  it('counts chunks and characters sent, overlaps once per chunk, and estimates tokens as chars / 4', () => {
    const hits = [hit('d', 0, 20), hit('d', 15, 40), hit('e', 0, 3)];
    expect(chunkCost(hits, 2)).toEqual({ chunks: 2, chars: 45, distinctChars: 40, estimatedTokens: 12 });
    expect(chunkCost(hits, 1)).toEqual({ chunks: 1, chars: 20, distinctChars: 20, estimatedTokens: 5 });
    expect(chunkCost(hits, 10)).toEqual({ chunks: 3, chars: 48, distinctChars: 43, estimatedTokens: 12 });
    expect(chunkCost([], 10)).toEqual({ chunks: 0, chars: 0, distinctChars: 0, estimatedTokens: 0 });
  });
});

describe('chunk ids and intervals', () => {
  it('reads offsets after the document id, even when the id holds # or -', () => {
    expect(chunkSpanOf({ id: 'a#b-1#3-9', docId: 'a#b-1' })).toEqual({ docId: 'a#b-1', start: 3, end: 9 });
    expect(() => chunkSpanOf({ id: 'd#3', docId: 'd' })).toThrow(RangeError);
    expect(() => chunkSpanOf({ id: 'e#3-9', docId: 'd' })).toThrow(/not "d#<start>-<end>"/);
  });

  it('merges per document into sorted disjoint pairs', () => {
    const merged = mergeIntervals([
      { docId: 'd', start: 20, end: 30 },
      { docId: 'e', start: 0, end: 5 },
      { docId: 'd', start: 0, end: 10 },
      { docId: 'd', start: 5, end: 12 },
      { docId: 'd', start: 30, end: 31 },
      { docId: 'd', start: 40, end: 40 },
    ]);
    expect(Object.fromEntries(merged)).toEqual({ d: [0, 12, 20, 31], e: [0, 5] });
  });
});

describe('token-level span metrics', () => {
  // "aa bb cc dd" as four word tokens: [0,2) [2,5) [5,8) [8,11) (leading space inside a token, as with cl100k).
  const words = { starts: Int32Array.from([0, 2, 5, 8]), ends: Int32Array.from([2, 5, 8, 11]) };
  const tokenOffsetsOf = () => words;

  it('maps a character span to the tokens it touches', () => {
    expect(toTokenSpan({ docId: 'd', start: 3, end: 6 }, words)).toEqual({ docId: 'd', start: 1, end: 3 });
    expect(toTokenSpan({ docId: 'd', start: 0, end: 11 }, words)).toEqual({ docId: 'd', start: 0, end: 4 });
    expect(toTokenSpan({ docId: 'd', start: 5, end: 5 }, words)).toEqual({ docId: 'd', start: 2, end: 2 });
  });

  it('scores token recall, precision and IoU of the top-k chunks (hand-computed)', () => {
    // relevant: chars [3, 8) → tokens 1..2; retrieved: chunk [0, 4) → tokens 0..1 (2 tokens), 1 token overlaps.
    const hits = [{ id: 'd#0-4', docId: 'd' }];
    const spans = [{ docId: 'd', start: 3, end: 8, grade: 1 }];
    const value = (name: string) => spanMetricValue(parseSpanMetricName(`${name}@5`), hits, spans, tokenOffsetsOf);
    expect(value('token-recall')).toBeCloseTo(1 / 2, 12);
    expect(value('token-precision')).toBeCloseTo(1 / 2, 12);
    expect(value('token-iou')).toBeCloseTo(1 / 3, 12);
    // the same in characters: overlap [3,4) = 1 of 5 relevant, 1 of 4 retrieved, union 8
    expect(value('span-recall')).toBeCloseTo(1 / 5, 12);
    expect(value('span-iou')).toBeCloseTo(1 / 8, 12);
  });

  it('rejects unknown span metric names with the valid forms', () => {
    expect(() => parseSpanMetricName('token-f1@5')).toThrow(/token-recall@k/);
    expect(parseSpanMetricName('TOKEN-IOU@10')).toEqual({ name: 'token-iou', k: 10, label: 'token-iou@10' });
  });
});
