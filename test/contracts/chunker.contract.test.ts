/**
 * One behaviour suite over every registered chunker kind, with its defaults and one small setting, on every
 * document of the shared IR corpora plus synthetic documents built to catch offset bugs.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Chunk } from '../../src/chunkers/chunker.js';
import { chunkers, createChunker, type ChunkerKind } from '../../src/chunkers/registry.js';
import type { Document } from '../../src/corpus/types.js';
import { datasetPath, irDatasets, lacks } from '../helpers/datasets.js';

const settings: Record<ChunkerKind, readonly object[]> = {
  fixed: [{}, { sizeChars: 64, overlapChars: 16 }],
  tokens: [{}, { sizeTokens: 16, overlapTokens: 4 }],
  recursive: [{}, { sizeChars: 64, overlapChars: 16 }],
  sentences: [{}, { sentencesPerChunk: 2, overlapSentences: 1 }],
  markdown: [{}, { maxChars: 64, overlapChars: 16 }],
  // The offline hashing embedder (the default) keeps the suite fast and deterministic.
  semantic: [{}, { bufferSize: 0, thresholdType: 'gradient', minChars: 40, maxChars: 300 }],
  // LangChain's own splitters; their strings are located back in the documents.
  langchain: [{}, { chunkSize: 64, chunkOverlap: 16 }, { splitter: 'MarkdownTextSplitter', chunkSize: 200, chunkOverlap: 40 }, { language: 'markdown', chunkSize: 120, chunkOverlap: 0 }],
};

/** A tiny JSONL reader for `{"_id","title","text"}` lines; the real corpus reader lives in src/corpus. */
function readDocuments(name: string): Document[] {
  return readFileSync(datasetPath(name, 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { _id: string; title?: string; text: string })
    .map((row) => ({ id: row._id, title: row.title, text: row.text }));
}

const passage = 'The same passage, again and again. ';
const synthetic: Document[] = [
  { id: 'repeated', text: `${passage.repeat(40)}\n\n${passage.repeat(40)}` },
  { id: 'repeated-words', text: 'abc '.repeat(500) },
  { id: 'markdown', text: `# Title\r\n\r\n${passage.repeat(5)}\r\n\r\n## Part\r\n\`\`\`\r\n# code\r\n\`\`\`\r\n${'word '.repeat(300)}` },
  { id: 'emoji', text: `${'😀🦒 𝔘é '.repeat(60)}${'😀'.repeat(200)}` },
  { id: 'long-word', text: 'x'.repeat(3000) },
  { id: 'empty', text: '' },
  { id: 'blank', text: ' \n\r\n\t ' },
];
const corpora: { name: string; docs: Document[] }[] = [
  // A dataset that could not be pulled is left out (the global setup said so once, with the pull command).
  ...irDatasets.filter((name) => !lacks(name)).map((name) => ({ name, docs: readDocuments(name) })),
  { name: 'synthetic', docs: synthetic },
];

/** Every contract violation in one document's chunks, as readable strings (empty when all hold). */
function violations(doc: Document, chunks: readonly Chunk[]): string[] {
  const found: string[] = [];
  let reach = 0;
  let previousStart = 0;
  const ids = new Set<string>();
  for (const c of chunks) {
    if (doc.text.slice(c.start, c.end) !== c.text) found.push(`${c.id}: text is not doc.text.slice(start, end)`);
    if (c.id !== `${doc.id}#${c.start}-${c.end}`) found.push(`${c.id}: id is not docId#start-end`);
    if (c.docId !== doc.id) found.push(`${c.id}: docId ${c.docId}`);
    if (!(c.start >= 0 && c.start < c.end && c.end <= doc.text.length)) found.push(`${c.id}: bad span`);
    if (c.text.trim() === '') found.push(`${c.id}: whitespace-only chunk`);
    if (c.start < previousStart) found.push(`${c.id}: starts before the previous chunk`);
    if (ids.has(c.id)) found.push(`${c.id}: duplicate id`);
    if (c.start > reach && doc.text.slice(reach, c.start).trim() !== '') found.push(`${doc.id}: ${reach}-${c.start} not covered`);
    ids.add(c.id);
    previousStart = c.start;
    reach = Math.max(reach, c.end);
  }
  if (doc.text.slice(reach).trim() !== '') found.push(`${doc.id}: text after ${reach} not covered`);
  return found;
}

describe.each(Object.keys(chunkers) as ChunkerKind[])('chunker contract: %s', (kind) => {
  describe.each(settings[kind])('with options %j', (options) => {
    const chunker = createChunker(kind, options);
    // Kinds with async preparation (semantic: sentence embeddings) get every document of the suite in one batch.
    beforeAll(async () => {
      await chunker.prepare?.(corpora.flatMap(({ docs }) => docs));
    });

    it.each(corpora)('keeps exact spans, ids, order and coverage on every $name document', ({ docs }) => {
      const problems = docs.flatMap((doc) => violations(doc, chunker.chunk(doc)));
      expect(problems.slice(0, 10)).toEqual([]);
    });

    it('returns equal chunks when called twice on the same document', () => {
      for (const { docs } of corpora) {
        for (const doc of docs.filter((_, i) => i % 25 === 0)) expect(chunker.chunk(doc)).toEqual(chunker.chunk(doc));
      }
    });

    it('gives repeated passages distinct offsets', () => {
      const chunks = chunker.chunk(synthetic[0]!);
      expect(chunks.length).toBeGreaterThan(1);
      expect(new Set(chunks.map((c) => c.start)).size).toBe(chunks.length);
    });

    it('returns no chunks for an empty or whitespace-only document', () => {
      expect(chunker.chunk({ id: 'e', text: '' })).toEqual([]);
      expect(chunker.chunk({ id: 'b', text: ' \n\r\n\t ' })).toEqual([]);
    });

    it('has a fingerprint naming its kind', () => {
      expect(chunker.fingerprint.startsWith(`${kind}:{`)).toBe(true);
    });
  });
});
