import { createRequire } from 'node:module';
import type { TiktokenBPE } from 'js-tiktoken/lite';
import { z } from 'zod';
import type { Document } from '../corpus/types.js';
import { DataError } from '../shared/errors.js';
import { fingerprintOf } from '../shared/hash.js';
import { TextLocator, type LocateMatch } from '../shared/text/locate-text.js';
import { definePlugin } from '../shared/plugin.js';
import { makeChunk, type Chunk, type Chunker } from './chunker.js';
import { graphemeBoundary } from './spans.js';

const splitters = ['RecursiveCharacterTextSplitter', 'CharacterTextSplitter', 'TokenTextSplitter', 'MarkdownTextSplitter', 'LatexTextSplitter'] as const;
const languages = ['cpp', 'go', 'java', 'js', 'php', 'proto', 'python', 'rst', 'ruby', 'rust', 'scala', 'swift', 'markdown', 'latex', 'html', 'sol'] as const;

const options = z
  .strictObject({
    /** A class exported by @langchain/textsplitters. */
    splitter: z.enum(splitters).default('RecursiveCharacterTextSplitter'),
    /** RecursiveCharacterTextSplitter.fromLanguage(language, options): code- and markup-aware separators. */
    language: z.enum(languages).optional(),
    /** The splitter's own constructor options, as LangChain names them (its defaults when left out). */
    chunkSize: z.int().positive().optional(),
    chunkOverlap: z.int().nonnegative().optional(),
    separator: z.string().optional(),
    separators: z.array(z.string()).optional(),
    keepSeparator: z.boolean().optional(),
    /** TokenTextSplitter: the bundled js-tiktoken encoding. */
    encodingName: z.enum(['gpt2', 'r50k_base', 'p50k_base', 'p50k_edit', 'cl100k_base', 'o200k_base']).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.language !== undefined && o.splitter !== 'RecursiveCharacterTextSplitter') {
      ctx.addIssue({ code: 'custom', path: ['language'], message: 'language uses RecursiveCharacterTextSplitter.fromLanguage; leave splitter at its default' });
    }
    if (o.chunkSize !== undefined && o.chunkOverlap !== undefined && o.chunkOverlap >= o.chunkSize) {
      ctx.addIssue({ code: 'custom', path: ['chunkOverlap'], message: 'chunkOverlap must be smaller than chunkSize' });
    }
  });

type LangChainOptions = z.output<typeof options>;

interface TextSplitterLike {
  readonly chunkOverlap: number;
  splitText(text: string): Promise<string[]>;
}

async function bundledEncoding(name: string): Promise<unknown> {
  const { Tiktoken } = await import('js-tiktoken/lite');
  return new Tiktoken(createRequire(import.meta.url)(`js-tiktoken/ranks/${name}`) as TiktokenBPE);
}

