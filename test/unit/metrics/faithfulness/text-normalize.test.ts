import { describe, expect, it } from 'vitest';
import { contentTokens, normalizeAnswer, stem, tokens, wordTokens } from '../../../../src/metrics/text-normalize.js';

describe('normalizeAnswer (SQuAD v1.1 normalize_answer)', () => {
  it.each([
    ['The  Cat’s hat.', 'cats hat'],
    ['An apple, a pear and THE end!', 'apple pear and end'],
    ['  theater  ', 'theater'],
    ['9-pin', '9pin'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeAnswer(input)).toBe(expected);
  });

  it('tokens split the normalised text; contentTokens drop stopwords', () => {
    expect(tokens('The cat sat on the mat.')).toEqual(['cat', 'sat', 'on', 'mat']);
    expect(tokens(' . ')).toEqual([]);
    expect(contentTokens('The cat sat on the mat.')).toEqual(['cat', 'sat', 'mat']);
  });

  it('wordTokens split at punctuation instead of gluing', () => {
    expect(wordTokens("Harry's low-lying 10-pin Café")).toEqual(['harry', 's', 'low', 'lying', '10', 'pin', 'café']);
  });
});

describe('stem (Porter 1980)', () => {
  it.each([
    ['caresses', 'caress'], ['ponies', 'poni'], ['cats', 'cat'], ['feed', 'feed'], ['agreed', 'agre'],
    ['plastered', 'plaster'], ['motoring', 'motor'], ['sing', 'sing'], ['conflated', 'conflat'], ['hopping', 'hop'],
    ['sized', 'size'], ['falling', 'fall'], ['filing', 'file'], ['happy', 'happi'], ['relational', 'relat'],
    ['conditional', 'condit'], ['generalization', 'gener'], ['hopeful', 'hope'], ['goodness', 'good'],
    ['adoption', 'adopt'], ['connected', 'connect'], ['connecting', 'connect'], ['connections', 'connect'],
    ['is', 'is'], ['1889', '1889'],
  ])('%s → %s', (word, expected) => {
    expect(stem(word)).toBe(expected);
  });
});
