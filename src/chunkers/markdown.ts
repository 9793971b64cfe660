import { z } from 'zod';
import type { Document } from '../corpus/types.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import type { Chunk, Chunker } from './chunker.js';
import { recursiveSpans } from './recursive-split.js';
import { ChunkCollector, isBlank, skipWhitespace, skipWhitespaceBack, smallerThan } from './spans.js';

const options = z
  .strictObject({
    maxChars: z.number().int().positive().default(1500),
    overlapChars: z.number().int().nonnegative().default(100),
    mergeSmall: z.boolean().default(true),
  })
  .superRefine(smallerThan('overlapChars', 'maxChars'));

type MarkdownOptions = z.output<typeof options>;

/**
 * Offsets where ATX headings (`#` … `######`) start a line outside fenced code blocks (``` or ~~~; an unclosed
 * fence runs to the end, as in CommonMark). Setext headings (underlined with === or ---) are not recognised.
 */
export function headingStarts(text: string): number[] {
  // Sticky regexes carry `lastIndex`, so they are made per call. CommonMark: up to three spaces of indentation;
  // four make an indented code block, not a heading or a fence.
  const atxHeading = / {0,3}#{1,6}(?=[ \t\r\n]|$)/y;
  const codeFence = / {0,3}(`{3,}|~{3,})/y;
  const starts: number[] = [];
  let fence: string | undefined; // the opening fence while inside a code block
  for (let line = 0; line < text.length; ) {
    const newline = text.indexOf('\n', line);
    const lineEnd = newline === -1 ? text.length : newline;
    codeFence.lastIndex = line;
    const marker = codeFence.exec(text)?.[1];
    if (fence !== undefined) {
      const closes = marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length;
      if (closes && isBlank(text, codeFence.lastIndex, lineEnd)) fence = undefined;
    } else if (marker !== undefined) {
      fence = marker;
    } else {
      atxHeading.lastIndex = line;
      if (atxHeading.test(text)) starts.push(line);
    }
    line = lineEnd + 1;
  }
  return starts;
}

/**
 * Heading-aware chunks: a section runs from an ATX heading line to the next one (text before the first heading
 * is a section too). With `mergeSmall` (default true) consecutive sections are packed into one chunk while the
 * packed span stays within `maxChars`. A section longer than `maxChars` is split inside with the `recursive`
 * algorithm (sizeChars = maxChars, overlapChars, default separators). Chunks are trimmed of outer whitespace.
 */
class MarkdownChunker implements Chunker {
  readonly fingerprint: string;
  readonly #options: MarkdownOptions;

  constructor(options: MarkdownOptions) {
    this.#options = options;
    this.fingerprint = fingerprintOf('markdown', options);
  }

  chunk(doc: Document): Chunk[] {
    const text = doc.text;
    const { maxChars, overlapChars, mergeSmall } = this.#options;
    const cuts = [0, ...headingStarts(text).filter((s) => s > 0), text.length];
    const collector = new ChunkCollector(doc);
    for (let i = 0; i + 1 < cuts.length; ) {
      const start = cuts[i]!;
      let j = i + 1;
      if (mergeSmall) while (j + 1 < cuts.length && cuts[j + 1]! - start <= maxChars) j++;
      const end = cuts[j]!;
      if (end - start <= maxChars) {
        const s = skipWhitespace(text, start, end);
        collector.add(s, skipWhitespaceBack(text, s, end));
      } else {
        const settings = { sizeChars: maxChars, overlapChars, separators: ['\n\n', '\n', ' ', ''], keepSeparator: true };
        const spans = recursiveSpans(text, settings, { start, end });
        for (let k = 0; k < spans.length; k += 2) collector.add(spans[k]!, spans[k + 1]!);
      }
      i = j;
    }
    return collector.chunks;
  }
}

export const markdown = definePlugin({
  description: 'one chunk per Markdown heading section, long sections split recursively (maxChars, overlapChars)',
  options,
  create(options) {
    return new MarkdownChunker(options);
  },
});
