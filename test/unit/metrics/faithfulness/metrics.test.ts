import { describe, expect, it } from 'vitest';
import { faithfulnessMetrics, kPrecision, lexicalFaithfulness } from '../../../../src/metrics/faithfulness/index.js';

const tower = 'The Eiffel Tower was completed in 1889. It is 330 metres tall and was designed by Gustave Eiffel’s company.';

describe('kPrecision', () => {
  it('is the share of the answer’s content words found in the context (hand-computed)', () => {
    // content words: cat, sat, mat, paris (the, on, in are stopwords); paris is missing → 3/4
    const score = kPrecision('The cat sat on the mat in Paris', 'A cat sat quietly on a mat.');
    expect(score).toEqual({ value: 0.75, detail: { supported: 3, tokens: 4 } });
  });

  it('counts repeated words each time', () => {
    expect(kPrecision('sweaters, sweaters and hats', 'knitted sweaters').value).toBeCloseTo(2 / 3, 12);
  });
});

describe.each(Object.entries(faithfulnessMetrics))('%s', (_, metric) => {
  it.each([
    ['an empty answer', '', tower],
    ['a punctuation-only answer', ' ... ', tower],
    ['an empty context', 'The tower is 330 metres tall.', '   '],
    ['an answer of stopwords only', 'Are you into it?', tower],
  ])('returns null with a reason for %s, never 0 or NaN', (_, answer, context) => {
    const score = metric(answer, context);
    expect(score.value).toBeNull();
    expect(score).toHaveProperty('reason', expect.any(String));
  });

  it('scores in [0, 1]', () => {
    for (const answer of ['The tower is 330 metres tall.', 'Bananas are yellow.', 'Gustave Eiffel designed it in 1889.']) {
      const { value } = metric(answer, tower);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
  });
});

describe('lexicalFaithfulness', () => {
  it('a number absent from the context lowers the score', () => {
    const right = lexicalFaithfulness('The Eiffel Tower was completed in 1889.', tower).value!;
    const wrong = lexicalFaithfulness('The Eiffel Tower was completed in 1925.', tower).value!;
    expect(wrong).toBeLessThan(right - 0.1);
  });

  it('a supported paraphrase with other word forms scores higher than an unsupported claim', () => {
    const context = 'The researchers connected the sensors and measured rising temperatures across the glaciers.';
    const paraphrase = lexicalFaithfulness('Researchers connecting sensors measure rising glacier temperature.', context);
    const unsupported = lexicalFaithfulness('Engineers painted the bridges with waterproof coatings.', context);
    expect(paraphrase.value!).toBeGreaterThan(0.8);
    expect(paraphrase.value!).toBeGreaterThan(unsupported.value! + 0.5);
    // Stemming is what finds them: exact-match K-Precision misses connecting/measure/glacier/temperature.
    expect(kPrecision('Researchers connecting sensors measure rising glacier temperature.', context).value).toBeLessThan(0.5);
    expect(paraphrase).toHaveProperty('detail.support', 1);
  });

  it('a question or a first-person aside is not supported content', () => {
    const statement = lexicalFaithfulness('The Eiffel Tower is 330 metres tall.', tower).value!;
    expect(lexicalFaithfulness('Is the Eiffel Tower 330 metres tall?', tower).value!).toBeLessThan(statement);
    expect(lexicalFaithfulness('I love that the Eiffel Tower is 330 metres tall.', tower).value!).toBeLessThan(statement);
  });

  it('spelled-out and digit numbers support each other', () => {
    const score = lexicalFaithfulness('It has three floors.', 'The tower has 3 floors open to visitors.');
    expect(score).toHaveProperty('detail.numbersSupported', 1);
    expect(score).toHaveProperty('detail.support', 1);
  });
});
