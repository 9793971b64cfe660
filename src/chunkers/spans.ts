/**
 * Span helpers shared by the chunkers. Chunkers work on `[start, end)` offsets into `doc.text` (UTF-16 code
 * units) and only build strings at the end through `makeChunk`, so the span invariant holds by construction.
 */
import type { Document } from '../corpus/types.js';
import { makeChunk, type Chunk } from './chunker.js';

/**
 * The characters `String.prototype.trim` removes (ECMAScript WhiteSpace + LineTerminator), by char code.
 * The recursive chunker must strip exactly what LangChain's `.trim()` strips.
 */
export function isWhitespaceCode(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** First index in `[start, end)` that is not whitespace, or `end`. */
export function skipWhitespace(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && isWhitespaceCode(text.charCodeAt(i))) i++;
  return i;
}

/** One past the last index in `[start, end)` that is not whitespace, or `start`. */
export function skipWhitespaceBack(text: string, start: number, end: number): number {
  let i = end;
  while (i > start && isWhitespaceCode(text.charCodeAt(i - 1))) i--;
  return i;
}

export function isBlank(text: string, start: number, end: number): boolean {
  return skipWhitespace(text, start, end) === end;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** True when `index` falls between the two halves of a surrogate pair. */
export function splitsSurrogatePair(text: string, index: number): boolean {
  return (
    index > 0 &&
    index < text.length &&
    isHighSurrogate(text.charCodeAt(index - 1)) &&
    isLowSurrogate(text.charCodeAt(index))
  );
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/** Code units searched on each side of a boundary: longer than any grapheme cluster real text has. */
const graphemeWindow = 64;

/**
 * The nearest grapheme-cluster boundary (UAX #29, as Intl.Segmenter finds it) at or before `index`
 * (`direction` −1) or at or after it (+1). Between two ASCII characters other than CR LF every index is a
 * boundary, so English text costs one comparison; elsewhere only a 128-unit window around `index` is segmented.
 */
export function graphemeBoundary(text: string, index: number, direction: -1 | 1): number {
  if (index <= 0 || index >= text.length) return index;
  const before = text.charCodeAt(index - 1);
  const after = text.charCodeAt(index);
  if (before < 0x80 && after < 0x80 && !(before === 13 && after === 10)) return index;
  const from = Math.max(0, index - graphemeWindow);
  const to = Math.min(text.length, index + graphemeWindow);
  let best = direction < 0 ? from : to;
  for (const segment of graphemes.segment(text.slice(from, to))) {
    const at = from + segment.index;
    if (at === index) return index;
    if (at < index) {
      if (direction < 0) best = at;
    } else {
      if (direction > 0) best = at;
      break;
    }
  }
  return best;
}

/**
 * Windows over `count` units (sentences, tokens): `[first, last)` index pairs of `size` units, each starting
 * `size - overlap` after the previous; the last window ends at `count`. No window for `count === 0`.
 */
export function* windows(count: number, size: number, overlap: number): Generator<[number, number]> {
  const step = size - overlap;
  for (let first = 0; first < count; first += step) {
    const last = Math.min(first + size, count);
    yield [first, last];
    if (last === count) return;
  }
}

/**
 * Collects spans into chunks in document order: drops whitespace-only spans and a span identical to the one
 * before it (same start and end would mean the same chunk id twice).
 */
export class ChunkCollector {
  readonly chunks: Chunk[] = [];
  #lastStart = -1;
  #lastEnd = -1;
  readonly #doc: Document;

  constructor(doc: Document) {
    this.#doc = doc;
  }

  /**
   * Every chunker's spans pass through here, so this is where the guarantee lives: a span that would cut a
   * grapheme cluster (a surrogate pair, a base and its combining marks, a ZWJ emoji sequence, CR LF) is widened
   * to the cluster's edges. A chunk may then exceed its kind's size by the rest of one cluster.
   */
  add(spanStart: number, spanEnd: number): void {
    const start = graphemeBoundary(this.#doc.text, spanStart, -1);
    const end = graphemeBoundary(this.#doc.text, spanEnd, 1);
    if (start >= end || isBlank(this.#doc.text, start, end)) return;
    if (start === this.#lastStart && end === this.#lastEnd) return;
    this.#lastStart = start;
    this.#lastEnd = end;
    this.chunks.push(makeChunk(this.#doc, start, end));
  }
}

/**
 * A zod refinement for option pairs like overlapChars < sizeChars: an overlap as large as the size would never
 * advance. The issue names the smaller option, so a YAML error points at its line.
 */
export function smallerThan(smaller: string, larger: string) {
  return (options: Readonly<Record<string, unknown>>, ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void }) => {
    const low = options[smaller] as number;
    const high = options[larger] as number;
    if (low >= high) ctx.addIssue({ code: 'custom', path: [smaller], message: `${smaller} (${low}) must be smaller than ${larger} (${high})` });
  };
}
