import { describe, expect, it } from 'vitest';
import { answersConfigSchema } from '../../../src/answers/answers-config.js';

describe('answers: config section', () => {
  it('fills defaults around an extractive answerer', () => {
    expect(answersConfigSchema.parse({ answerer: { kind: 'extractive', maxSentences: 3 } })).toEqual({
      answerer: { kind: 'extractive', options: { maxSentences: 3, locale: 'en' } },
      qa: 'qa.jsonl',
      contexts: 'retrieved',
      contextK: 5,
      metrics: ['exact-match', 'token-f1', 'decision-accuracy', 'context-recall', 'answer-coverage', 'faithfulness-lexical'],
      judgeSamples: 1,
      concurrency: 4,
    });
  });

  it('validates an llm answerer and its judge against the chat model registry', () => {
    const parsed = answersConfigSchema.parse({
      answerer: { kind: 'llm', model: { kind: 'openai', model: 'gpt-4o-mini' }, prompt: 'qa-v1' },
      metrics: ['decision-accuracy', 'faithfulness-llm'],
      judge: { kind: 'openai', model: 'gpt-4.1-mini' },
    });
    expect(parsed.answerer!.options).toMatchObject({ prompt: 'qa-v1', model: { kind: 'openai', options: { model: 'gpt-4o-mini', temperature: 0 } } });
    expect(parsed.judge).toMatchObject({ kind: 'openai', options: { model: 'gpt-4.1-mini' } });
  });

  it.each([
    [{ answerer: { kind: 'generative' } }, 'answerer'],
    [{ answerer: { kind: 'extractive' }, metrics: ['bleu'] }, 'metrics'],
    [{ answerer: { kind: 'extractive' }, metrics: ['correctness-llm'] }, 'judge'],
    [{ answerer: { kind: 'extractive' }, contexts: 'oracle' }, 'contexts'],
  ])('rejects %j at %s', (config, path) => {
    const result = answersConfigSchema.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path[0]).toBe(path);
  });
});
