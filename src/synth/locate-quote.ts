/**
 * Finding a model's "verbatim" evidence quote in its document. Models copy imperfectly: they change case,
 * collapse line breaks, straighten typographic quotes, or slip a character. Three steps, first hit wins:
 * 1. exact: the trimmed quote occurs as is;
 * 2. normalized: it occurs after both sides are lowercased, runs of whitespace made one space, and typographic
 *    quotes and dashes folded to ASCII;
 * 3. fuzzy: the substring of the normalized document with the smallest edit distance (Levenshtein) to the
 *    normalized quote, accepted when that distance is ≤ floor(tolerance × quote length) (Sellers' approximate
 *    matching with Ukkonen's cut-off, O(document length × allowed errors)).
 * The span returned is always in ORIGINAL document offsets, trimmed of whitespace at both ends.
 */
import { skipWhitespace, skipWhitespaceBack, isWhitespaceCode } from '../chunkers/spans.js';

export interface QuoteMatch {
  readonly start: number;
  readonly end: number;
  readonly method: 'exact' | 'normalized' | 'fuzzy';
  /** Edit distance of the fuzzy match (0 for the others). */
  readonly distance: number;
}

/** Null when the quote is empty or not found within the tolerance (a share of the quote's length, ≥ 0). */
export function locateQuote(text: string, quote: string, tolerance: number): QuoteMatch | null {
  const trimmed = stripDecoration(quote);
  if (trimmed === '') return null;
  const exact = text.indexOf(trimmed);
  if (exact >= 0) return { start: exact, end: exact + trimmed.length, method: 'exact', distance: 0 };
  const doc = normalize(text);
  const needle = normalize(trimmed).text.trim();
  if (needle === '') return null;
  const at = doc.text.indexOf(needle);
  if (at >= 0) return toOriginal(text, doc, at, at + needle.length, 'normalized', 0);
  const allowed = Math.floor(tolerance * needle.length);
  if (allowed < 1) return null;
  const best = closestSubstring(doc.text, needle, allowed);
  return best ? toOriginal(text, doc, best.start, best.end, 'fuzzy', best.distance) : null;
}

/** Models wrap quotes in quotation marks or ellipses; those are not part of the evidence. */
function stripDecoration(quote: string): string {
  return quote.trim().replace(/^(?:["'“”‘’«»]|\.\.\.|…)+|(?:["'“”‘’«»]|\.\.\.|…)+$/g, '').trim();
}

const folds: Record<string, string> = { '‘': "'", '’': "'", '“': '"', '”': '"', '–': '-', '—': '-', '\u00a0': ' ' };

interface Normalized {
  readonly text: string;
  /** For each normalized code unit: the original offset it starts at, and where it ends (exclusive). */
  readonly from: Int32Array;
  readonly to: Int32Array;
}

/** One normalized unit per original unit or whitespace run, so offsets map back exactly. */
function normalize(text: string): Normalized {
  const out: string[] = [];
  const from = new Int32Array(text.length);
  const to = new Int32Array(text.length);
  let i = 0;
  while (i < text.length) {
    let j = i + 1;
    let unit: string;
    if (isWhitespaceCode(text.charCodeAt(i))) {
      while (j < text.length && isWhitespaceCode(text.charCodeAt(j))) j++;
      unit = ' ';
    } else {
      const ch = text[i]!;
      const lower = folds[ch] ?? ch.toLowerCase();
      // Case mappings that change length (e.g. "İ") keep the original, so one unit stays one unit.
      unit = lower.length === 1 ? lower : ch;
    }
    from[out.length] = i;
    to[out.length] = j;
    out.push(unit);
    i = j;
  }
  return { text: out.join(''), from: from.subarray(0, out.length), to: to.subarray(0, out.length) };
}

function toOriginal(text: string, doc: Normalized, start: number, end: number, method: QuoteMatch['method'], distance: number): QuoteMatch | null {
  const s = skipWhitespace(text, doc.from[start]!, doc.to[end - 1]!);
  const e = skipWhitespaceBack(text, s, doc.to[end - 1]!);
  return e > s ? { start: s, end: e, method, distance } : null;
}

/**
 * The substring of `text` closest to `pattern` in edit distance, if ≤ `k`: a column-wise DP where an alignment may
 * start anywhere in the text for free (row 0 is all zeros). Rows whose cost exceeds k are never computed past the
 * last row still within k (Ukkonen). Among equally close matches, the one whose length is nearest the pattern's
 * wins ("deltx" matches "delta", not "delt"), then the earliest.
 */
const lengthGap = (match: { start: number; end: number }, m: number) => Math.abs(match.end - match.start - m);

function closestSubstring(text: string, pattern: string, k: number): { start: number; end: number; distance: number } | null {
  const m = pattern.length;
  const over = k + 1;
  const cost = new Int32Array(m + 1);
  const start = new Int32Array(m + 1);
  for (let i = 0; i <= m; i++) cost[i] = i;
  let last = Math.min(k, m); // the deepest row with cost ≤ k in the current column
  let best: { start: number; end: number; distance: number } | null = null;
  for (let j = 1; j <= text.length; j++) {
    const unit = text.charCodeAt(j - 1);
    let diag = 0; // old cost[0]
    let diagStart = start[0]!;
    cost[0] = 0;
    start[0] = j;
    const top = Math.min(last + 1, m);
    for (let i = 1; i <= top; i++) {
      const oldCost = i <= last ? cost[i]! : over;
      const oldStart = start[i]!;
      let value = diag + (pattern.charCodeAt(i - 1) === unit ? 0 : 1);
      let from = diagStart;
      if (cost[i - 1]! + 1 < value || (cost[i - 1]! + 1 === value && start[i - 1]! > from)) {
        value = cost[i - 1]! + 1;
        from = start[i - 1]!;
      }
      if (oldCost + 1 < value) {
        value = oldCost + 1;
        from = oldStart;
      }
      diag = oldCost;
      diagStart = oldStart;
      cost[i] = Math.min(value, over);
      start[i] = from;
    }
    last = top;
    while (last > 0 && cost[last]! > k) last--;
    if (last === m && cost[m]! <= k) {
      const candidate = { start: start[m]!, end: j, distance: cost[m]! };
      if (best === null || candidate.distance < best.distance || (candidate.distance === best.distance && lengthGap(candidate, m) < lengthGap(best, m))) {
        best = candidate;
      }
    }
  }
  return best;
}
