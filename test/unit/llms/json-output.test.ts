import { describe, expect, it } from 'vitest';
import { parseJsonAnswer, validateJson } from '../../../src/llms/json-output.js';

const verdict = {
  type: 'object',
  properties: {
    label: { enum: ['supported', 'unsupported'] },
    score: { type: 'number', minimum: 0, maximum: 1 },
    claims: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    note: { type: ['string', 'null'] },
  },
  required: ['label', 'score'],
  additionalProperties: false,
};

describe('parseJsonAnswer', () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ['Sure! ```json\n{"a": 2}\n``` hope that helps', { a: 2 }],
    ['The verdict is {"a": {"b": 3}}.', { a: { b: 3 } }],
  ])('reads %j', (text, value) => {
    expect(parseJsonAnswer(text)).toEqual({ ok: true, value });
  });

  it('says when there is no JSON', () => {
    expect(parseJsonAnswer('I cannot answer that')).toEqual({ ok: false, reason: 'the answer is not JSON' });
  });
});

describe('validateJson', () => {
  it('accepts a matching value', () => {
    expect(validateJson({ label: 'supported', score: 0.5, claims: ['x'], note: null }, verdict)).toEqual([]);
  });

  it.each([
    [{ score: 0.5 }, '$.label: is required'],
    [{ label: 'maybe', score: 0.5 }, '$.label: must be one of ["supported","unsupported"]'],
    [{ label: 'supported', score: 2 }, '$.score: must be ≤ 1'],
    [{ label: 'supported', score: '0.5' }, '$.score: must be number, got string'],
    [{ label: 'supported', score: 1, claims: ['a', 'b', 'c'] }, '$.claims: allows ≤ 2 items'],
    [{ label: 'supported', score: 1, claims: [1] }, '$.claims[0]: must be string, got number'],
    [{ label: 'supported', score: 1, extra: true }, '$.extra: is not allowed'],
    [[], '$: must be object, got array'],
  ])('reports %j', (value, problem) => {
    expect(validateJson(value, verdict)).toContain(problem);
  });
});
