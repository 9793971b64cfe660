import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';

export const tokenEncodings = ['cl100k_base', 'o200k_base'] as const;
type TokenEncoding = (typeof tokenEncodings)[number];

/** Where each token of a text lies: token i covers UTF-16 units [starts[i], ends[i]). */
export interface TokenOffsets {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/**
 * A tiktoken encoding that reports exact character offsets per token. The text is encoded once; token byte lengths
 * (from the rank table) give each boundary's UTF-8 offset, mapped back to UTF-16 in one walk over the text. A boundary
 * inside a multi-byte character (possible with byte-level BPE) widens the token to the whole character: starts round
 * down, ends round up, so no character is lost.
 */
export function createTokenOffsets(encoding: TokenEncoding): (text: string) => TokenOffsets {
  const ranks = loadRanks(encoding);
  const encoder = new Tiktoken(ranks);
  const byteLengths = tokenByteLengths(ranks);
  return (text) => {
    // Special-token strings such as "<|endoftext|>" are ordinary text in a document, not control tokens.
    const tokens = encoder.encode(text, [], []);
    const starts = new Int32Array(tokens.length);
    const ends = new Int32Array(tokens.length);
    let unit = 0; // UTF-16 offset after the characters walked so far
    let byte = 0; // its UTF-8 offset
    let charUnit = 0; // where the last character walked over starts
    let tokenByte = 0; // UTF-8 offset where token i starts
    for (let i = 0; i < tokens.length; i++) {
      // A token starting inside the last character walked (tokenByte < byte) starts with that character.
      starts[i] = tokenByte < byte ? charUnit : unit;
      tokenByte += byteLengths[tokens[i]!]!;
      while (byte < tokenByte && unit < text.length) {
        charUnit = unit;
        const code = text.codePointAt(unit)!;
        byte += utf8Length(code);
        unit += code > 0xffff ? 2 : 1;
      }
      ends[i] = unit;
    }
    if (byte !== tokenByte || unit !== text.length) {
      throw new Error('token offsets: the tokens do not cover the text (a js-tiktoken change?)');
    }
    return { starts, ends };
  };
}

/**
 * The ranks ship inside js-tiktoken (offline, no fetch). Loaded on first use with a synchronous require because
 * chunker creation is synchronous and the o200k table is 2.3 MB of JavaScript that other commands should not parse.
 */
function loadRanks(encoding: TokenEncoding): TiktokenBPE {
  const require = createRequire(import.meta.url);
  switch (encoding) {
    case 'cl100k_base':
      return require('js-tiktoken/ranks/cl100k_base') as TiktokenBPE;
    case 'o200k_base':
      return require('js-tiktoken/ranks/o200k_base') as TiktokenBPE;
  }
}

/** UTF-8 byte length of every token, read from the rank table (one base64 string per rank). */
function tokenByteLengths(ranks: TiktokenBPE): Uint8Array {
  const lengths: number[] = [];
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, offsetText, ...tokens] = line.split(' ');
    const offset = Number.parseInt(offsetText!, 10);
    tokens.forEach((token, i) => {
      const padding = token.endsWith('==') ? 2 : token.endsWith('=') ? 1 : 0;
      lengths[offset + i] = (token.length / 4) * 3 - padding;
    });
  }
  return Uint8Array.from(lengths, (n) => n ?? 0);
}

function utf8Length(code: number): number {
  // A lone surrogate is encoded as U+FFFD (3 bytes) by TextEncoder, as tiktoken encodes it.
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}
