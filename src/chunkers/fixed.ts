import { z } from 'zod';
import type { Document } from '../corpus/types.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import type { Chunk, Chunker } from './chunker.js';
import { ChunkCollector, smallerThan, splitsSurrogatePair } from './spans.js';

const options = z
  .strictObject({
    sizeChars: z.number().int().positive().default(512),
    overlapChars: z.number().int().nonnegative().default(0),
  })
  .superRefine(smallerThan('overlapChars', 'sizeChars'));

type FixedOptions = z.output<typeof options>;

/**
 * Consecutive windows of `sizeChars` UTF-16 code units, each starting `sizeChars - overlapChars` after the
 * previous one. A boundary that would cut a surrogate pair moves by one unit so the pair stays whole (a window
 * may then be one unit shorter or, when `sizeChars` is 1, longer). Whitespace-only windows are dropped.
 */
class FixedChunker implements Chunker {
  readonly fingerprint: string;
  readonly #options: FixedOptions;

  constructor(options: FixedOptions) {
    this.#options = options;
    this.fingerprint = fingerprintOf('fixed', options);
  }

  chunk(doc: Document): Chunk[] {
    const { sizeChars, overlapChars } = this.#options;
    const text = doc.text;
    const collector = new ChunkCollector(doc);
    let start = 0;
    while (start < text.length) {
      let end = Math.min(start + sizeChars, text.length);
      if (splitsSurrogatePair(text, end)) end = end - 1 > start ? end - 1 : end + 1;
      collector.add(start, end);
      if (end >= text.length) break;
      // Always advance, even when a moved boundary shortened the window below the overlap.
      let next = Math.max(end - overlapChars, start + 1);
      // Moving forward keeps coverage: the window just emitted reaches at least to `end`.
      if (splitsSurrogatePair(text, next)) next += 1;
      start = next;
    }
    return collector.chunks;
  }
}

export const fixed = definePlugin({
  description: 'fixed-size character windows (sizeChars, overlapChars)',
  options,
  create(options) {
    return new FixedChunker(options);
  },
});
