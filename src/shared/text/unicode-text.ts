/**
 * Unicode text for matching (issue 11): the one place that says what "the same word" means across scripts.
 * Matching always runs on a normalised copy; the text shown to users, and every offset, stay the original's.
 */

const defaultIgnorable = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * NFKC, then default-ignorable code points removed (soft hyphen, zero-width space/joiners, word joiner, BOM,
 * variation selectors …): text that looks the same matches the same. "no sig\u00ADnificant" → "no significant",
 * "ﬁ" → "fi", full-width "ＡＢＣ" → "ABC".
 */
export function normalizeForMatching(text: string): string {
  return text.normalize('NFKC').replace(defaultIgnorable, '');
}

/**
 * Case folding as far as JavaScript offers it: lowercase after uppercase (so "ß" and "ẞ" → "ss", as Unicode's
 * full case folding maps them) and final sigma → σ. Applied after `normalizeForMatching`.
 */
function caseFold(text: string): string {
  // Upper-casing first folds the characters whose lowercase is longer or different from their fold (ß → SS → ss).
  const folded = /[\u00DF\u1E9E\uFB00-\uFB06\u0130\u0149\u01F0\u0390\u03B0\u0587]/u.test(text) ? text.toUpperCase().toLowerCase() : text.toLowerCase();
  return folded.replace(/ς/g, 'σ');
}

/** Han, Hiragana, Katakana (and the prolonged sound mark): scripts written without spaces between words. */
const cjk = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30FC\uFF70`;
/** A run of CJK characters, or a run of other letters, digits and combining marks. */
const wordRun = new RegExp(String.raw`[${cjk}]+|[[\p{L}\p{N}\p{M}]--[${cjk}]]+`, 'gv');
const cjkRun = new RegExp(String.raw`^[${cjk}]`, 'v');

/**
 * Words of any script for lexical matching: `normalizeForMatching`, case-folded, then runs of Unicode letters,
 * digits and combining marks (so Arabic, Hebrew, Devanagari words keep their vowel signs); everything else
 * separates. Runs of Han/Hiragana/Katakana, which have no spaces, become overlapping character bigrams (a
 * single character stays a unigram), as Lucene's CJKAnalyzer does: no dictionary, so the tokens never depend
 * on the ICU version a Node build ships. "Café 東京都" → café, 東京, 京都.
 */
export function tokenizeUnicode(text: string): string[] {
  const tokens: string[] = [];
  for (const [run] of caseFold(normalizeForMatching(text)).matchAll(wordRun)) {
    if (!cjkRun.test(run)) {
      tokens.push(run);
      continue;
    }
    const chars = [...run];
    if (chars.length === 1) tokens.push(run);
    for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i]! + chars[i + 1]!);
  }
  return tokens;
}

/** True when the character is CJK (Han, Hiragana, Katakana): answer metrics count these one by one. */
export function isCjk(char: string): boolean {
  return cjkRun.test(char);
}
