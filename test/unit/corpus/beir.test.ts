import { describe, expect, it } from 'vitest';
import { openBeirCorpus } from '../../../src/corpus/beir.js';
import type { Document } from '../../../src/corpus/types.js';
import { datasetPath, lacks, repoRoot } from '../../helpers/datasets.js';
import { collect, dataErrorOf, useTempDirs } from './fixtures.js';

const judgmentCount = (judgments: ReadonlyMap<string, ReadonlyMap<string, number>>) =>
  [...judgments.values()].reduce((sum, docs) => sum + docs.size, 0);

describe('openBeirCorpus on the shared datasets', () => {
  it.skipIf(lacks('cranfield'))('reads Cranfield: 1400 documents in file order, 225 queries, 1837 judgments', async () => {
    const corpus = await openBeirCorpus(datasetPath('cranfield'), { name: 'cranfield' });
    const docs = await collect(corpus.documents());
    expect(corpus.name).toBe('cranfield');
    expect(docs).toHaveLength(1400);
    expect(docs.slice(0, 3).map((d) => d.id)).toEqual(['1', '2', '3']);
    expect(docs[0]!.title).toBe('experimental investigation of the aerodynamics of a wing in a slipstream .');
    // Cranfield's text repeats the title; text stays exactly the `text` field, so chunk offsets refer to it.
    expect(docs[0]!.text.startsWith('experimental investigation of the aerodynamics')).toBe(true);
    expect(docs.filter((d) => d.text === '').map((d) => d.id)).toEqual(['471', '995']);
    expect(await corpus.queries()).toHaveLength(225);
    const judgments = await corpus.judgments();
    expect(judgments.size).toBe(225);
    expect(judgmentCount(judgments)).toBe(1837);
    expect(judgments.get('1')?.get('12')).toBe(2);
  });

  it.skipIf(lacks('pubmedqa-pqal'))('leaves out empty titles (PubMedQA passages have none)', async () => {
    const corpus = await openBeirCorpus(datasetPath('pubmedqa-pqal'), { name: 'pubmedqa' });
    const first = (await collect(corpus.documents()))[0]!;
    expect(first).toEqual({ id: '1571683-0', text: 'To assess quality of storage of vaccines in the community.' });
  });

  it.skipIf(lacks('cranfield', 'cisi'))('fingerprints the files: a stable sha256, cached, independent of where the folder lives', async () => {
    const corpus = await openBeirCorpus(datasetPath('cranfield'), { name: 'cranfield' });
    const first = await corpus.fingerprint();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await corpus.fingerprint()).toBe(first);
    const other = await openBeirCorpus(datasetPath('cisi'), { name: 'cisi' });
    expect(await other.fingerprint()).not.toBe(first);
  });

  it('reads the committed sample: every judged document is in it', async () => {
    const corpus = await openBeirCorpus(`${repoRoot}corpora/sample`, { name: 'sample' });
    const ids = new Set((await collect(corpus.documents())).map((d) => d.id));
    const judgments = await corpus.judgments();
    expect(ids.size).toBeGreaterThanOrEqual(40);
    expect((await corpus.queries()).length).toBe(judgments.size);
    for (const docs of judgments.values()) for (const docId of docs.keys()) expect(ids.has(docId)).toBe(true);
  });
});

