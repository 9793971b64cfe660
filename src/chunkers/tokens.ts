import { z } from 'zod';
import type { Document } from '../corpus/types.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import { createTokenOffsets, tokenEncodings, type TokenOffsets } from '../shared/text/token-offsets.js';
import type { Chunk, Chunker } from './chunker.js';
import { ChunkCollector, smallerThan, windows } from './spans.js';


const options = z
  .strictObject({
    sizeTokens: z.number().int().positive().default(256),
    overlapTokens: z.number().int().nonnegative().default(0),
    encoding: z.enum(tokenEncodings).default('cl100k_base'),
  })
  .superRefine(smallerThan('overlapTokens', 'sizeTokens'));

type TokensOptions = z.output<typeof options>;

/**
 * Windows of `sizeTokens` tokens, `sizeTokens - overlapTokens` apart, with exact character offsets. The text is
 * encoded once; token byte lengths give each boundary's UTF-8 offset, mapped back to UTF-16 by one walk over the
 * text. A token boundary inside a multi-byte character (possible with byte-level BPE) widens the chunk to the
 * whole character: chunk starts round down and ends round up, so no character is lost.
 */
class TokensChunker implements Chunker {
  readonly fingerprint: string;
  readonly #options: TokensOptions;
  // Loaded on first use: the o200k table is 2.3 MB of JavaScript that other commands should not parse.
  #offsets: ((text: string) => TokenOffsets) | undefined;

  constructor(options: TokensOptions) {
    this.#options = options;
    this.fingerprint = fingerprintOf('tokens', options);
  }

  chunk(doc: Document): Chunk[] {
    const collector = new ChunkCollector(doc);
    if (doc.text.length === 0) return collector.chunks;
    this.#offsets ??= createTokenOffsets(this.#options.encoding);
    const { starts, ends } = this.#offsets(doc.text);
    const { sizeTokens, overlapTokens } = this.#options;
    for (const [first, last] of windows(starts.length, sizeTokens, overlapTokens)) collector.add(starts[first]!, ends[last - 1]!);
    return collector.chunks;
  }
}

export const tokens = definePlugin({
  description: 'windows of tiktoken tokens with exact character offsets (sizeTokens, overlapTokens, encoding)',
  options,
  create(options) {
    return new TokensChunker(options);
  },
});