const version = (() => {
  try {
    return (createRequire(import.meta.url)('@langchain/textsplitters/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/**
 * Any LangChain.js text splitter, as the user's pipeline runs it. LangChain returns strings; each is located in
 * its document (exact, then whitespace-normalised) after the previous chunk, so offsets are exact and span
 * metrics work. A string found nowhere is counted (`splitStats`), never given made-up offsets.
 */
export const langchain = definePlugin({
  description: 'a @langchain/textsplitters splitter by class name and options (or fromLanguage); offsets recovered',
  options,
  create(o): LangChainChunker {
    return new LangChainChunker(o);
  },
});

export class LangChainChunker implements Chunker {
  readonly fingerprint: string;
  readonly #options: LangChainOptions;
  #splitter: Promise<TextSplitterLike> | undefined;
  /** docId → text → chunks: two corpora may both have a document "1". */
  #prepared = new Map<string, Map<string, Chunk[]>>();
  readonly #stats: Record<LocateMatch | 'unlocated' | 'widened', number> = { exact: 0, whitespace: 0, 'no-whitespace': 0, unlocated: 0, widened: 0 };

  constructor(o: LangChainOptions) {
    this.#options = o;
    this.fingerprint = fingerprintOf('langchain', { ...o, textsplitters: version });
  }

  async prepare(docs: readonly Document[], signal?: AbortSignal): Promise<void> {
    const splitter = await this.#load();
    const prepared = new Map<string, Map<string, Chunk[]>>();
    for (const doc of docs) {
      signal?.throwIfAborted();
      if (doc.text.trim() === '') continue;
      let byText = prepared.get(doc.id);
      if (!byText) prepared.set(doc.id, (byText = new Map()));
      byText.set(doc.text, this.#place(doc, await splitter.splitText(doc.text), splitter.chunkOverlap));
    }
    this.#prepared = prepared;
  }

  chunk(doc: Document): Chunk[] {
    if (doc.text.trim() === '') return [];
    const chunks = this.#prepared.get(doc.id)?.get(doc.text);
    if (!chunks) throw new Error(`langchain chunker: prepare() was not called for document ${doc.id}`);
    return chunks;
  }

  /** How the splitter's strings were placed in their documents so far (recorded in the run manifest). */
  describe(): Record<string, unknown> {
    return { textsplitters: version, located: { ...this.#stats } };
  }

  /**
   * Each string is searched from just after the previous chunk's start, and no earlier than the previous end
   * minus the overlap (character splitters), so repeated passages get their own offsets rather than the first.
   */
  #place(doc: Document, texts: readonly string[], overlap: number): Chunk[] {
    const locator = new TextLocator(doc.text);
    const chunks: Chunk[] = [];
    const charOverlap = this.#options.splitter !== 'TokenTextSplitter';
    // Placed by the splitter's own strings (`previous`); the chunks themselves are then widened to cluster edges.
    let previous: { start: number; end: number } | undefined;
    for (const text of texts) {
      const from = previous ? Math.max(previous.start + 1, charOverlap ? previous.end - overlap : 0) : 0;
      const found = locator.locate(text, from) ?? (previous ? locator.locate(text, previous.start + 1) : undefined);
      if (!found) {
        this.#stats.unlocated++;
        continue;
      }
      previous = found;
      this.#stats[found.match]++;
      // LangChain splits by UTF-16 code unit at its last separator (""), which can cut a surrogate pair or a
      // grapheme cluster; widened to cluster edges, as every ragbench chunker is (the chunk may grow by a cluster).
      const start = graphemeBoundary(doc.text, found.start, -1);
      const end = graphemeBoundary(doc.text, found.end, 1);
      if (start !== found.start || end !== found.end) this.#stats.widened++;
      const last = chunks.at(-1);
      if (last && last.start === start && last.end === end) continue; // two pieces of one cluster: one chunk
      chunks.push(makeChunk(doc, start, end));
    }
    return chunks;
  }

  #load(): Promise<TextSplitterLike> {
    this.#splitter ??= (async () => {
      const module = await import('@langchain/textsplitters');
      const { splitter, language, ...rest } = this.#options;
      const fields = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
      try {
        if (language !== undefined) return module.RecursiveCharacterTextSplitter.fromLanguage(language, fields);
        const instance = new module[splitter](fields) as TextSplitterLike;
        // LangChain's TokenTextSplitter fetches its encoding from a CDN on first use; ragbench runs offline, so it
        // gets the same encoding from the ranks bundled in js-tiktoken.
        if (splitter === 'TokenTextSplitter') (instance as unknown as { tokenizer: unknown }).tokenizer = await bundledEncoding(this.#options.encodingName ?? 'gpt2');
        return instance;
      } catch (error) {
        throw new DataError(`@langchain/textsplitters ${splitter} rejected its options: ${(error as Error).message}`, { fix: 'check chunkSize, chunkOverlap and the separators', cause: error });
      }
    })();
    return this.#splitter;
  }
}
