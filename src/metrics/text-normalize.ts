import { isCjk, normalizeForMatching, tokenizeUnicode } from '../shared/text/unicode-text.js';

/**
 * Text normalisation and tokenisers shared by answer metrics (exact match, token F1) and lexical faithfulness.
 * Pure, offline. Every function first applies `normalizeForMatching` (NFKC, default-ignorable code points such
 * as soft hyphens and zero-width spaces removed), so text that looks identical scores identically (issue 11).
 * Stopwords and stemming are English; the tokenisers read every script.
 */

// The SQuAD v1.1 evaluation script's `string.punctuation`: ASCII punctuation only, deleted (not replaced by a
// space), so "9-pin" becomes "9pin" exactly as the official EM/F1 would see it. Typographic quotes and dashes are
// added because model answers use them and SQuAD answers rarely do.
const punctuation = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~‘’“”–—…]/g;
const articles = /\b(a|an|the)\b/g;

/**
 * SQuAD-style answer normalisation (`normalize_answer` of the official v1.1 script): lowercase, delete
 * punctuation, drop the articles a/an/the, collapse whitespace. `normalizeAnswer("The  Cat's hat.") === "cats hat"`.
 */
export function normalizeAnswer(text: string): string {
  return normalizeForMatching(text)
    .toLowerCase()
    .replace(punctuation, '')
    .replace(articles, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}

/**
 * Tokens of the normalised answer, as SQuAD token F1 counts them (a multiset: repeats are kept, in order).
 * Han/Hiragana/Katakana characters count one by one (MLQA's evaluation does the same for Chinese), since
 * those scripts put no spaces between words and a whole sentence would otherwise be one token.
 */
export function tokens(text: string): string[] {
  const normalized = normalizeAnswer(text);
  if (normalized === '') return [];
  return normalized.split(' ').flatMap((token) => (/[^\x00-\x7f]/.test(token) ? splitCjk(token) : [token]));
}

function splitCjk(token: string): string[] {
  const out: string[] = [];
  let run = '';
  for (const char of token) {
    if (isCjk(char)) {
      if (run) out.push(run);
      out.push(char);
      run = '';
    } else {
      run += char;
    }
  }
  if (run) out.push(run);
  return out;
}

/**
 * Words for matching text against text: `tokenizeUnicode` (case-folded runs of Unicode letters, digits and marks;
 * CJK as character bigrams), everything else separates (so "low-lying" → low, lying and "harry's" → harry, s).
 * Unlike `tokens`, punctuation splits rather than glues, which is what lexical support needs: "10-pin" in an
 * answer should find "pin" in the context.
 */
export function wordTokens(text: string): string[] {
  return tokenizeUnicode(text);
}

/**
 * English function words: NLTK's 179-word list (which already holds the pieces contractions split into: s, t, don,
 * didn, ll, ve, …) plus the modal verbs NLTK omits. Content words are what a claim asserts; these carry no support.
 * Negations (no, not, nor, never) are stopwords here on purpose: a metric that cares about them checks them
 * separately, because "not" matching "not" somewhere in a long context says nothing.
 */
export const stopwords: ReadonlySet<string> = new Set(
  `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its
  itself they them their theirs themselves what which who whom this that these those am is are was were be been being
  have has had having do does did doing a an the and but if or because as until while of at by for with about against
  between into through during before after above below to from up down in out on off over under again further then
  once here there when where why how all any both each few more most other some such no nor not only own same so
  than too very s t can will just don should now d ll m o re ve y ain aren couldn didn doesn hadn hasn haven isn ma
  mightn mustn needn shan shouldn wasn weren won wouldn could would might must may shall also never`.split(/\s+/),
);

/** Word tokens without stopwords, each in a comparable form (Porter stem by default), in order. */
export function contentTerms(text: string, comparable: (token: string) => string = stem): string[] {
  const out: string[] = [];
  for (const token of wordTokens(text)) if (!stopwords.has(token)) out.push(comparable(token));
  return out;
}

/** SQuAD tokens without stopwords (multiset, in order). */
export function contentTokens(text: string): string[] {
  return tokens(text).filter((token) => !stopwords.has(token));
}

/**
 * Porter's stemmer (M. F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980; the original algorithm,
 * not Snowball's Porter2), so "connected", "connecting" and "connections" all become "connect". Input is one
 * lowercase word; words of two letters or fewer, and anything that is not a-z, are returned unchanged.
 */
export function stem(word: string): string {
  if (word.length <= 2 || !/^[a-z]+$/.test(word)) return word;
  let w = word;
  // Step 1a: plurals.
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  // Step 1b: -ed, -ing, then repair (hop+ing → hop, hope+ing → hope).
  let repair = false;
  if (w.endsWith('eed')) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1);
  } else if (w.endsWith('ed') && hasVowel(w.slice(0, -2))) {
    w = w.slice(0, -2);
    repair = true;
  } else if (w.endsWith('ing') && hasVowel(w.slice(0, -3))) {
    w = w.slice(0, -3);
    repair = true;
  }
  if (repair) {
    if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e';
    else if (endsDoubleConsonant(w) && !/[lsz]$/.test(w)) w = w.slice(0, -1);
    else if (measure(w) === 1 && endsCvc(w)) w += 'e';
  }
  // Step 1c: y → i after a vowel-containing stem.
  if (w.endsWith('y') && hasVowel(w.slice(0, -1))) w = `${w.slice(0, -1)}i`;
  w = replaceSuffix(w, step2, 0);
  w = replaceSuffix(w, step3, 0);
  w = step4(w);
  // Step 5a/5b: final -e, and -ll → -l.
  if (w.endsWith('e')) {
    const base = w.slice(0, -1);
    const m = measure(base);
    if (m > 1 || (m === 1 && !endsCvc(base))) w = base;
  }
  if (measure(w) > 1 && w.endsWith('ll')) w = w.slice(0, -1);
  return w;
}

