import { describe, expect, it } from 'vitest';
import {
  charTrigrams,
  dice,
  extractiveFragments,
  lcsLength,
  longestCommonRun,
  positionIndex,
} from '../../../../src/metrics/faithfulness/alignment.js';
import {
  featureNames,
  featureVector,
  modelInputNames,
  prepareContext,
  supportFeatures,
} from '../../../../src/metrics/faithfulness/features.js';
import { lexicalFaithfulness } from '../../../../src/metrics/faithfulness/model/lexical-alignment.js';

const features = (answer: string, context: string) => supportFeatures(answer, prepareContext(context))!;

describe('alignment helpers (hand-computed)', () => {
  it('pads trigrams so prefixes and suffixes count', () => {
    expect([...charTrigrams('heat')]).toEqual(['#he', 'hea', 'eat', 'at#']);
  });

  it('dice of magnet/magnetic shares 5 of 6 + 8 trigrams → 10/14', () => {
    expect(dice(charTrigrams('magnet'), charTrigrams('magnetic'))).toBeCloseTo(10 / 14, 12);
    expect(dice(charTrigrams('ball'), charTrigrams('ball'))).toBe(1);
    expect(dice(new Set(), new Set())).toBe(0);
  });

  it('lcs counts terms in the same order only', () => {
    expect(lcsLength(['a', 'b', 'c', 'd'], ['b', 'x', 'd', 'a'])).toBe(2);
    expect(lcsLength(['a'], [])).toBe(0);
  });

  it('extractive fragments take the longest copied run greedily from the left', () => {
    const context = ['a', 'cat', 'sat', 'on', 'the', 'mat'];
    const answer = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'today'];
    // the(1) | cat sat on(3) | a(1) | mat(1) | today unmatched
    expect(extractiveFragments(answer, context, positionIndex(context))).toEqual([1, 3, 1, 1]);
    expect(longestCommonRun(answer, positionIndex(context))).toBe(3);
  });
});

describe('supportFeatures', () => {
  const dogs = 'Cats sleep a lot. Dogs bark loudly at night. Birds sing.';

  it('a sentence copied with one word dropped: full best-sentence support, ordered, copied in two runs', () => {
    const f = features('Dogs bark at night.', dogs);
    expect(f.bestSentence).toBe(1);
    expect(f.bestPassage).toBe(1); // 3 sentences → one passage, the whole context
    expect(f.orderedSupport).toBe(1);
    // words dog bark at night: fragments "dog bark" + "at night" → coverage 4/4; longest run 2 of 4 words
    expect(f.copiedCoverage).toBe(1);
    expect(f.longestCopy).toBe(0.5);
  });

  it('weights terms by rarity within the context: the topic word every sentence repeats proves little', () => {
    // S = 3 sentences; dog in all 3 → log(4/3.5); fly in none → log(4/0.5)
    const f = features('Dogs fly.', 'Dogs sleep a lot. Dogs bark at night. Dogs eat meat.');
    const dog = Math.log(4 / 3.5);
    const fly = Math.log(4 / 0.5);
    expect(f.support).toBe(0.5);
    expect(f.bestSentence).toBeCloseTo(dog / (dog + fly), 12);
    expect(f.softSupport).toBeCloseTo(dog / (dog + fly), 12); // fly: 3 letters, no soft match
  });

  it('soft support gives a morphological variant its trigram Dice as partial credit', () => {
    // one sentence: ball df 1 → log(2/1.5); flatten df 0 → log(2/0.5); dice(flatten, flat) = 2·3/(7+4)
    const f = features('The ball flattened.', 'The ball is flat.');
    const ball = Math.log(2 / 1.5);
    const flatten = Math.log(2 / 0.5);
    expect(f.support).toBe(0.5);
    expect(f.softSupport).toBeCloseTo((ball + flatten * (6 / 11)) / (ball + flatten), 12);
  });

  it('words in a wrong order lower orderedSupport but not support', () => {
    const f = features('Night barks dogs.', 'Dogs bark at night.');
    expect(f.support).toBe(1);
    expect(f.orderedSupport).toBeCloseTo(1 / 3, 12);
    expect(f.copiedCoverage).toBe(0); // no copied run of 2+ words
  });

  it('the model input is the features then the 21 pairwise products of the interacting ones', () => {
    const f = features('Dogs bark at night.', dogs);
    const x = featureVector(f);
    expect(x).toHaveLength(modelInputNames.length);
    expect(modelInputNames).toHaveLength(featureNames.length + 21);
    const at = modelInputNames.indexOf('support*logLength');
    expect(x[at]).toBeCloseTo(f.support * f.logLength, 12);
  });

  it('lexicalFaithfulness refuses a model fitted on another feature set instead of reading the wrong inputs', () => {
    expect(() => lexicalFaithfulness('Dogs bark.', dogs, { model: { weights: [1], bias: 0 } })).toThrow(RangeError);
  });
});
