import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadYamlFile, parseYaml } from '../../../src/shared/yaml-file.js';
import { ConfigError } from '../../../src/shared/errors.js';

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
