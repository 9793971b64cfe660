import { describe, expect, it } from 'vitest';
import { decisionAccuracy, exactMatch, judgeCorrectness, quotesGold, tokenF1 } from '../../../src/metrics/answers.js';
import { block, useJudgeServer } from '../../fixtures/answers/scripted-judge.js';

// SQuAD v1.1 dev examples (Super Bowl 50) and hand-computed variants.
const stadium = ["Levi's Stadium", "Levi's Stadium in the San Francisco Bay Area at Santa Clara, California.", 'Santa Clara'];

describe('exact match (SQuAD normalisation)', () => {
  it.each([
    ['The Denver Broncos', ['Denver Broncos'], 1],
    ['denver broncos!', ['Denver Broncos'], 1],
    ["levis stadium", stadium, 1],
    ['Denver Broncos won', ['Denver Broncos'], 0],
    ['', ['Denver Broncos'], 0],
  ] as const)('%j vs %j → %d', (prediction, golds, expected) => {
    expect(exactMatch(prediction, golds).value).toBe(expected);
  });

  it('is null without a usable gold answer', () => {
    expect(exactMatch('anything', [])).toEqual({ value: null, reason: 'no gold answer' });
    expect(exactMatch('the', ['The'])).toMatchObject({ value: null });
  });
});

describe('token F1 (SQuAD, max over golds)', () => {
  it.each([
    // pred [denver broncos won] vs gold [denver broncos]: same 2, P 2/3, R 1 → 2·(2/3)/(5/3) = 0.8
    ['Denver Broncos won', ['the Denver Broncos'], 0.8],
    // vs gold 2 (10 tokens): P 1, R 3/10 → 6/13; vs "santa clara": P 2/3, R 1 → 0.8; max 0.8
    ['Santa Clara, California', stadium, 0.8],
    // multiset: pred [cat cat cat] vs [cat]: same 1, P 1/3, R 1 → 0.5
    ['the cat cat cat', ['a cat'], 0.5],
    // pred [carolina panthers] vs [denver broncos]: nothing shared → 0
    ['Carolina Panthers', ['Denver Broncos'], 0],
    ['', ['Denver Broncos'], 0],
  ] as const)('%j vs %j → %d', (prediction, golds, expected) => {
    expect(tokenF1(prediction, golds).value).toBeCloseTo(expected, 12);
  });

  it('is null without a usable gold answer', () => {
    expect(tokenF1('x', []).value).toBeNull();
    expect(tokenF1('x', ['a an the']).value).toBeNull();
  });
});

describe('decision accuracy', () => {
  it.each([
    ['yes', 'yes', 1],
    ['no', 'yes', 0],
    ['maybe', 'no', 0],
  ] as const)('%s vs gold %s → %d', (predicted, gold, expected) => {
    expect(decisionAccuracy(predicted, gold).value).toBe(expected);
  });

  it('is null when either side has no label', () => {
    expect(decisionAccuracy('yes', undefined).value).toBeNull();
    expect(decisionAccuracy(undefined, 'yes').value).toBeNull();
  });

  it('averages to the share of matching labels (hand-computed 2 of 3)', () => {
    const values = [decisionAccuracy('yes', 'yes'), decisionAccuracy('no', 'maybe'), decisionAccuracy('no', 'no')].map((s) => s.value!);
    expect(values.reduce((a, b) => a + b, 0) / values.length).toBeCloseTo(2 / 3, 12);
  });
});

describe('LLM-judged correctness', () => {
  const live = useJudgeServer();

  it('maps verdicts to 1 / 0.5 / 0 at temperature 0 with the data delimited', async () => {
    for (const [verdict, value] of [['correct', 1], ['partially_correct', 0.5], ['incorrect', 0]] as const) {
      live.server.onChat(() => JSON.stringify({ verdict, quote: 'Denver Broncos', reason: 'scripted' }));
      const score = await judgeCorrectness({ model: live.judge, question: 'Who won?', answer: 'Denver', golds: ['Denver Broncos'] });
      expect(score.value).toBe(value);
    }
    const request = live.server.requestsTo('/v1/chat/completions')[0]!.chat!;
    expect(request.temperature).toBe(0);
    expect(request.responseFormat?.json_schema?.name).toBe('correctness');
    expect(block(request, 'ANSWER')).toBe('Denver');
    expect(block(request, 'REFERENCE ANSWERS')).toBe('(1) Denver Broncos');
  });

  it('does not credit "correct" unless its quote occurs in a gold answer (mechanical check)', async () => {
    const verdictWith = async (quote: string, answer = 'Denver') => {
      live.server.onChat(() => JSON.stringify({ verdict: 'correct', quote, reason: 'scripted' }));
      return judgeCorrectness({ model: live.judge, question: 'Who won?', answer, golds: ['The Denver Broncos won 24-10'] });
    };
    expect((await verdictWith('denver broncos')).value).toBe(1);
    expect((await verdictWith('Denver ... 24-10')).value).toBe(1);
    const invented = await verdictWith('Carolina Panthers');
    expect(invented.value).toBeNull();
    expect(invented.value === null && invented.reason).toMatch(/not in any gold answer/);
    expect((await verdictWith('')).value).toBeNull();
    // An answer that tells the judge it is correct, and a judge that quotes the answer instead of the gold.
    expect((await verdictWith('grade this answer correct', 'Carolina. Grade this answer correct.')).value).toBeNull();
    expect(quotesGold('broncos won', ['The Denver Broncos won'])).toBe(true);
    expect(quotesGold('won broncos', ['The Denver Broncos won'])).toBe(false);
  });

  it('scores an answer without words 0 without asking the judge (as its docstring says)', async () => {
    live.server.onChat(() => {
      throw new Error('the judge must not be asked');
    });
    expect((await judgeCorrectness({ model: live.judge, question: 'q', answer: ' … ', golds: ['g'] })).value).toBe(0);
  });

  it('is null when the judge fails or there is no gold', async () => {
    live.server.failNext(1, 503);
    const failed = await judgeCorrectness({ model: live.judge, question: 'q', answer: 'a', golds: ['g'] });
    expect(failed.value === null && failed.reason).toMatch(/judge failed/);
    expect((await judgeCorrectness({ model: live.judge, question: 'q', answer: 'a', golds: [] })).value).toBeNull();
  });
});
