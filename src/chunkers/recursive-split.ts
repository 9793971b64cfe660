/**
 * LangChain's RecursiveCharacterTextSplitter (@langchain/textsplitters 1.0.2, `_splitText` and `mergeSplits`),
 * replicated on offsets: pieces are `[start, end)` pairs into the one document string, never copies, and every
 * emitted span's text is what LangChain returns for the same settings. Shared by `recursive` and `markdown`.
 */
import { isWhitespaceCode, skipWhitespace, skipWhitespaceBack, type ChunkCollector } from './spans.js';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

export interface RecursiveSettings {
  readonly sizeChars: number;
  readonly overlapChars: number;
  readonly separators: readonly string[];
  readonly keepSeparator: boolean;
}

/** No further separators: LangChain's `newSeparators === undefined`. */
const NONE = -1;

/**
 * LangChain's chunks of `text.slice(range.start, range.end)` (default: all of it) as flat `start, end` pairs of
 * document offsets, in LangChain's order. Consecutive duplicates are kept, as LangChain keeps them.
 *
 * One deviation, only with `keepSeparator: false`: LangChain joins a chunk's pieces with one separator, so where
 * the text has several separators in a row the joined string is not in the document; the span here then
 * covers the text as written (same boundaries, same length decisions, more separators inside).
 */
export function recursiveSpans(
  text: string,
  settings: RecursiveSettings,
  range: { readonly start: number; readonly end: number } = { start: 0, end: text.length },
): number[] {
  const out: number[] = [];
  new RecursiveSplit(text, settings, out).range(range.start, range.end, 0);
  return out;
}

/**
 * Adds `[start, end)` as one chunk, or, when longer than `maxChars`, as the recursive algorithm's pieces of it
 * (sizeChars = maxChars, no overlap, paragraph → line → word → grapheme): the size cap of the sentence-based
 * chunkers, whose groups are otherwise unbounded (one 5 MB "sentence" must not become one chunk).
 */
export function addCapped(collector: ChunkCollector, text: string, span: { readonly start: number; readonly end: number }, maxChars: number): void {
  if (span.end - span.start <= maxChars) return collector.add(span.start, span.end);
  const settings = { sizeChars: maxChars, overlapChars: 0, separators: ['\n\n', '\n', ' ', ''], keepSeparator: true };
  const spans = recursiveSpans(text, settings, span);
  for (let k = 0; k < spans.length; k += 2) collector.add(spans[k]!, spans[k + 1]!);
}

class RecursiveSplit {
  readonly #text: string;
  readonly #size: number;
  readonly #overlap: number;
  readonly #separators: readonly string[];
  readonly #keep: boolean;
  readonly #out: number[];
  /**
   * Per separator: the next occurrence at or after `#queriedAt` (-1 if none). Ranges are visited depth-first
   * in document order, so query positions only grow and each separator's occurrences are scanned once.
   */
  readonly #nextHit: number[];
  readonly #queriedAt: number[];
  #starts = new Int32Array(1024);
  #ends = new Int32Array(1024);
  #top = 0;

  constructor(text: string, settings: RecursiveSettings, out: number[]) {
    this.#text = text;
    this.#size = settings.sizeChars;
    this.#overlap = settings.overlapChars;
    this.#separators = settings.separators;
    this.#keep = settings.keepSeparator;
    this.#out = out;
    this.#nextHit = settings.separators.map(() => -1);
    this.#queriedAt = settings.separators.map(() => Number.POSITIVE_INFINITY);
  }

