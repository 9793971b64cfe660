import { tokenizeUnicode } from '../shared/text/unicode-text.js';

/** Lexical tokenizers for BM25. Pure functions: text in, tokens out, in text order (repeats kept). */
export type Tokenizer = (text: string) => string[];

const alnumRun = /[a-z0-9]+/g;

/**
 * Lowercase, then runs of ASCII `[a-z0-9]`: the tokenisation the shared datasets' READMEs give for the
 * reference BM25 runs (`bm25_reference_run.py`), which test/reference/bm25.test.ts reproduces. Everything else
 * separates tokens,
 * so accented letters split words ("café" → "caf"); that is the reference's behaviour, kept on purpose.
 * JavaScript's toLowerCase and Python's str.lower both apply Unicode's full default case mapping, so the two
 * agree on which characters become ASCII (e.g. KELVIN SIGN → "k").
 */
export function tokenizeAlnumLower(text: string): string[] {
  return text.toLowerCase().match(alnumRun) ?? [];
}

/**
 * `unicode` (the default): NFKC, default-ignorables removed, case-folded runs of Unicode letters, digits and
 * marks; Han/Hiragana/Katakana as character bigrams (see `tokenizeUnicode`). Chinese, Japanese, Arabic, Hebrew,
 * Cyrillic and accented Latin text is searchable.
 * `ascii`: the reference runs' `[a-z0-9]+` (reproduces the datasets' reference BM25 runs, test/reference-data/*\/bm25.run, exactly); text in
 * other scripts yields no tokens. `alnum-lower` is its older name.
 */
export const tokenizers = {
  unicode: tokenizeUnicode,
  ascii: tokenizeAlnumLower,
  'alnum-lower': tokenizeAlnumLower,
} as const satisfies Record<string, Tokenizer>;

type TokenizerName = keyof typeof tokenizers;
export const tokenizerNames = Object.keys(tokenizers) as [TokenizerName, ...TokenizerName[]];

/** Ids of the queries a tokenizer turns into no tokens at all: they can only get an empty ranking. */
export function queriesWithoutTokens(queries: readonly { readonly id: string; readonly text: string }[], tokenize: Tokenizer): string[] {
  return queries.filter((query) => tokenize(query.text).length === 0).map((query) => query.id);
}
