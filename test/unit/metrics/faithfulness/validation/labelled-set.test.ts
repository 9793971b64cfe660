import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateFaithfulness, kPrecision, readLabelledSet } from '../../../../../src/metrics/faithfulness/index.js';
import { DataError } from '../../../../../src/shared/errors.js';

const row = (id: string, answer: string, label: string, extra: object = {}) =>
  JSON.stringify({ id, question: `q${id}`, context: 'Paris is the capital of France.', answer, label, ...extra });

async function file(lines: string[]): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'ragbench-labels-')), 'labels.jsonl');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('readLabelledSet', () => {
  it('reads rows, maps labels to booleans and keeps extra fields', async () => {
    const rows = await readLabelledSet(await file([row('1', 'Paris is the capital.', 'faithful', { system: 'x' }), '', row('2', 'Lyon.', 'unfaithful')]));
    expect(rows.map((r) => [r.id, r.faithful, r.fields])).toEqual([['1', true, { system: 'x' }], ['2', false, {}]]);
  });

  it.each([
    ['malformed JSON', '{"id": ', /:2 malformed JSON/],
    ['a missing field', JSON.stringify({ id: '9', question: 'q', context: 'c', label: 'faithful' }), /:2 "answer" must be a string/],
    ['another label', row('9', 'a', 'generic'), /:2 row 9: label "generic"/],
    ['a repeated id', row('1', 'a', 'faithful'), /:2 duplicate row id "1"/],
  ])('throws a DataError at file:line for %s', async (_, bad, message) => {
    const error = await readLabelledSet(await file([row('1', 'a', 'faithful'), bad])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toMatch(message);
    expect((error as DataError).fix).toBeTruthy();
  });

  it('a missing file is a DataError', async () => {
    await expect(readLabelledSet('/nonexistent/labels.jsonl')).rejects.toBeInstanceOf(DataError);
  });
});

describe('evaluateFaithfulness', () => {
  it('reports AUC, per-group AUC, CV balanced accuracy, calibration and null count', async () => {
    const lines = [
      row('1', 'Paris is the capital of France.', 'faithful', { system: 'a' }),
      row('2', 'Paris is a capital.', 'faithful', { system: 'b' }),
      row('3', 'Lyon is the capital of Spain.', 'unfaithful', { system: 'a' }),
      row('4', 'Berlin hosts the Olympics.', 'unfaithful', { system: 'b' }),
      row('5', 'Is it?', 'unfaithful', { system: 'b' }),
    ];
    const rows = await readLabelledSet(await file(lines));
    const result = evaluateFaithfulness(rows, kPrecision, { groupBy: (r) => String(r.fields.system), folds: 2, seed: 1 });
    expect(result.auc).toBe(1);
    expect(result.aucByGroup).toEqual({ a: 1, b: 1 });
    expect(result.nullCount).toBe(1);
    expect(result.scored).toBe(4);
    expect(result.calibration).toHaveLength(10);
    expect(result.calibration.reduce((n, bin) => n + bin.count, 0)).toBe(4);
    expect(result.balancedAccuracy).toBeGreaterThanOrEqual(0.5);
  });
});
