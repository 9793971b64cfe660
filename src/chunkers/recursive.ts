import { z } from 'zod';
import type { Document } from '../corpus/types.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import type { Chunk, Chunker } from './chunker.js';
import { recursiveSpans } from './recursive-split.js';
import { ChunkCollector, smallerThan } from './spans.js';

const options = z
  .strictObject({
    sizeChars: z.number().int().positive().default(800),
    overlapChars: z.number().int().nonnegative().default(100),
    separators: z.array(z.string()).min(1).default(['\n\n', '\n', ' ', '']),
    keepSeparator: z.boolean().default(true),
  })
  .superRefine(smallerThan('overlapChars', 'sizeChars'));

type RecursiveOptions = z.output<typeof options>;

/**
 * LangChain's RecursiveCharacterTextSplitter with exact spans: split on the first separator that occurs,
 * recurse into pieces that are still too long, pack pieces greedily up to `sizeChars` with up to
 * `overlapChars` carried over, trim each chunk. Chunk texts equal LangChain's for the same settings
 * (`chunkSize`, `chunkOverlap`, `separators`, `keepSeparator`), except that whitespace-only chunks and a
 * chunk repeating the previous span are dropped (and see `recursiveSpans` for `keepSeparator: false`).
 */
class RecursiveChunker implements Chunker {
  readonly fingerprint: string;
  readonly #options: RecursiveOptions;

  constructor(options: RecursiveOptions) {
    this.#options = options;
    this.fingerprint = fingerprintOf('recursive', options);
  }

  chunk(doc: Document): Chunk[] {
    const spans = recursiveSpans(doc.text, this.#options);
    const collector = new ChunkCollector(doc);
    for (let i = 0; i < spans.length; i += 2) collector.add(spans[i]!, spans[i + 1]!);
    return collector.chunks;
  }
}

export const recursive = definePlugin({
  description: 'LangChain-compatible recursive splitting on paragraphs, lines, words, characters (sizeChars, overlapChars)',
  options,
  create(options) {
    return new RecursiveChunker(options);
  },
});
