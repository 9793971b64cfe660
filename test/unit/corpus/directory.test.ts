import { describe, expect, it } from 'vitest';
import { openDirectoryCorpus } from '../../../src/corpus/directory.js';
import { collect, dataErrorOf, useTempDirs } from './fixtures.js';

describe('openDirectoryCorpus', () => {
  const tempDir = useTempDirs();

  it('makes one document per .md/.txt file, id = relative posix path, sorted by path', async () => {
    const dir = await tempDir({
      'notes/wings.md': '# Wings\n\nLift grows with angle of attack.',
      'b.txt': 'plain text',
      'a/z.TXT': 'upper-case extension',
      'image.png': 'not a document',
      'data.json': '{}',
      '.obsidian/workspace.md': 'tool state, not a note',
    });
    const corpus = await openDirectoryCorpus(dir, { name: 'notes' });
    const docs = await collect(corpus.documents());
    expect(docs.map((d) => d.id)).toEqual(['a/z.TXT', 'b.txt', 'notes/wings.md']);
    expect(docs[2]).toEqual({ id: 'notes/wings.md', text: '# Wings\n\nLift grows with angle of attack.' });
    expect(corpus.name).toBe('notes');
  });

  it('reports reading as a phase of files with the total up front', async () => {
    const dir = await tempDir({ 'a.md': 'one', 'b.txt': 'two', 'c/d.md': 'three' });
    const corpus = await openDirectoryCorpus(dir, { name: 'notes' });
    const calls: string[] = [];
    const progress = { start: (label: string, total?: number) => void calls.push(`start ${total}`), advance: (n: number) => void calls.push(`+${n}`), done: () => void calls.push('done') };
    await collect(corpus.documents({ progress }));
    expect(calls).toEqual(['start 3', '+1', '+1', '+1', 'done']);
  });

  it('strips a UTF-8 BOM so chunk offsets count only content', async () => {
    const dir = await tempDir({ 'bom.md': '\uFEFFcafé – naïve' });
    const [doc] = await collect((await openDirectoryCorpus(dir, { name: 't' })).documents());
    expect(doc!.text).toBe('café – naïve');
  });

  it('reads optional queries.jsonl and qrels/test.tsv, which are not documents', async () => {
    const dir = await tempDir({
      'a.md': 'alpha',
      'queries.jsonl': '{"_id":"q1","text":"what is alpha"}\n',
      'qrels/test.tsv': 'query-id\tcorpus-id\tscore\nq1\ta.md\t1\n',
    });
    const corpus = await openDirectoryCorpus(dir, { name: 't' });
    expect((await collect(corpus.documents())).map((d) => d.id)).toEqual(['a.md']);
    expect(await corpus.queries()).toEqual([{ id: 'q1', text: 'what is alpha' }]);
    expect((await corpus.judgments()).get('q1')?.get('a.md')).toBe(1);
  });

  it('has no queries or judgments when those files are absent', async () => {
    const corpus = await openDirectoryCorpus(await tempDir({ 'a.md': 'alpha' }), { name: 't' });
    expect(await corpus.queries()).toEqual([]);
    expect((await corpus.judgments()).size).toBe(0);
  });

  it('fingerprints names and contents', async () => {
    const fingerprintOf = async (files: Record<string, string>) =>
      (await openDirectoryCorpus(await tempDir(files), { name: 't' })).fingerprint();
    const base = await fingerprintOf({ 'a.md': 'alpha' });
    expect(await fingerprintOf({ 'a.md': 'alpha' })).toBe(base);
    expect(await fingerprintOf({ 'b.md': 'alpha' })).not.toBe(base);
    expect(await fingerprintOf({ 'a.md': 'alpha!' })).not.toBe(base);
  });

  it('rejects a folder without documents, with a fix', async () => {
    const dir = await tempDir({ 'notes.pdf': 'x' });
    const error = await dataErrorOf(openDirectoryCorpus(dir, { name: 't' }));
    expect(error.code).toBe('E_DATA');
    expect(error.message).toMatch(/no \.md or \.txt files/);
    expect(error.fix).toMatch(/corpus\.jsonl/);
  });
});