describe('openBeirCorpus on malformed data', () => {
  const tempDir = useTempDirs();
  const beir = (corpus: string, extra: Record<string, string> = {}) =>
    tempDir({ 'corpus.jsonl': corpus, 'queries.jsonl': '{"_id":"q1","text":"wings"}\n', ...extra });
  const documentsOf = async (dir: string): Promise<Document[]> =>
    collect((await openBeirCorpus(dir, { name: 't' })).documents());

  it.each([
    ['a line that is not JSON', '{"_id":"1","text":"a"}\n{"_id":"2","text":', 2, /malformed JSON/],
    ['a missing _id', '{"_id":"1","text":"a"}\n{"_id":"2","text":"b"}\n{"text":"c"}\n', 3, /missing or empty "_id"/],
    ['an empty _id', '{"_id":"","text":"a"}\n', 1, /missing or empty "_id"/],
    ['a non-string text', '{"_id":"1","text":5}\n', 1, /document 1: "text" must be a string/],
    ['a duplicate id', '{"_id":"1","text":"a"}\n{"_id":"2","text":"b"}\n{"_id":"1","text":"c"}\n', 3, /duplicate document id "1"/],
  ])('reports %s at corpus.jsonl:line', async (_case, corpus, line, message) => {
    const dir = await beir(corpus);
    const error = await dataErrorOf(documentsOf(dir));
    expect(error.place).toEqual({ file: `${dir}/corpus.jsonl`, line });
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`corpus.jsonl:${line} `);
    expect(error.fix).toBeTruthy();
  });

  it('reports a duplicate query id and a missing qrels split with the file', async () => {
    const dir = await beir('{"_id":"1","text":"a"}\n', {
      'queries.jsonl': '{"_id":"q1","text":"a"}\n{"_id":"q1","text":"b"}\n',
    });
    const corpus = await openBeirCorpus(dir, { name: 't', qrelsSplit: 'dev' });
    expect((await dataErrorOf(corpus.queries())).message).toMatch(/queries\.jsonl:2 duplicate query id "q1"/);
    expect((await dataErrorOf(corpus.judgments())).message).toMatch(/qrels file not found: .*qrels\/dev\.tsv/);
  });

  it('refuses an empty query with its line (issue 11 #9: it scored 0 silently)', async () => {
    const dir = await beir('{"_id":"1","text":"a"}\n', {
      'queries.jsonl': '{"_id":"q1","text":"a"}\n{"_id":"q2","text":"  "}\n',
    });
    const corpus = await openBeirCorpus(dir, { name: 't' });
    expect((await dataErrorOf(corpus.queries())).message).toMatch(/queries\.jsonl:2 query q2 has empty text/);
  });

  it('fingerprints content, not location: a copy elsewhere matches, one changed byte does not', async () => {
    const files = { 'corpus.jsonl': '{"_id":"1","text":"lift"}\n', 'qrels/test.tsv': 'query-id\tcorpus-id\tscore\nq1\t1\t1\n' };
    const a = await openBeirCorpus(await beir(files['corpus.jsonl'], files), { name: 'a' });
    const b = await openBeirCorpus(await beir(files['corpus.jsonl'], files), { name: 'b' });
    const c = await openBeirCorpus(await beir('{"_id":"1","text":"lifts"}\n', { 'qrels/test.tsv': files['qrels/test.tsv'] }), { name: 'c' });
    expect(await a.fingerprint()).toBe(await b.fingerprint());
    expect(await c.fingerprint()).not.toBe(await a.fingerprint());
    expect(judgmentCount(await a.judgments())).toBe(1);
  });

  it('requires corpus.jsonl', async () => {
    const dir = await tempDir({ 'queries.jsonl': '' });
    expect((await dataErrorOf(openBeirCorpus(dir, { name: 't' }))).message).toMatch(/no corpus\.jsonl/);
  });
});

describe('reading progress', () => {
  const tempDir = useTempDirs();

  it('reports corpus.jsonl in megabytes against the file size (a total up front, so an ETA), ending at the total', async () => {
    const line = (i: number) => `${JSON.stringify({ _id: `d${i}`, title: '', text: 'x'.repeat(1000) })}\n`;
    const dir = await tempDir({ 'corpus.jsonl': Array.from({ length: 2600 }, (_, i) => line(i)).join('') }); // ≈ 2.5 MB
    const corpus = await openBeirCorpus(dir, { name: 'p' });
    const phases: Array<{ label: string; total?: number; advanced: number; done: boolean }> = [];
    const progress = {
      start: (label: string, total?: number) => void phases.push({ label, ...(total !== undefined ? { total } : {}), advanced: 0, done: false }),
      advance: (units: number) => void (phases.at(-1)!.advanced += units),
      done: () => void (phases.at(-1)!.done = true),
    };
    expect(await collect(corpus.documents({ progress }))).toHaveLength(2600);
    expect(phases).toEqual([{ label: expect.stringMatching(/^read .*corpus\.jsonl \(MB\)$/), total: 3, advanced: 3, done: true }]);
  });
});
