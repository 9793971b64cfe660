import { describe, expect, it } from 'vitest';
import { createEnv, parseBooleanEnv } from '../../../src/shared/env.js';

describe('env', () => {
  it('names a missing secret without printing any value', () => {
    const env = createEnv({ OTHER: 'sk-secret' });
    expect(() => env.secret('OPENAI_API_KEY')).toThrow(/OPENAI_API_KEY is not set/);
  });

  it('treats an empty value as unset', () => {
    expect(createEnv({ A: '' }).value('A')).toBeUndefined();
  });

  it.each([
    ['1', true],
    ['true', true],
    ['0', false],
    ['FALSE', false],
  ])('parses boolean %s', (text, expected) => {
    expect(parseBooleanEnv('X', text)).toBe(expected);
  });

  it('rejects a boolean typo instead of reading it as false', () => {
    expect(() => parseBooleanEnv('RAGBENCH_X', 'yes please')).toThrow(/RAGBENCH_X/);
  });
});
