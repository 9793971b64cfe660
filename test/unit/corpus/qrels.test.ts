import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectQrelsFormat, parseQrels, readQrels } from '../../../src/corpus/qrels.js';
import type { Judgments } from '../../../src/corpus/types.js';
import { DataError } from '../../../src/shared/errors.js';

const plain = (judgments: Judgments) => Object.fromEntries([...judgments].map(([q, docs]) => [q, Object.fromEntries(docs)]));

describe('parseQrels', () => {
  it('reads TREC qrels (qid iter docid rel), ignoring the iteration column', () => {
    const judgments = parseQrels('1 0 d1 2\n1 0 d2 1\n2 Q0 d9 3\n');
    expect(plain(judgments)).toEqual({ 1: { d1: 2, d2: 1 }, 2: { d9: 3 } });
  });

  it('skips `#` comment lines in TREC qrels as trec_eval 10.0 does (first column only; `#` inside a docno is data)', () => {
    // The shape of trec_eval's test/qrels.comment.test: comments at the top, between judgments, and a docno with `#`.
    const text = '# This is a test comment\n301 0 CR93E-10279 0\n# And another one\n# and a second one in a row\n301 0 CR93E-1282 1\n301 0 CR93E-18#60 2\n';
    expect(plain(parseQrels(text))).toEqual({ 301: { 'CR93E-1282': 1, 'CR93E-18#60': 2 } });
    // An indented `#` is not a comment for trec_eval (it becomes the query id), so it is not one here either.
    expect(plain(parseQrels('1 0 a 1\n  # 0 b 1\n'))).toEqual({ 1: { a: 1 }, '#': { b: 1 } });
    // A comment line that is not at the top does not make the rest of the file a comment.
    expect(() => parseQrels('# c\n1 0 a 1\n1 0 b 1 extra\n')).toThrow(/:3 expected 4 whitespace-separated fields/);
  });

  it('reads BEIR qrels with their header', () => {
    const judgments = parseQrels('query-id\tcorpus-id\tscore\n1\td1\t2\n1\td2\t1\n');
    expect(plain(judgments)).toEqual({ 1: { d1: 2, d2: 1 } });
  });

  it('reads BEIR ids that contain spaces (only tabs separate fields)', () => {
    expect(plain(parseQrels('query-id\tcorpus-id\tscore\nq 1\tdoc one\t1\n'))).toEqual({ 'q 1': { 'doc one': 1 } });
  });

  it('accepts headerless BEIR lines, CRLF, a BOM, blank lines and "1.0" grades', () => {
    expect(plain(parseQrels('\uFEFFq\td\t1.0\r\n\r\nq\te\t2\r\n'))).toEqual({ q: { d: 1, e: 2 } });
  });

  it('drops grades ≤ 0 but keeps a query judged only with them, as an empty map (trec_eval evaluates it)', () => {
    const judgments = parseQrels('1 0 a 1\n1 0 b 0\n2 0 c 0\n2 0 d -1\n');
    expect(plain(judgments)).toEqual({ 1: { a: 1 }, 2: {} });
    expect(judgments.has('2')).toBe(true);
  });

  it('tolerates a repeated identical judgment', () => {
    expect(plain(parseQrels('1 0 a 2\n1 0 a 2\n1 0 b 0\n1 0 b 0\n'))).toEqual({ 1: { a: 2 } });
  });

  it.each([
    ['relevant then relevant', '1 0 a 2\n1 0 a 1\n'],
    ['non-relevant then relevant', '1 0 a 0\n1 0 a 1\n'],
    ['relevant then non-relevant', '1 0 a 3\n1 0 a 0\n'],
  ])('rejects one pair judged with conflicting grades (%s) at its second line', (_what, text) => {
    expect(() => parseQrels(text, 'q.trec')).toThrow(/^q\.trec:2 query 1, doc a is judged twice with different grades/);
  });

  it.each([
    ['a TREC line with 3 fields', '1 0 a 1\n1 0 b\n', 2, /expected 4 whitespace-separated fields/],
    ['a TREC line with a non-integer grade', '1 0 a 1\n1 0 b x\n', 2, /relevance grade "x" is not an integer/],
    ['a BEIR line with 2 fields', 'query-id\tcorpus-id\tscore\n1\ta\n', 2, /expected 3 tab-separated fields/],
    ['a BEIR line with an empty id', 'query-id\tcorpus-id\tscore\n\ta\t1\n', 2, /expected 3 tab-separated fields/],
    ['a BEIR line with a text score', 'query-id\tcorpus-id\tscore\n1\ta\thigh\n', 2, /"high" is not an integer/],
    ['an unrecognisable first line', 'hello world\n', 1, /not a qrels line/],
  ])('rejects %s with a DataError at file:line and a fix', (_what, text, line, message) => {
    let caught: unknown;
    try {
      parseQrels(text, 'qrels/test.tsv');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DataError);
    expect((caught as DataError).message).toMatch(message);
    expect((caught as DataError).place).toEqual({ file: 'qrels/test.tsv', line });
    expect((caught as DataError).fix).toBeTruthy();
  });

  it.each([
    ['1e3', 1],
    ['0x1', 0],
    ['2.7', 2],
    ['0.5', 0],
    ['+3', 3],
    ['-1', -1],
    ['1.0', 1],
  ])('reads grade %s as trec_eval (atol) does: %d (issue 11 #9)', (grade, expected) => {
    const judgments = parseQrels(`q 0 d ${grade}\nq 0 other 1\n`);
    expect(judgments.get('q')!.get('d')).toBe(expected > 0 ? expected : undefined);
    const beir = parseQrels(`query-id\tcorpus-id\tscore\nq\td\t${grade}\nq\tother\t1\n`);
    expect(beir.get('q')!.get('d')).toBe(expected > 0 ? expected : undefined);
  });

  it('returns an empty map for an empty file', () => {
    expect(parseQrels('\n\n').size).toBe(0);
  });
});

describe('detectQrelsFormat', () => {
  it.each([
    ['query-id\tcorpus-id\tscore', 'beir'],
    ['1\tdoc\t2', 'beir'],
    ['1 0 doc 2', 'trec'],
    ['1\t0\tdoc\t2', 'trec'],
    ['1 doc', undefined],
  ])('%j → %s', (line, format) => {
    expect(detectQrelsFormat(line)).toBe(format);
  });
});

describe('readQrels', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ragbench-qrels-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('auto-detects the format of a file', async () => {
    await writeFile(join(dir, 'a.trec'), '7 0 x 1\n');
    await writeFile(join(dir, 'a.tsv'), 'query-id\tcorpus-id\tscore\n7\tx\t1\n');
    expect(plain(await readQrels(join(dir, 'a.trec')))).toEqual({ 7: { x: 1 } });
    expect(plain(await readQrels(join(dir, 'a.tsv')))).toEqual({ 7: { x: 1 } });
  });

  it('names the file in errors', async () => {
    await writeFile(join(dir, 'bad.trec'), '7 0 x 1\n7 0 y\n');
    await expect(readQrels(join(dir, 'bad.trec'))).rejects.toThrow(`${join(dir, 'bad.trec')}:2 `);
    await expect(readQrels(join(dir, 'missing.trec'))).rejects.toThrow(DataError);
  });
});
