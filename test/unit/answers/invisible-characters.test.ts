import { describe, expect, it } from 'vitest';
import type { ContextPassage } from '../../../src/answers/answerer.js';
import { createExtractiveAnswerer, extractive } from '../../../src/answers/extractive.js';
import { decisionAccuracy, exactMatch, tokenF1 } from '../../../src/metrics/answers.js';
import { normalizeAnswer, tokens, wordTokens } from '../../../src/metrics/text-normalize.js';
import { normalizeForMatching } from '../../../src/shared/text/unicode-text.js';

const SOFT_HYPHEN = '\u00AD';
const ZWSP = '\u200B';
const passage = (id: string, text: string): ContextPassage => ({ id: `${id}#0-${text.length}`, docId: id, text });

describe('invisible characters do not change answer scores (issue 11 #7)', () => {
  const clean = 'There was no significant difference in mortality between the two groups.';
  const hidden = `There was no sig${SOFT_HYPHEN}nificant dif${ZWSP}ference in mortality between the two groups.`;

  it('the extractive answerer decides the same for text that looks identical, and shows the original text', async () => {
    const answerer = createExtractiveAnswerer(extractive.options.parse({}));
    const question = 'Does the treatment reduce mortality?';
    const a = await answerer.answer(question, [passage('d', clean)], { decision: true });
    const b = await answerer.answer(question, [passage('d', hidden)], { decision: true });
    expect(a.label).toBe('no');
    expect(b.label).toBe('no'); // was "yes" before: decision-accuracy 1.0 → 0.5 on the pair
    expect(b.text).toBe(hidden); // display keeps the original characters (offsets into the passage stay exact)
    expect([a, b].map((answer) => decisionAccuracy(answer.label, 'no').value)).toEqual([1, 1]);
  });

  it('answer metrics and lexical faithfulness tokens ignore them and apply NFKC', () => {
    expect(normalizeForMatching(`ﬁ${ZWSP}le ＡＢＣ`)).toBe('file ABC');
    expect(normalizeAnswer(`The sig${SOFT_HYPHEN}nificant re${ZWSP}sult`)).toBe('significant result');
    expect(exactMatch(`dif${SOFT_HYPHEN}ference`, ['difference']).value).toBe(1);
    expect(tokenF1(`no sig${ZWSP}nificant dif${SOFT_HYPHEN}ference`, ['no significant difference']).value).toBe(1);
    expect(wordTokens(hidden)).toEqual(wordTokens(clean));
    expect(tokens('北京是首都')).toEqual(['北', '京', '是', '首', '都']);
  });
});
