import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareTrecOrder, formatRun, parseRun, readRun, runRankings, writeRun } from '../../../src/metrics/run-file.js';
import { DataError } from '../../../src/shared/errors.js';

const ids = (text: string) => runRankings(parseRun(text, 'run.txt'));

describe('parseRun', () => {
  it('groups by query in first-appearance order and ranks by score, ignoring the rank column', () => {
    const run = ids(['2 Q0 d1 1 0.5 t', '1 Q0 a 3 1.0 t', '1 Q0 b 1 3.0 t', '1 Q0 c 2 2.0 t', ''].join('\n'));
    expect([...run.keys()]).toEqual(['2', '1']);
    expect(run.get('1')).toEqual(['b', 'c', 'a']);
  });

  it('breaks score ties by docno descending as a string, as trec_eval does', () => {
    // strcmp order, not numeric: "9" > "10" > "1".
    const run = ids(['q Q0 1 1 5 t', 'q Q0 10 2 5 t', 'q Q0 9 3 5 t', 'q Q0 z 4 6 t'].join('\n'));
    expect(run.get('q')).toEqual(['z', '9', '10', '1']);
  });

  it('compares scores as numbers, including exponents and negatives', () => {
    const run = ids(['q Q0 a 1 1e-3 t', 'q Q0 b 2 -2 t', 'q Q0 c 3 0.01 t'].join('\n'));
    expect(run.get('q')).toEqual(['c', 'a', 'b']);
  });

  it('accepts tabs, repeated spaces, CRLF and a trailing blank line', () => {
    const run = ids('q\tQ0\ta\t1\t2.5\ttag\r\nq  Q0  b  2  1.5  tag\r\n\r\n');
    expect(run.get('q')).toEqual(['a', 'b']);
  });

  it('reads what trec_eval 10.0 reads: `#` comment lines (also indented), fields after the run tag, any rank token', () => {
    // get_trec_results.c: blank and `#` lines are skipped, "Any field following run_id is ignored", rank is never read.
    const text = '# my run\n\t# indented comment\n301\tQ0\tFR-1\t104\t  2.129133\tSTANDARD\n# mid-file\n301 Q0 FR-2 x 3.5 STANDARD extra 7 fields\n301 Q0 F#3 2.5 1 t\n';
    expect(parseRun(text).get('301')).toEqual([
      { docId: 'FR-2', score: 3.5 },
      { docId: 'FR-1', score: 2.129133 },
      { docId: 'F#3', score: 1 },
    ]);
  });

  it('keeps the scores', () => {
    expect(parseRun('q Q0 a 1 2.5 t').get('q')).toEqual([{ docId: 'a', score: 2.5 }]);
  });

  it.each([
    ['too few fields', 'q Q0 a 1 2.5', /expected 6 whitespace-separated fields/],
    ['a non-numeric score', 'q Q0 a 1 high t', /score "high" is not a finite number/],
    ['a comment character inside the score (not a comment: trec_eval reads the line)', 'q Q0 a 1 #2 t', /score "#2" is not a finite number/],
    ['a NaN score', 'q Q0 a 1 NaN t', /not a finite number/],
  ])('rejects %s with a DataError at file:line', (_what, line, message) => {
    const text = `q Q0 ok 1 9 t\n\n${line}\n`;
    expect(() => parseRun(text, 'runs/bm25.run')).toThrow(DataError);
    expect(() => parseRun(text, 'runs/bm25.run')).toThrow(message);
    try {
      parseRun(text, 'runs/bm25.run');
    } catch (error) {
      expect((error as DataError).place).toEqual({ file: 'runs/bm25.run', line: 3 });
      expect((error as DataError).message).toMatch(/^runs\/bm25\.run:3 /);
      expect((error as DataError).fix).toBeTruthy();
    }
  });

  it('rejects a document listed twice for one query, naming both lines', () => {
    const text = 'q Q0 a 1 2 t\nq Q0 b 2 1 t\nq Q0 a 3 0.5 t\n';
    expect(() => parseRun(text, 'r.run')).toThrow(/^r\.run:3 query q lists doc a twice \(first at line 1\)/);
  });

  it('allows the same document under different queries', () => {
    expect(ids('q1 Q0 a 1 2 t\nq2 Q0 a 1 2 t').get('q2')).toEqual(['a']);
  });
});

describe('compareTrecOrder', () => {
  it('orders non-ASCII docnos by UTF-8 bytes (code points), like strcmp', () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) < U+1F600 (4 bytes, F0 9F 98 80) in strcmp, though not in UTF-16 order.
    const docs = [
      { docId: '\uff5e', score: 1 },
      { docId: '\u{1f600}', score: 1 },
    ].sort(compareTrecOrder);
    expect(docs.map((d) => d.docId)).toEqual(['\u{1f600}', '\uff5e']);
  });
});

describe('formatRun and writeRun', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ragbench-run-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = new Map([
    ['q1', [{ docId: 'd3', score: 0.9 }, { docId: 'd1', score: 0.25 }]],
    ['q2', [{ docId: 'd2', score: -1.5 }]],
  ]);

  it('writes rank 1..n per query with the given scores and tag', () => {
    expect(formatRun(run, 'dense')).toBe('q1 Q0 d3 1 0.9 dense\nq1 Q0 d1 2 0.25 dense\nq2 Q0 d2 1 -1.5 dense\n');
  });

  it('round-trips through a file', async () => {
    const path = join(dir, 'nested', 'out.run');
    await writeRun(path, run, 'dense');
    expect(await readRun(path)).toEqual(run);
    expect(await readFile(path, 'utf8')).toContain('q2 Q0 d2 1 -1.5 dense');
  });

  it.each([
    ['a tag with a space', new Map([['q', [{ docId: 'a', score: 1 }]]]), 'my tag'],
    ['a doc id with a space', new Map([['q', [{ docId: 'a b', score: 1 }]]]), 't'],
    ['an empty query id', new Map([['', [{ docId: 'a', score: 1 }]]]), 't'],
    ['a non-finite score', new Map([['q', [{ docId: 'a', score: NaN }]]]), 't'],
  ])('refuses %s', (_what, bad, tag) => {
    expect(() => formatRun(bad, tag)).toThrow(DataError);
  });

  it('reports a missing file as a DataError naming it', async () => {
    await expect(readRun(join(dir, 'nope.run'))).rejects.toThrow(/nope\.run cannot read run file/);
  });
});
