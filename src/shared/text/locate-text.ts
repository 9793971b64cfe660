/**
 * Finding a piece of text (a chunk an external splitter or index returned as a string) in its document, to get
 * back the character offsets every span metric needs. Three levels, strictest first: the exact substring; then
 * with every whitespace run read as one space (splitters that join pieces with a separator); then with
 * whitespace ignored (splitters that drop a separator). Offsets always come from the document itself, so a
 * located span satisfies `doc.slice(start, end)` ≈ the text, and a text found nowhere is reported, never guessed.
 */

export type LocateMatch = 'exact' | 'whitespace' | 'no-whitespace';

interface LocatedSpan {
  readonly start: number;
  readonly end: number;
  readonly match: LocateMatch;
}

/** A document prepared once for many look-ups: its whitespace-normalised forms and their index maps. */
export class TextLocator {
  readonly text: string;
  #collapsed: NormalisedText | undefined;
  #stripped: NormalisedText | undefined;

  constructor(text: string) {
    this.text = text;
  }

  /**
   * The first occurrence of `piece` starting at or after `from` (a document offset). Returns undefined when the
   * piece is blank or found at no level.
   */
  locate(piece: string, from = 0): LocatedSpan | undefined {
    if (piece.trim() === '') return undefined;
    const exact = this.text.indexOf(piece, from);
    if (exact >= 0) return { start: exact, end: exact + piece.length, match: 'exact' };
    this.#collapsed ??= normalise(this.text, true);
    const collapsed = findNormalised(this.#collapsed, normalise(piece, true).text, from);
    if (collapsed) return { ...collapsed, match: 'whitespace' };
    this.#stripped ??= normalise(this.text, false);
    const stripped = findNormalised(this.#stripped, normalise(piece, false).text, from);
    return stripped ? { ...stripped, match: 'no-whitespace' } : undefined;
  }
}

interface NormalisedText {
  readonly text: string;
  /** For each character of `text`, the offset in the original of the character it came from. */
  readonly origin: Int32Array;
  /** For each character of `text`, the offset in the original just after the character it came from. */
  readonly originEnd: Int32Array;
}

/** `keepSpace`: whitespace runs become one space (trimmed at both ends); otherwise whitespace is dropped. */
function normalise(text: string, keepSpace: boolean): NormalisedText {
  const out: string[] = [];
  const origin: number[] = [];
  const originEnd: number[] = [];
  let pendingSpace = -1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      if (keepSpace && pendingSpace < 0 && out.length > 0) pendingSpace = i;
      continue;
    }
    if (pendingSpace >= 0) {
      out.push(' ');
      origin.push(pendingSpace);
      originEnd.push(i);
      pendingSpace = -1;
    }
    out.push(char);
    origin.push(i);
    originEnd.push(i + 1);
  }
  return { text: out.join(''), origin: Int32Array.from(origin), originEnd: Int32Array.from(originEnd) };
}

function findNormalised(haystack: NormalisedText, needle: string, from: number): { start: number; end: number } | undefined {
  if (needle === '') return undefined;
  // The first normalised position whose original offset is at or after `from`.
  let low = 0;
  let high = haystack.origin.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (haystack.origin[middle]! >= from) high = middle;
    else low = middle + 1;
  }
  const at = haystack.text.indexOf(needle, low);
  if (at < 0) return undefined;
  return { start: haystack.origin[at]!, end: haystack.originEnd[at + needle.length - 1]! };
}
