import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readQueriesJsonl } from '../../../src/corpus/beir.js';
import { checkQaIds, readQaFile, referenceAnswers } from '../../../src/corpus/qa.js';
import { DataError } from '../../../src/shared/errors.js';
import { datasetPath, lacks } from '../../helpers/datasets.js';

async function qaFile(lines: string[]): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'ragbench-qa-')), 'qa.jsonl');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe('readQaFile', () => {
  it.skipIf(lacks('pubmedqa-pqal'))('reads PubMedQA: 1,000 items, labels as decisions, ids equal to the queries', async () => {
    const file = datasetPath('pubmedqa-pqal', 'qa.jsonl');
    const qa = await readQaFile(file);
    expect(qa.size).toBe(1000);
    const first = qa.get('1571683')!;
    expect(first).toMatchObject({ question: 'Storage of vaccines in the community: weak link in the cold chain?', answers: ['maybe'], decision: 'maybe' });
    expect(first.contextIds).toEqual(['1571683-0', '1571683-1', '1571683-2', '1571683-3', '1571683-4', '1571683-5']);
    expect(referenceAnswers(first)).toEqual([first.longAnswer]);
    const counts = { yes: 0, no: 0, maybe: 0 };
    for (const item of qa.values()) counts[item.decision!]++;
    expect(counts).toEqual({ yes: 552, no: 338, maybe: 110 });
    const queries = await readQueriesJsonl(datasetPath('pubmedqa-pqal', 'queries.jsonl'));
    expect([...qa.keys()]).toEqual(queries.map((q) => q.id));
    expect(() => checkQaIds(qa, queries, file)).not.toThrow();
    // Line 994's long answer holds U+2029, which a readline-based reader would split the line at.
    expect(qa.get('28177278')!.longAnswer).toContain('\u2029');
  });

  it('keeps free-text answers as the reference and has no decision for them', async () => {
    const qa = await readQaFile(await qaFile(['{"id": 7, "question": "Who won?", "answers": ["Denver Broncos", "Broncos"]}']));
    const item = qa.get('7')!;
    expect(item).toEqual({ question: 'Who won?', answers: ['Denver Broncos', 'Broncos'], contextIds: [] });
    expect(referenceAnswers(item)).toEqual(['Denver Broncos', 'Broncos']);
    const mixed = await readQaFile(await qaFile(['{"id": "a", "question": "q", "answers": ["yes", "no"]}']));
    expect(mixed.get('a')!.decision).toBeUndefined();
  });

  it.each([
    ['{"question": "q", "answers": []}', /:1 missing or empty "id"/],
    ['{"id": "a", "question": "q", "answers": "yes"}', /:1 QA a: "answers" must be an array of strings/],
    ['{"id": "a", "question": "q", "answers": [], "context_ids": [1]}', /:1 QA a: "context_ids"/],
    ['{"id": "a", "question": "q", "answers": []}\n\n{"id": "a", "question": "q", "answers": []}', /:3 duplicate QA id "a"/],
    ['{"id": "a", "question": "q", "answers": []}\n{oops', /:2 malformed JSON/],
  ])('%s → DataError at file:line', async (text, message) => {
    const file = await qaFile([text]);
    const error = await readQaFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toMatch(message);
  });

  it('rejects QA ids that are not query ids', async () => {
    const qa = await readQaFile(await qaFile(['{"id": "x", "question": "q", "answers": ["a"]}']));
    expect(() => checkQaIds(qa, [{ id: 'y', text: 'q' }], 'qa.jsonl')).toThrow(DataError);
  });
});
