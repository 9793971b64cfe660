import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadYamlFile, parseYaml } from '../../../../src/shared/files/yaml-file.js';
import { ConfigError } from '../../../../src/shared/errors.js';

const schema = z.strictObject({ kind: z.literal('fixed'), sizeChars: z.number().int().positive(), nested: z.strictObject({ a: z.number() }).optional() });

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseYaml', () => {
  it('returns the validated value', () => {
    expect(parseYaml('kind: fixed\nsizeChars: 10\n', 'f.yaml', schema).value).toEqual({ kind: 'fixed', sizeChars: 10 });
  });

  it('points a wrong value at its line and column', () => {
    const error = errorOf(() => parseYaml('kind: fixed\nsizeChars: -3\n', 'chunkers/x.yaml', schema));
    expect(error.message).toMatch(/^chunkers\/x\.yaml:2:12 sizeChars: /);
    expect(error.code).toBe('E_CONFIG');
  });

  it('points a nested wrong value at the nested line', () => {
    const error = errorOf(() => parseYaml('kind: fixed\nsizeChars: 3\nnested:\n  a: "x"\n', 'f.yaml', schema));
    expect(error.message).toMatch(/^f\.yaml:4:6 nested\.a: /);
  });

  it('points a missing key at its parent', () => {
    const error = errorOf(() => parseYaml('kind: fixed\n', 'f.yaml', schema));
    expect(error.message).toMatch(/^f\.yaml:1:1 sizeChars: /);
  });

  it('reports YAML syntax errors with their position', () => {
    const error = errorOf(() => parseYaml('kind: fixed\nsizeChars: [1, 2\n', 'f.yaml', schema));
    expect(error.message).toMatch(/^f\.yaml:\d+:\d+ invalid YAML/);
  });

  it('rejects duplicate keys instead of silently keeping the last', () => {
    const error = errorOf(() => parseYaml('kind: fixed\nsizeChars: 1\nsizeChars: 2\n', 'f.yaml', schema));
    expect(error.message).toMatch(/invalid YAML/);
  });
});

describe('loadYamlFile', () => {
  it('names a missing file and how to fix it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-yaml-'));
    await expect(loadYamlFile(join(dir, 'nope.yaml'), schema)).rejects.toThrow(/nope\.yaml file not found/);
  });

  it('reads a file from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-yaml-'));
    await writeFile(join(dir, 'ok.yaml'), 'kind: fixed\nsizeChars: 5\n');
    await expect(loadYamlFile(join(dir, 'ok.yaml'), schema)).resolves.toEqual({ kind: 'fixed', sizeChars: 5 });
  });
});

describe('YAML faults found by the red team (issue 11 #9)', () => {
  const evalLike = z.strictObject({ corpus: z.union([z.string(), z.looseObject({ path: z.string() })]), metrics: z.array(z.string()).optional() });

  it('an alias bomb is a one-line ConfigError, not a stack trace', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) bomb.push(`${'bcdefghi'[i]}: &${'bcdefghi'[i]} [*${'abcdefgh'[i]},*${'abcdefgh'[i]},*${'abcdefgh'[i]},*${'abcdefgh'[i]},*${'abcdefgh'[i]},*${'abcdefgh'[i]},*${'abcdefgh'[i]},*${'abcdefgh'[i]},*${'abcdefgh'[i]}]`);
    const error = errorOf(() => parseYaml(bomb.join('\n'), 'bomb.yaml', z.unknown()));
    expect(error.message).toMatch(/^bomb\.yaml invalid YAML: .*alias/i);
    expect(error.fix).toMatch(/at most 100 alias/);
  });

  it('an unknown top-level key is reported at its own line', () => {
    const error = errorOf(() => parseYaml('corpus: sample\nmetrics: [ndcg@10]\n\ntypo_key: 3\n', 'evals/x.yaml', evalLike));
    expect(error.message).toBe('evals/x.yaml:4:1 typo_key: unknown key');
  });

  it('a missing corpus: says it is missing instead of "Invalid input"', () => {
    const error = errorOf(() => parseYaml('metrics: [ndcg@10]\n', 'evals/x.yaml', evalLike));
    expect(error.message).toBe('evals/x.yaml:1:1 corpus: is required but missing');
  });
});
