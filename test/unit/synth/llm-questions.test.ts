import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Document } from '../../../src/corpus/types.js';
import { createOpenAiChatModel } from '../../../src/llms/openai.js';
import type { ChatModel } from '../../../src/llms/chat-model.js';
import { chatModels } from '../../../src/llms/registry.js';
import { createEnv } from '../../../src/shared/env.js';
import { ServiceError } from '../../../src/shared/errors.js';
import {
  generateLlmQuestions,
  jaccard,
  llmQuestionDefaults,
  typeCounts,
  type LlmQuestionOptions,
} from '../../../src/synth/llm-questions.js';
import { startOpenAiServer, type ChatRequest, type OpenAiServer } from '../../doubles/openai-server.js';

/** Each document tells the scripted model how to quote it, so answers depend on content, not on call order. */
const docs: Document[] = [
  { id: 'exact', text: 'Exact doc. The wing root carries the bending moment into the fuselage frame.' },
  { id: 'case', text: 'Case doc. Laminar flow   persists further aft on polished surfaces.' },
  { id: 'typo', text: 'Typo doc. Shock waves thicken the boundary layer downstream of the ramp.' },
  { id: 'missing', text: 'Missing doc. Rocket nozzles expand the exhaust to supersonic speed.' },
  { id: 'dup', text: 'Dup doc. Flutter appears when aerodynamic and elastic forces couple.' },
  { id: 'broken', text: 'Broken doc. The model answers this one with something that is not JSON.' },
];
const sentenceOf = (doc: string) => doc.slice(doc.indexOf('. ') + 2);

/** The scripted model: reads the documents from the prompt and answers per the schema asked for. */
function script({ messages, responseFormat, seed }: ChatRequest): string {
  const blocks = [...messages.at(-1)!.content.matchAll(/"""\n([\s\S]*?)\n"""/g)].map((m) => m[1]!);
  const quoteOf = (text: string): string => {
    const sentence = sentenceOf(text);
    if (text.startsWith('Case')) return sentence.toUpperCase().replace(/\s+/g, ' ');
    if (text.startsWith('Typo')) return sentence.replace('thicken', 'thiken').replace('ramp', 'rampp');
    if (text.startsWith('Missing')) return 'A quote the model invented, which the document does not contain.';
    return sentence;
  };
  const question = (text: string) => (text.startsWith('Dup') ? 'Why does flutter appear at all?' : `Question ${seed} on ${text.split(' ')[0]}?`);
  switch (responseFormat?.json_schema?.name) {
    case 'factoid_question':
      if (blocks[0]!.startsWith('Broken')) return 'I would rather write prose.';
      return JSON.stringify({ question: question(blocks[0]!), answer: 'an answer', evidenceQuote: quoteOf(blocks[0]!) });
    case 'multi_hop_question':
      return JSON.stringify({
        question: `Linking ${blocks[0]!.split(' ')[0]} and ${blocks[1]!.split(' ')[0]}, request ${seed}?`,
        answer: 'both',
        evidenceQuoteA: quoteOf(blocks[0]!),
        evidenceQuoteB: quoteOf(blocks[1]!),
      });
    default:
      return JSON.stringify({ question: `Unanswered ${seed} about ${blocks[0]!.split(' ')[0]}?`, reason: 'not in it' });
  }
}

let server: OpenAiServer;
let model: ChatModel;
const options = (overrides: Partial<LlmQuestionOptions> = {}): LlmQuestionOptions => ({
  ...llmQuestionDefaults,
  queries: 8,
  seed: 2, // a seed that draws every kind of document, so every path below is taken
  shares: { factoid: 1, 'multi-hop': 0, unanswerable: 0 },
  minDocumentChars: 0,
  ...overrides,
});
const promptsFor = (docId: string) =>
  server.requestsTo('/v1/chat/completions').filter((r) => r.chat!.messages.at(-1)!.content.includes(`${docs.find((d) => d.id === docId)!.text.split('.')[0]}.`));

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: 'k' });
  const parsed = chatModels.openai.options.parse({ model: 'gpt-4o-mini', baseURL: server.url, apiKeyEnv: 'K', maxRetries: 0 });
  model = await createOpenAiChatModel(parsed, { env: createEnv({ K: 'k' }) });
});
beforeEach(() => {
  server.reset();
  server.onChat(script);
});
afterAll(() => server.close());

