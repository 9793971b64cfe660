import { describe, expect, it } from 'vitest';
import type { ContextPassage } from '../../../src/answers/answerer.js';
import { createExtractiveAnswerer, extractive } from '../../../src/answers/extractive.js';
import { answerers } from '../../../src/answers/registry.js';
import { createEnv } from '../../../src/shared/env.js';

const passage = (id: string, text: string): ContextPassage => ({ id: `${id}#0-${text.length}`, docId: id, text });

const contexts = [
  passage('a', 'Vaccines were stored in clinics. Storage temperatures of vaccines were monitored in refrigerators. Staff were trained.'),
  passage('b', 'Many refrigerators had no thermometer. Clinic staff recorded temperatures twice daily.'),
  passage('c', 'The cold chain failed in a third of the clinics, exposing vaccines to freezing temperatures.'),
];
const question = 'Storage of vaccines in the community: weak link in the cold chain?';

describe('extractive answerer', () => {
  it('returns the best-supported sentences in context order', async () => {
    const answerer = createExtractiveAnswerer(extractive.options.parse({}));
    const answer = await answerer.answer(question, contexts);
    // Question terms (stemmed): storag, vaccin, commun, weak, link, cold, chain. idf over N = 3 passages:
    // df 1 → ln(1 + 2.5/1.5) ≈ 0.981, df 2 → ln(1 + 1.5/2.5) ≈ 0.470. vaccin has df 2, storag/cold/chain df 1.
    // a2 "Storage temperatures of vaccines…": storag + vaccin ≈ 1.451; c1 "The cold chain failed…": cold + chain +
    // vaccin ≈ 2.432; a1 "Vaccines were stored…": vaccin + storag ("stored" → store ≠ storag) ≈ 0.470.
    expect(answer.text).toBe(
      'Storage temperatures of vaccines were monitored in refrigerators. The cold chain failed in a third of the clinics, exposing vaccines to freezing temperatures.',
    );
    expect(answer).toMatchObject({ inputTokens: 0, outputTokens: 0, cached: false });
    expect(answer.label).toBeUndefined();
  });

  it('is deterministic: same input, same answer', async () => {
    const a = createExtractiveAnswerer(extractive.options.parse({ maxSentences: 3 }));
    const b = createExtractiveAnswerer(extractive.options.parse({ maxSentences: 3 }));
    const first = await a.answer(question, contexts);
    const second = await b.answer(question, [...contexts]);
    expect(second.text).toBe(first.text);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(createExtractiveAnswerer(extractive.options.parse({})).fingerprint);
  });

  it('honours maxSentences and falls back to the first sentence when nothing overlaps', async () => {
    const one = createExtractiveAnswerer(extractive.options.parse({ maxSentences: 1 }));
    expect((await one.answer(question, contexts)).text).toBe('The cold chain failed in a third of the clinics, exposing vaccines to freezing temperatures.');
    expect((await one.answer('Who painted the Mona Lisa?', contexts)).text).toBe('Vaccines were stored in clinics.');
  });

  it('decides no on a null-result cue, yes otherwise, maybe without context', async () => {
    const answerer = createExtractiveAnswerer(extractive.options.parse({ maxSentences: 1 }));
    const positive = [passage('p', 'Aspirin reduced headache duration by two hours.')];
    const negative = [passage('n', 'Aspirin did not reduce headache duration.')];
    const nullResult = [passage('n', 'Headache duration showed no significant difference with aspirin.')];
    expect((await answerer.answer('Does aspirin reduce headache duration?', positive, { decision: true })).label).toBe('yes');
    expect((await answerer.answer('Does aspirin reduce headache duration?', negative, { decision: true })).label).toBe('no');
    expect((await answerer.answer('Does aspirin change headache duration?', nullResult, { decision: true })).label).toBe('no');
    const closedBook = await answerer.answer('Does aspirin reduce headache duration?', [], { decision: true });
    expect(closedBook).toMatchObject({ text: '', label: 'maybe' });
  });

  it('is registered and rejects unknown options', async () => {
    const context = { env: createEnv({}), workDir: '/tmp/unused' };
    const answerer = await answerers.extractive.create(answerers.extractive.options.parse({ maxSentences: 1 }), context);
    expect((await answerer.answer(question, contexts)).text).toContain('cold chain');
    expect(answerers.extractive.options.safeParse({ maxSentence: 1 }).success).toBe(false);
  });
});
