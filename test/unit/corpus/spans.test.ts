import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBeirCorpus } from '../../../src/corpus/beir.js';
import { formatSpanLine, readSpanJudgments } from '../../../src/corpus/spans.js';
import { dataErrorOf, useTempDirs } from './fixtures.js';

const tempDir = useTempDirs();
const line = (q: string, d: string, start: unknown, end: unknown, score?: unknown) =>
  JSON.stringify({ 'query-id': q, 'corpus-id': d, start, end, ...(score === undefined ? {} : { score }) });

async function spanFile(...lines: string[]): Promise<string> {
  const dir = await tempDir({ 'qrels/test.spans.jsonl': `${lines.join('\n')}\n` });
  return join(dir, 'qrels', 'test.spans.jsonl');
}

describe('readSpanJudgments', () => {
  it('reads spans per query in file order, score defaulting to 1, overlaps kept as written', async () => {
    const file = await spanFile(line('q1', 'd1', 0, 10, 2), line('q1', 'd2', 5, 9), '', line('q2', 'd1', 3, 8, 1), line('q1', 'd1', 4, 12, 1));
    const spans = await readSpanJudgments(file);
    expect([...spans.keys()]).toEqual(['q1', 'q2']);
    expect(spans.get('q1')).toEqual([
      { docId: 'd1', start: 0, end: 10, grade: 2 },
      { docId: 'd2', start: 5, end: 9, grade: 1 },
      { docId: 'd1', start: 4, end: 12, grade: 1 },
    ]);
  });

  it('keeps a query whose spans all score ≤ 0, with no spans, and accepts numeric ids', async () => {
    const file = await spanFile(line('q1', 'd1', 0, 10, 0), JSON.stringify({ 'query-id': 7, 'corpus-id': 12, start: 1, end: 2 }));
    const spans = await readSpanJudgments(file);
    expect(spans.get('q1')).toEqual([]);
    expect(spans.get('7')).toEqual([{ docId: '12', start: 1, end: 2, grade: 1 }]);
  });

  it.each([
    [line('q', 'd', -1, 4), /"start" must be a non-negative integer, got -1/],
    [line('q', 'd', 0, 2.5), /"end" must be a non-negative integer, got 2.5/],
    [line('q', 'd', 5, 5), /span 5-5 of document d is empty or reversed/],
    [line('q', 'd', 6, 2), /empty or reversed/],
    [line('q', 'd', 0, 2, 'high'), /"score" must be an integer/],
    [line('', 'd', 0, 2), /missing or empty "query-id"/],
    [JSON.stringify({ 'query-id': 'q', start: 0, end: 2 }), /missing or empty "corpus-id"/],
    ['[1, 2]', /must be a JSON object/],
    ['{"query-id": "q",', /malformed JSON/],
  ])('throws a DataError at file:line for %s', async (bad, message) => {
    const file = await spanFile(line('q0', 'd', 0, 1), bad);
    const error = await dataErrorOf(readSpanJudgments(file));
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`${file}:2 `);
    expect(error.fix).toBeTruthy();
  });

  it('checks spans against document lengths when the documents are known', async () => {
    const lengths = new Map([['d', 10]]);
    const ok = await spanFile(line('q', 'd', 0, 10));
    expect((await readSpanJudgments(ok, { documentLengths: lengths })).get('q')).toHaveLength(1);
    const long = await spanFile(line('q', 'd', 0, 10), line('q', 'd', 4, 11));
    expect((await dataErrorOf(readSpanJudgments(long, { documentLengths: lengths }))).message).toMatch(
      /:2 span 4-11 ends past document d \(10 characters\)/,
    );
    const unknown = await spanFile(line('q', 'x', 0, 1));
    expect((await dataErrorOf(readSpanJudgments(unknown, { documentLengths: lengths }))).message).toMatch(/:1 span names document "x"/);
  });

  it('round-trips formatSpanLine', async () => {
    const file = await spanFile(formatSpanLine('q', { docId: 'd', start: 3, end: 9, grade: 2 }));
    expect((await readSpanJudgments(file)).get('q')).toEqual([{ docId: 'd', start: 3, end: 9, grade: 2 }]);
  });

  it('a missing span file is a DataError', async () => {
    const dir = await tempDir();
    expect((await dataErrorOf(readSpanJudgments(join(dir, 'nope.jsonl')))).message).toMatch(/cannot read/);
  });
});

describe('BEIR corpus spans()', () => {
  const beir = {
    'corpus.jsonl': `${JSON.stringify({ _id: 'd', title: '', text: 'hello world' })}\n`,
    'queries.jsonl': `${JSON.stringify({ _id: 'q', text: 'hello' })}\n`,
    'qrels/test.tsv': 'query-id\tcorpus-id\tscore\nq\td\t1\n',
  };

  it('is undefined when the split has no span file', async () => {
    const corpus = await openBeirCorpus(await tempDir(beir), { name: 't' });
    expect(await corpus.spans?.()).toBeUndefined();
  });

  it('reads qrels/<split>.spans.jsonl of the configured split, checking lengths when given', async () => {
    const dir = await tempDir({ ...beir, 'qrels/dev.spans.jsonl': `${line('q', 'd', 0, 5)}\n${line('q', 'd', 6, 12)}\n` });
    const corpus = await openBeirCorpus(dir, { name: 't', qrelsSplit: 'dev' });
    expect((await corpus.spans?.())?.get('q')).toHaveLength(2);
    const error = await dataErrorOf(corpus.spans!({ documentLengths: new Map([['d', 11]]) }));
    expect(error.message).toMatch(/dev\.spans\.jsonl:2 span 6-12 ends past document d/);
  });
});
