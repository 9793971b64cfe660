import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBeirCorpus } from '../../../src/corpus/beir.js';
import { UsageError } from '../../../src/shared/errors.js';
import { writeTestSet, type SynthReport, type TestSet } from '../../../src/synth/write-test-set.js';
import { collect, useTempDirs } from '../corpus/fixtures.js';

const tempDir = useTempDirs();
const report: SynthReport = {
  method: 'llm',
  description: 'Made by hand for a test.',
  corpus: { name: 'tiny', documents: 2 },
  options: { seed: 7 },
  command: 'ragbench synth tiny --seed 7',
  requested: 3,
  generated: 3,
  byType: { factoid: 1, 'multi-hop': 1, unanswerable: 1 },
  dropped: { 'factoid: evidence quote not found in its document': 2 },
};
const testSet: TestSet = {
  documents: [
    { id: 'a', title: 'Wings', text: 'Wings bend. Roots carry the moment.' },
    { id: 'b', text: 'Shocks thicken layers.' },
  ],
  queries: [
    { id: 'q1', text: 'What carries the moment?', type: 'factoid', answer: 'roots', spans: [{ docId: 'a', start: 12, end: 35, grade: 1 }] },
    {
      id: 'q2',
      text: 'Wings and shocks?',
      type: 'multi-hop',
      spans: [
        { docId: 'a', start: 0, end: 11, grade: 1 },
        { docId: 'b', start: 0, end: 22, grade: 1 },
        { docId: 'a', start: 12, end: 17, grade: 2 },
      ],
    },
    { id: 'q3', text: 'What colour are wings?', type: 'unanswerable', spans: [] },
  ],
  report,
};

describe('writeTestSet', () => {
  it('writes a BEIR folder the corpus reader reads back, spans and qrels included', async () => {
    const dir = await tempDir();
    await writeTestSet(dir, testSet);
    const corpus = await openBeirCorpus(dir, { name: 'out' });
    expect(await collect(corpus.documents())).toEqual(testSet.documents);
    expect((await corpus.queries()).map((q) => q.id)).toEqual(['q1', 'q2', 'q3']);
    const judgments = await corpus.judgments();
    expect(Object.fromEntries(judgments.get('q2')!)).toEqual({ a: 2, b: 1 }); // a document's best span grade
    expect(judgments.has('q3')).toBe(false); // unanswerable: nothing relevant
    const spans = await corpus.spans!({ documentLengths: new Map([['a', 35], ['b', 22]]) });
    expect(spans!.get('q2')).toHaveLength(3);
    const queries = (await readFile(join(dir, 'queries.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(queries[0]).toEqual({ _id: 'q1', text: 'What carries the moment?', metadata: { type: 'factoid', answer: 'roots' } });
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('Made by hand for a test.');
    expect(readme).toContain('`ragbench synth tiny --seed 7`');
    expect(readme).toContain('- factoid: evidence quote not found in its document: 2');
    expect(JSON.parse(await readFile(join(dir, 'synth-report.json'), 'utf8'))).toEqual(report);
  });

  it('replaces an earlier test set, and refuses any other non-empty folder', async () => {
    const dir = await tempDir();
    await writeTestSet(dir, testSet);
    await writeTestSet(dir, { ...testSet, queries: testSet.queries.slice(0, 1) });
    expect((await readFile(join(dir, 'queries.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
    const other = await tempDir({ 'notes.md': '# mine' });
    await expect(writeTestSet(other, testSet)).rejects.toBeInstanceOf(UsageError);
    expect(await readFile(join(other, 'notes.md'), 'utf8')).toBe('# mine');
  });
});