describe('LLM questions through the OpenAI-compatible test server', () => {
  it('labels quotes found exactly, after normalisation and fuzzily; drops and counts the others', async () => {
    const result = await generateLlmQuestions(docs, model, options());
    expect(result.queries).toHaveLength(8);
    const byDoc = new Map(docs.map((d) => [d.id, d]));
    for (const q of result.queries) {
      expect(q.type).toBe('factoid');
      const [span] = q.spans;
      const doc = byDoc.get(span!.docId)!;
      // Every label is the document's own sentence, whatever the model did to the quote.
      expect(doc.text.slice(span!.start, span!.end)).toBe(sentenceOf(doc.text));
      expect(['missing', 'broken']).not.toContain(span!.docId);
    }
    const kept = result.queries.map((q) => q.spans[0]!.docId);
    expect(result.details.quotes).toEqual({
      exact: kept.filter((id) => id === 'exact' || id === 'dup').length,
      normalized: kept.filter((id) => id === 'case').length,
      fuzzy: kept.filter((id) => id === 'typo').length,
    });
    expect(Object.values(result.details.quotes).every((n) => n > 0)).toBe(true);
    expect(promptsFor('missing').length).toBeGreaterThan(0);
    expect(promptsFor('broken').length).toBeGreaterThan(0);
    expect(promptsFor('dup').length).toBeGreaterThan(1);
    expect(result.dropped['factoid: evidence quote not found in its document'] ?? 0).toBe(promptsFor('missing').length);
    expect(result.dropped['factoid: answer unusable (not JSON, off-schema, or refused)'] ?? 0).toBe(promptsFor('broken').length);
    expect(result.dropped['factoid: near-duplicate question'] ?? 0).toBe(Math.max(0, promptsFor('dup').length - 1));
    expect(result.details.calls).toBe(server.requestsTo('/v1/chat/completions').length);
  });

  it('gives the same questions for the same seed', async () => {
    const first = await generateLlmQuestions(docs, model, options());
    server.reset();
    server.onChat(script);
    expect((await generateLlmQuestions(docs, model, options())).queries).toEqual(first.queries);
  });

  it('makes each type in its share: multi-hop spans in two documents, unanswerable without labels', async () => {
    const friendly = docs.filter((d) => ['exact', 'case', 'typo'].includes(d.id));
    const shares = { factoid: 0.5, 'multi-hop': 0.25, unanswerable: 0.25 };
    const result = await generateLlmQuestions(friendly, model, options({ queries: 4, shares }));
    expect(result.queries.map((q) => q.type).sort()).toEqual(['factoid', 'factoid', 'multi-hop', 'unanswerable']);
    const multi = result.queries.find((q) => q.type === 'multi-hop')!;
    expect(multi.spans).toHaveLength(2);
    expect(multi.spans[0]!.docId).not.toBe(multi.spans[1]!.docId);
    expect(result.queries.find((q) => q.type === 'unanswerable')!.spans).toEqual([]);
  });

  it('reports a type whose attempts run out', async () => {
    const result = await generateLlmQuestions([docs[3]!], model, options({ queries: 2 }));
    expect(result.queries).toEqual([]);
    expect(result.dropped['factoid: evidence quote not found in its document']).toBe(6); // 2 × 2 + 2 attempts
    expect(result.dropped['factoid: attempts exhausted, questions missing']).toBe(2);
  });

  it('stops with the ServiceError when the service itself fails', async () => {
    server.failNext(100, 401);
    await expect(generateLlmQuestions(docs, model, options())).rejects.toBeInstanceOf(ServiceError);
  });
});

describe('question planning helpers', () => {
  it.each([
    [10, { factoid: 0.6, 'multi-hop': 0.2, unanswerable: 0.2 }, [6, 2, 2]],
    [7, { factoid: 1, 'multi-hop': 1, unanswerable: 1 }, [3, 2, 2]],
    [1, { factoid: 0, 'multi-hop': 0, unanswerable: 5 }, [0, 0, 1]],
  ] as const)('splits %d questions by shares %j into %j', (total, shares, expected) => {
    expect([...typeCounts(total, shares).values()]).toEqual(expected);
  });

  it('rejects shares that are all zero or negative', () => {
    expect(() => typeCounts(3, { factoid: 0, 'multi-hop': 0, unanswerable: 0 })).toThrow(RangeError);
    expect(() => typeCounts(3, { factoid: -1, 'multi-hop': 2, unanswerable: 0 })).toThrow(RangeError);
  });

  it('measures token Jaccard similarity', () => {
    expect(jaccard(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd']))).toBe(0.5);
    expect(jaccard(new Set(), new Set())).toBe(1);
  });
});
