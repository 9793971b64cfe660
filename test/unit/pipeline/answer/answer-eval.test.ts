import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtractiveAnswerer } from '../../../../src/answers/extractive.js';
import { answerers } from '../../../../src/answers/registry.js';
import { createConfiguredChatModel, chatModelConfigSchema } from '../../../../src/answers/chat-models.js';
import type { QaItem } from '../../../../src/corpus/qa.js';
import type { Document } from '../../../../src/corpus/types.js';
import { createLedger } from '../../../../src/llms/ledger.js';
import { checkAnswerMetrics, chunkText, evaluateAnswers, type AnswerEvaluation } from '../../../../src/pipeline/answer/answer-eval.js';
import { createEnv } from '../../../../src/shared/env.js';
import { ConfigError, DataError } from '../../../../src/shared/errors.js';
import { startOpenAiServer, type OpenAiServer } from '../../../doubles/openai-server.js';
import { block, schemaName, sentencesOf } from '../../../fixtures/answers/scripted-judge.js';
import { retrievePubMedQa, type PubMedQaRun } from '../../../fixtures/answers/pubmedqa-run.js';
import { lacks } from '../../../helpers/datasets.js';

const docs = new Map<string, Document>([
  ['d1', { id: 'd1', text: 'Paris is the capital of France. It is large.' }],
  ['d2', { id: 'd2', text: 'The Seine flows through Paris.' }],
]);
const extractive = createExtractiveAnswerer({ maxSentences: 1, locale: 'en' });

describe('chunk text', () => {
  it('slices the span in the chunk id, or takes the whole document', () => {
    expect(chunkText({ id: 'd1#0-31', docId: 'd1' }, docs)).toBe('Paris is the capital of France.');
    expect(chunkText({ id: 'd2', docId: 'd2' }, docs)).toBe('The Seine flows through Paris.');
    expect(() => chunkText({ id: 'd1#0-999', docId: 'd1' }, docs)).toThrow(DataError);
    expect(() => chunkText({ id: 'x#0-1', docId: 'x' }, docs)).toThrow(DataError);
  });
});

describe('evaluateAnswers', () => {
  const queries = [
    { id: 'q1', text: 'What is the capital of France?' },
    { id: 'q2', text: 'Is Paris large?' },
    { id: 'q3', text: 'Where does the Seine flow?' },
  ];
  const qa = new Map<string, QaItem>([
    ['q1', { question: 'What is the capital of France?', answers: ['Paris is the capital of France'], contextIds: ['d1'] }],
    ['q2', { question: 'Is Paris large?', answers: ['yes'], contextIds: ['d1', 'd2'], decision: 'yes' }],
  ]);
  const chunkHits = new Map([
    ['q1', [{ id: 'd1#0-31', docId: 'd1', score: 2 }, { id: 'd2#0-30', docId: 'd2', score: 1 }]],
    ['q2', [{ id: 'd1#32-44', docId: 'd1', score: 1 }]],
    ['q3', [{ id: 'd2#0-30', docId: 'd2', score: 1 }]],
  ]);
  const metrics = ['exact-match', 'token-f1', 'decision-accuracy', 'context-recall'];

  it('scores each query and averages over non-null scores, counting the nulls', async () => {
    const result = await evaluateAnswers({ queries, qa, documents: docs, chunkHits, contextK: 1, answerer: extractive, metrics });
    const q1 = result.perQuery.get('q1')!;
    expect(q1.contextIds).toEqual(['d1#0-31']);
    expect(q1.answer.text).toBe('Paris is the capital of France.');
    expect(q1.scores).toEqual({ 'exact-match': 1, 'token-f1': 1, 'decision-accuracy': null, 'context-recall': 1 });
    expect(q1.reasons['decision-accuracy']).toBe('the question has no yes/no/maybe label');
    const q2 = result.perQuery.get('q2')!;
    expect(q2.answer.label).toBe('yes');
    // Labels only and no long answer: nothing free-text to match; half the gold passages (d1 of d1, d2) retrieved.
    expect(q2.scores).toEqual({ 'exact-match': null, 'token-f1': null, 'decision-accuracy': 1, 'context-recall': 0.5 });
    expect(result.perQuery.get('q3')!.reasons['exact-match']).toBe('no QA record for this query');
    expect(result.means).toEqual({
      'exact-match': { mean: 1, scored: 1, nulls: 2 },
      'token-f1': { mean: 1, scored: 1, nulls: 2 },
      'decision-accuracy': { mean: 1, scored: 1, nulls: 2 },
      'context-recall': { mean: 0.75, scored: 2, nulls: 1 },
    });
  });

  it('uses whole gold documents in gold mode and no context in closed-book mode', async () => {
    const gold = await evaluateAnswers({ queries: queries.slice(1, 2), qa, documents: docs, contexts: 'gold', contextK: 1, answerer: extractive, metrics });
    expect(gold.perQuery.get('q2')!.contextIds).toEqual(['d1', 'd2']);
    expect(gold.perQuery.get('q2')!.scores['context-recall']).toBe(1);
    const closed = await evaluateAnswers({ queries, qa, documents: docs, contexts: 'closed-book', contextK: 5, answerer: extractive, metrics: [...metrics, 'faithfulness-lexical'] });
    const q2 = closed.perQuery.get('q2')!;
    expect(q2.contextIds).toEqual([]);
    expect(q2.answer.label).toBe('maybe');
    expect(q2.reasons['context-recall']).toBe('closed-book: no context');
    expect(closed.means['faithfulness-lexical']).toEqual({ mean: null, scored: 0, nulls: 3 });
  });

  it('rejects unknown metrics, judged metrics without a judge, and retrieved mode without hits', async () => {
    expect(() => checkAnswerMetrics(['exact-match', 'bleu'], false)).toThrow(ConfigError);
    expect(() => checkAnswerMetrics(['faithfulness-llm'], false)).toThrow(/needs a judge/);
    await expect(evaluateAnswers({ queries, qa, documents: docs, contextK: 1, answerer: extractive, metrics })).rejects.toThrow(ConfigError);
  });
});

