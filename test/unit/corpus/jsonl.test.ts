import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl } from '../../../src/corpus/jsonl.js';
import { collect, dataErrorOf, useTempDirs } from './fixtures.js';

describe('readJsonl', () => {
  const tempDir = useTempDirs();

  it('yields each value with its 1-based line, skipping blank lines and a leading BOM', async () => {
    const dir = await tempDir({ 'a.jsonl': '\uFEFF{"a":1}\n\n{"a":2}\r\n  \n[3]\n' });
    expect(await collect(readJsonl(`${dir}/a.jsonl`))).toEqual([
      { value: { a: 1 }, line: 1 },
      { value: { a: 2 }, line: 3 },
      { value: [3], line: 5 },
    ]);
  });

  it('reports a malformed line as a DataError at file:line with a fix', async () => {
    const dir = await tempDir({ 'bad.jsonl': '{"a":1}\n{"a":\n' });
    const error = await dataErrorOf(collect(readJsonl(`${dir}/bad.jsonl`)));
    expect(error.code).toBe('E_DATA');
    expect(error.place).toEqual({ file: `${dir}/bad.jsonl`, line: 2 });
    expect(error.message).toMatch(/bad\.jsonl:2 malformed JSON/);
    expect(error.fix).toBeTruthy();
  });

  it('reports a missing file as a DataError', async () => {
    const dir = await tempDir();
    const error = await dataErrorOf(collect(readJsonl(`${dir}/nope.jsonl`)));
    expect(error.message).toMatch(/cannot read .*nope\.jsonl/);
  });
});

describe('readJsonl line splitting', () => {
  it('keeps U+2028 and U+2029 inside JSON strings (readline would split there)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-jsonl-'));
    const file = join(dir, 'x.jsonl');
    await writeFile(file, '{"a":"one\u2028two"}\r\n{"a":"three\u2029four"}\n\n{"a":"last"}');
    const values: unknown[] = [];
    for await (const record of readJsonl(file)) values.push([record.line, record.value]);
    expect(values).toEqual([
      [1, { a: 'one\u2028two' }],
      [2, { a: 'three\u2029four' }],
      [4, { a: 'last' }],
    ]);
  });
});