const step2: ReadonlyArray<readonly [string, string]> = [
  ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['abli', 'able'],
  ['alli', 'al'], ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'], ['ation', 'ate'],
  ['ator', 'ate'], ['alism', 'al'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'], ['aliti', 'al'],
  ['iviti', 'ive'], ['biliti', 'ble'],
];
const step3: ReadonlyArray<readonly [string, string]> = [
  ['icate', 'ic'], ['ative', ''], ['alize', 'al'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', ''],
];
const step4Suffixes = [
  'al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ion', 'ou', 'ism', 'ate', 'iti',
  'ous', 'ive', 'ize',
].sort((a, b) => b.length - a.length);

/** The first (longest listed) matching suffix is replaced when the remaining stem has measure > minMeasure. */
function replaceSuffix(w: string, rules: ReadonlyArray<readonly [string, string]>, minMeasure: number): string {
  for (const [suffix, replacement] of rules) {
    if (!w.endsWith(suffix)) continue;
    const base = w.slice(0, -suffix.length);
    return measure(base) > minMeasure ? base + replacement : w;
  }
  return w;
}

function step4(w: string): string {
  for (const suffix of step4Suffixes) {
    if (!w.endsWith(suffix)) continue;
    const base = w.slice(0, -suffix.length);
    // -ion is only removed after s or t (adoption → adopt, but not "lion").
    if (suffix === 'ion' && !/[st]$/.test(base)) return w;
    return measure(base) > 1 ? base : w;
  }
  return w;
}

/** y is a consonant at the start or after a vowel, a vowel after a consonant (Porter's definition). */
function isConsonant(w: string, i: number): boolean {
  const c = w[i]!;
  if ('aeiou'.includes(c)) return false;
  if (c === 'y') return i === 0 || !isConsonant(w, i - 1);
  return true;
}

/** m in [C](VC)^m[V]: the number of vowel-consonant sequences. */
function measure(w: string): number {
  let m = 0;
  let previousVowel = false;
  for (let i = 0; i < w.length; i++) {
    const vowel = !isConsonant(w, i);
    if (!vowel && previousVowel) m++;
    previousVowel = vowel;
  }
  return m;
}

function hasVowel(w: string): boolean {
  for (let i = 0; i < w.length; i++) if (!isConsonant(w, i)) return true;
  return false;
}

function endsDoubleConsonant(w: string): boolean {
  const n = w.length;
  return n >= 2 && w[n - 1] === w[n - 2] && isConsonant(w, n - 1);
}

/** consonant-vowel-consonant, the last not w, x or y (hop, not snow): such short stems get their -e back. */
function endsCvc(w: string): boolean {
  const n = w.length;
  if (n < 3) return false;
  return isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1) && !/[wxy]$/.test(w);
}