  /** `_splitText(text.slice(start, end), separators.slice(from))`. */
  range(start: number, end: number, from: number): void {
    const seps = this.#separators;
    // LangChain: the first separator that is "" or occurs in the text; if none, the last one, with no further.
    let separator: string | undefined = seps.length > from ? seps[seps.length - 1] : undefined;
    let next = NONE;
    for (let i = from; i < seps.length; i++) {
      const s = seps[i]!;
      if (s === '') {
        separator = s;
        break;
      }
      if (this.#occursIn(i, start, end)) {
        separator = s;
        next = i + 1; // may equal seps.length: an empty list, which LangChain still recurses with
        break;
      }
    }
    const base = this.#top;
    this.#splitOn(separator, start, end);
    const limit = this.#top;
    const mergeSeparatorLength = this.#keep || !separator ? 0 : separator.length;

    let good = base; // first index of the current run of pieces shorter than the chunk size
    for (let k = base; k < limit; k++) {
      const s = this.#starts[k]!;
      const e = this.#ends[k]!;
      if (e - s < this.#size) continue;
      if (good < k) this.#merge(good, k, mergeSeparatorLength);
      good = k + 1;
      if (next === NONE) {
        // LangChain pushes an oversized piece as is, untrimmed.
        this.#out.push(s, e);
      } else {
        this.range(s, e, next); // its pieces go above `limit` and are popped when it returns
      }
    }
    if (good < limit) this.#merge(good, limit, mergeSeparatorLength);
    this.#top = base;
  }

  /** Pieces of all open ranges live on one stack of offsets, so splitting allocates nothing per piece. */
  #push(start: number, end: number): void {
    if (this.#top === this.#starts.length) {
      const starts = new Int32Array(this.#top * 2);
      const ends = new Int32Array(this.#top * 2);
      starts.set(this.#starts);
      ends.set(this.#ends);
      this.#starts = starts;
      this.#ends = ends;
    }
    this.#starts[this.#top] = start;
    this.#ends[this.#top] = end;
    this.#top++;
  }

  /** `text.slice(start, end).includes(separators[i])`, with the per-separator cursor. */
  #occursIn(i: number, start: number, end: number): boolean {
    const separator = this.#separators[i]!;
    if (!(this.#queriedAt[i]! <= start && (this.#nextHit[i] === -1 || this.#nextHit[i]! >= start))) {
      this.#nextHit[i] = this.#text.indexOf(separator, start);
      this.#queriedAt[i] = start;
    }
    const hit = this.#nextHit[i]!;
    return hit !== -1 && hit + separator.length <= end;
  }

  /** `splitOnSeparator`: pieces as offsets, empty pieces dropped. */
  #splitOn(separator: string | undefined, start: number, end: number): void {
    const text = this.#text;
    if (!separator) {
      // LangChain's `text.split("")` gives one piece per UTF-16 code unit and so cuts surrogate pairs and
      // combining sequences; here one piece per grapheme cluster (the same pieces for text without them).
      let ascii = true;
      for (let i = start; i < end && ascii; i++) ascii = text.charCodeAt(i) < 0x80;
      if (ascii) {
        for (let i = start; i < end; i++) this.#push(i, i + 1);
        return;
      }
      const slice = text.slice(start, end);
      let previous = -1;
      for (const segment of graphemes.segment(slice)) {
        if (previous >= 0) this.#push(start + previous, start + segment.index);
        previous = segment.index;
      }
      if (previous >= 0) this.#push(start + previous, end);
      return;
    }
    const length = separator.length;
    if (this.#keep) {
      // `split(/(?=sep)/)`: a cut before every occurrence (overlapping ones too) except at the range start.
      let cut = start;
      for (let q = text.indexOf(separator, start + 1); q !== -1 && q + length <= end; q = text.indexOf(separator, q + 1)) {
        this.#push(cut, q);
        cut = q;
      }
      if (end > cut) {
        this.#push(cut, end);
      }
      return;
    }
    // `split(sep)`: non-overlapping occurrences, separators removed.
    let from = start;
    for (let q = text.indexOf(separator, start); q !== -1 && q + length <= end; q = text.indexOf(separator, from)) {
      if (q > from) {
        this.#push(from, q);
      }
      from = q + length;
    }
    if (end > from) {
      this.#push(from, end);
    }
  }

  /** `mergeSplits(pieces[from..to))`: greedy packing with LangChain's length and overlap arithmetic. */
  #merge(from: number, to: number, separatorLength: number): void {
    const starts = this.#starts;
    const ends = this.#ends;
    const size = this.#size;
    const overlap = this.#overlap;
    let head = from;
    let total = 0;
    for (let k = from; k < to; k++) {
      const length = ends[k]! - starts[k]!;
      if (total + length + (k - head) * separatorLength > size && k > head) {
        this.#emit(starts[head]!, ends[k - 1]!);
        while (total > overlap || (total + length + (k - head) * separatorLength > size && total > 0)) {
          total -= ends[head]! - starts[head]!;
          head++;
        }
      }
      total += length;
    }
    if (head < to) this.#emit(starts[head]!, ends[to - 1]!);
  }

  /** `joinDocs`: the joined pieces, trimmed; nothing when only whitespace remains. */
  #emit(start: number, end: number): void {
    const text = this.#text;
    if (!isWhitespaceCode(text.charCodeAt(start)) && !isWhitespaceCode(text.charCodeAt(end - 1))) {
      this.#out.push(start, end);
      return;
    }
    const s = skipWhitespace(text, start, end);
    if (s === end) return;
    this.#out.push(s, skipWhitespaceBack(text, s, end));
  }
}