function expectUnitScores(result: AnswerEvaluation): void {
  for (const answer of result.perQuery.values()) {
    for (const [metric, value] of Object.entries(answer.scores)) {
      if (value === null) expect(answer.reasons[metric]).toBeTruthy();
      else expect(value >= 0 && value <= 1, `${metric} = ${value}`).toBe(true);
    }
  }
}

describe.skipIf(lacks('pubmedqa-pqal'))('PubMedQA end to end (first 50 questions, BM25 over recursive-800 chunks)', () => {
  let run: PubMedQaRun;
  let server: OpenAiServer;
  beforeAll(async () => {
    run = await retrievePubMedQa(50);
    server = await startOpenAiServer();
  });
  afterAll(() => server.close());

  it('answers offline with the extractive baseline', async () => {
    const result = await evaluateAnswers({
      ...run,
      contextK: 5,
      answerer: createExtractiveAnswerer({ maxSentences: 2, locale: 'en' }),
      metrics: ['exact-match', 'token-f1', 'decision-accuracy', 'context-recall', 'answer-coverage', 'faithfulness-lexical'],
    });
    expect(result.perQuery.size).toBe(50);
    expectUnitScores(result);
    expect(result.means['decision-accuracy']!.scored).toBe(50);
    expect(result.means['context-recall']!.mean!).toBeGreaterThan(0.5);
    expect(result.means['token-f1']!.scored).toBe(50);
    // Extractive sentences never equal an abstract's conclusion word for word.
    expect(result.means['exact-match']!.mean).toBe(0);
    console.info('PubMedQA offline (50):', JSON.stringify(result.means));
  });

  it('answers and judges through the OpenAI double', async () => {
    const firstPassageSentence = (user: string) => sentencesOf(/\[1\] (.*)/.exec(user)![1]!)[0]!;
    server.onChat((request) => {
      const user = request.messages.at(-1)!.content;
      switch (schemaName(request)) {
        case 'decision_answer':
          return JSON.stringify({ answer: firstPassageSentence(user), decision: 'yes' });
        case 'claims':
          return JSON.stringify({ claims: sentencesOf(block(request, 'ANSWER')) });
        case 'verdicts': {
          const context = block(request, 'CONTEXT');
          const claims = block(request, 'CLAIMS').split('\n').map((line) => line.replace(/^\d+: /, ''));
          const verdicts = claims.map((claim, i) =>
            context.includes(claim) ? { claim: i, verdict: 'supported', quote: claim } : { claim: i, verdict: 'unsupported', quote: '' },
          );
          return JSON.stringify({ verdicts });
        }
        case 'correctness':
          return JSON.stringify({ verdict: block(request, 'REFERENCE ANSWERS').startsWith('(1) yes') ? 'correct' : 'incorrect', quote: 'yes', reason: 'label' });
        default:
          throw new Error('unexpected request');
      }
    });
    const workDir = await mkdtemp(join(tmpdir(), 'ragbench-answer-eval-'));
    const ledger = createLedger();
    const context = { env: createEnv({ OPENAI_API_KEY: server.apiKey }), workDir, ledger };
    const model = { kind: 'openai', model: 'gpt-4o-mini', baseURL: server.url, maxRetries: 0 };
    const answerer = await answerers.llm.create(answerers.llm.options.parse({ model, prompt: 'qa-v1' }), context);
    const judge = await createConfiguredChatModel(chatModelConfigSchema.parse({ ...model, model: 'gpt-4.1-mini' }), context);
    const result = await evaluateAnswers({
      ...run,
      contextK: 5,
      answerer,
      judge,
      metrics: ['token-f1', 'decision-accuracy', 'context-recall', 'faithfulness-llm', 'correctness-llm'],
    });
    expectUnitScores(result);
    const yesShare = [...run.queries].filter((q) => run.qa.get(q.id)!.decision === 'yes').length / 50;
    expect(result.means['decision-accuracy']).toEqual({ mean: yesShare, scored: 50, nulls: 0 });
    expect(result.means['correctness-llm']!.mean).toBeCloseTo(yesShare, 12);
    // Every answer is a sentence copied from its first passage: every claim is supported.
    expect(result.means['faithfulness-llm']).toEqual({ mean: 1, scored: 50, nulls: 0 });
    // …and each answer keeps the judge's verdict per claim, for the report's drill-down.
    for (const answer of result.perQuery.values()) {
      const claims = answer.claims?.['faithfulness-llm'] ?? [];
      expect(claims.length).toBe(answer.details['faithfulness-llm']!.claims);
      expect(claims.every((c) => c.verdict === 'supported' && c.quote.length > 0)).toBe(true);
    }
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(ledger.report().models.map((m) => m.model)).toEqual(['gpt-4.1-mini', 'gpt-4o-mini']);
    console.info('PubMedQA via double (50):', JSON.stringify(result.means));
  });
});
