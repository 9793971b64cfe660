import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import { z } from 'zod';
import type { Document } from '../corpus/types.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import type { Chunk, Chunker } from './chunker.js';
import { ChunkCollector, smallerThan, windows } from './spans.js';

const encodings = ['cl100k_base', 'o200k_base'] as const;
type Encoding = (typeof encodings)[number];

const options = z
  .strictObject({
    sizeTokens: z.number().int().positive().default(256),
    overlapTokens: z.number().int().nonnegative().default(0),
    encoding: z.enum(encodings).default('cl100k_base'),
  })
  .superRefine(smallerThan('overlapTokens', 'sizeTokens'));

export type TokensOptions = z.output<typeof options>;

/**
 * The ranks ship inside js-tiktoken (offline, no fetch). Loaded on first use with a synchronous require because
 * `create` is synchronous and the o200k table is 2.3 MB of JavaScript that other commands should not parse.
 */
function loadRanks(encoding: Encoding): TiktokenBPE {
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

/**
 * Windows of `sizeTokens` tokens, `sizeTokens - overlapTokens` apart, with exact character offsets. The text is
 * encoded once; token byte lengths give each boundary's UTF-8 offset, mapped back to UTF-16 by one walk over the
 * text. A token boundary inside a multi-byte character (possible with byte-level BPE) widens the chunk to the
 * whole character: chunk starts round down and ends round up, so no character is lost.
 */
export class TokensChunker implements Chunker {
  readonly fingerprint: string;
  readonly #options: TokensOptions;
  #tokenizer: { readonly encoder: Tiktoken; readonly byteLengths: Uint8Array } | undefined;

  constructor(options: TokensOptions) {
    this.#options = options;
    this.fingerprint = fingerprintOf('tokens', options);
  }

  chunk(doc: Document): Chunk[] {
    const text = doc.text;
    const collector = new ChunkCollector(doc);
    if (text.length === 0) return collector.chunks;
    const { encoder, byteLengths } = this.#load();
    // Special-token strings such as "<|endoftext|>" are ordinary text in a document, not control tokens.
    const tokens = encoder.encode(text, [], []);
    const byteOffsets = new Float64Array(tokens.length + 1);
    for (let i = 0; i < tokens.length; i++) byteOffsets[i + 1] = byteOffsets[i]! + byteLengths[tokens[i]!]!;

    const { sizeTokens, overlapTokens } = this.#options;
    const bounds = [...windows(tokens.length, sizeTokens, overlapTokens)];
    // Every byte offset we need, ascending, mapped to UTF-16 in one pass.
    const wanted = [...new Set(bounds.flat())].sort((a, b) => a - b);
    const floor = new Map<number, number>();
    const ceil = new Map<number, number>();
    let unit = 0;
    let byte = 0;
    let charUnit = 0; // where the last character walked over starts
    for (const tokenIndex of wanted) {
      const target = byteOffsets[tokenIndex]!;
      while (byte < target && unit < text.length) {
        charUnit = unit;
        const code = text.codePointAt(unit)!;
        byte += utf8Length(code);
        unit += code > 0xffff ? 2 : 1;
      }
      ceil.set(tokenIndex, unit);
      floor.set(tokenIndex, byte === target ? unit : charUnit);
    }
    if (byte !== byteOffsets[tokens.length] || unit !== text.length) {
      throw new Error('tokens chunker: the tokens do not cover the text (a js-tiktoken change?)');
    }
    for (const [first, last] of bounds) collector.add(floor.get(first)!, ceil.get(last)!);
    return collector.chunks;
  }

  #load(): { readonly encoder: Tiktoken; readonly byteLengths: Uint8Array } {
    if (!this.#tokenizer) {
      const ranks = loadRanks(this.#options.encoding);
      this.#tokenizer = { encoder: new Tiktoken(ranks), byteLengths: tokenByteLengths(ranks) };
    }
    return this.#tokenizer;
  }
}

export const tokens = definePlugin({
  description: 'windows of tiktoken tokens with exact character offsets (sizeTokens, overlapTokens, encoding)',
  options,
  create(options) {
    return new TokensChunker(options);
  },
});
