import { RecursiveCharacterTextSplitter, TokenTextSplitter } from '@langchain/textsplitters';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2 from 'js-tiktoken/ranks/gpt2';
import { describe, expect, it } from 'vitest';
import { createChunker } from '../../../src/chunkers/registry.js';
import type { LangChainChunker } from '../../../src/chunkers/langchain.js';
import type { Document } from '../../../src/corpus/types.js';

const doc: Document = {
  id: 'd',
  text: `# Intro\n\nThe same passage, again and again. ${'The same passage, again and again. '.repeat(12)}\n\n## Code\n\n\`\`\`ts\nconst x = 1;\n\`\`\`\n\nEnd.`,
};

/** LangChain's own TokenTextSplitter, given the bundled encoding instead of fetching it (tests run offline). */
function tokenSplitter(chunkSize: number, chunkOverlap: number): TokenTextSplitter {
  const splitter = new TokenTextSplitter({ chunkSize, chunkOverlap });
  (splitter as unknown as { tokenizer: Tiktoken }).tokenizer = new Tiktoken(gpt2);
  return splitter;
}

async function chunksOf(options: object, document: Document = doc) {
  const chunker = createChunker('langchain', options) as LangChainChunker;
  await chunker.prepare([document]);
  return { chunker, chunks: chunker.chunk(document) };
}

describe('langchain chunker', () => {
  it('returns exactly LangChain’s strings, each at offsets where the document holds it, in order', async () => {
    const { chunks } = await chunksOf({ chunkSize: 60, chunkOverlap: 20 });
    const strings = await new RecursiveCharacterTextSplitter({ chunkSize: 60, chunkOverlap: 20 }).splitText(doc.text);
    expect(chunks.map((c) => c.text)).toEqual(strings);
    for (const c of chunks) expect(doc.text.slice(c.start, c.end)).toBe(c.text);
    // Repeated passages: every chunk has its own place, advancing through the document.
    expect(new Set(chunks.map((c) => c.start)).size).toBe(chunks.length);
    expect(chunks.map((c) => c.start)).toEqual([...chunks.map((c) => c.start)].sort((a, b) => a - b));
  });

  it('uses fromLanguage separators and the bundled tokenizer of TokenTextSplitter', async () => {
    const markdown = await chunksOf({ language: 'markdown', chunkSize: 80, chunkOverlap: 0 });
    const expected = await RecursiveCharacterTextSplitter.fromLanguage('markdown', { chunkSize: 80, chunkOverlap: 0 }).splitText(doc.text);
    expect(markdown.chunks.map((c) => c.text)).toEqual(expected);
    const tokens = await chunksOf({ splitter: 'TokenTextSplitter', chunkSize: 16, chunkOverlap: 4 });
    const strings = await tokenSplitter(16, 4).splitText(doc.text);
    expect(tokens.chunks.map((c) => c.text)).toEqual(strings);
    expect(tokens.chunker.describe()).toMatchObject({ located: { unlocated: 0 } });
  });

  it('counts strings it cannot find in the document instead of inventing offsets', async () => {
    // A multi-byte character cut between token windows decodes to U+FFFD: that string is not in the document.
    const emoji: Document = { id: 'e', text: '😀🦒 𝔘é '.repeat(40) };
    const { chunker, chunks } = await chunksOf({ splitter: 'TokenTextSplitter', chunkSize: 3, chunkOverlap: 0 }, emoji);
    const stats = chunker.describe() as { located: Record<string, number> };
    const strings = await tokenSplitter(3, 0).splitText(emoji.text);
    expect(stats.located.unlocated).toBe(strings.filter((s) => s.includes('\uFFFD')).length);
    expect(stats.located.unlocated).toBeGreaterThan(0);
    for (const c of chunks) expect(emoji.text.slice(c.start, c.end)).toBe(c.text);
  });

  it('rejects options LangChain would misread, at config time', () => {
    expect(() => createChunker('langchain', { chunkSize: 10, chunkOverlap: 10 })).toThrow(/chunkOverlap must be smaller/);
    expect(() => createChunker('langchain', { splitter: 'TokenTextSplitter', language: 'python' })).toThrow(/fromLanguage/);
  });
});
