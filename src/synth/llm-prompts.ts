/** The prompts and JSON schemas of `llm-questions.ts`, kept apart so they read as one piece of text. */
import type { Document } from '../corpus/types.js';

export const questionTypes = ['factoid', 'multi-hop', 'unanswerable'] as const;
export type QuestionType = (typeof questionTypes)[number];

type JsonSchema = { name: string; schema: Record<string, unknown> };

const strictObject = (properties: Record<string, string>): Record<string, unknown> => ({
  type: 'object',
  properties: Object.fromEntries(Object.entries(properties).map(([name, description]) => [name, { type: 'string', description }])),
  required: Object.keys(properties),
  additionalProperties: false,
});

const quote = 'an exact, contiguous excerpt of the document, copied character for character, at most 300 characters';

/** Structured-output schemas per type (OpenAI strict mode: every property required, no extras). */
export const questionSchemas: Record<QuestionType, JsonSchema> = {
  factoid: {
    name: 'factoid_question',
    schema: strictObject({ question: 'the question', answer: 'a short answer', evidenceQuote: quote }),
  },
  'multi-hop': {
    name: 'multi_hop_question',
    schema: strictObject({
      question: 'the question, needing both documents',
      answer: 'a short answer',
      evidenceQuoteA: `${quote} from document A`,
      evidenceQuoteB: `${quote} from document B`,
    }),
  },
  unanswerable: {
    name: 'unanswerable_question',
    schema: strictObject({ question: 'the question', reason: 'why the document does not answer it' }),
  },
};

const system =
  'You write test questions for evaluating a search engine over a document collection. A user asks the question ' +
  'without having seen any document, so never refer to "the document", "the passage" or "the text". ' +
  'Answer with one JSON object and nothing else.';

function block(label: string, doc: Document, maxChars: number): string {
  const text = doc.text.length > maxChars ? `${doc.text.slice(0, maxChars)} […]` : doc.text;
  return `${label}:\n"""\n${doc.title ? `${doc.title}\n\n` : ''}${text}\n"""`;
}

/** The system and user messages asking for one question of `type` about `docs` (two for multi-hop). */
export function questionPrompt(type: QuestionType, docs: readonly Document[], maxChars: number): { system: string; user: string } {
  switch (type) {
    case 'factoid':
      return {
        system,
        user:
          `${block('Document', docs[0]!, maxChars)}\n\n` +
          'Write one specific factoid question that this document answers. Give a short answer and an evidence ' +
          `quote: ${quote}, that supports the answer. JSON keys: question, answer, evidenceQuote.`,
      };
    case 'multi-hop':
      return {
        system,
        user:
          `${block('Document A', docs[0]!, maxChars)}\n\n${block('Document B', docs[1]!, maxChars)}\n\n` +
          'Write one question whose answer needs facts from BOTH documents. Give a short answer and one evidence ' +
          `quote from each document: ${quote}. JSON keys: question, answer, evidenceQuoteA, evidenceQuoteB.`,
      };
    case 'unanswerable':
      return {
        system,
        user:
          `${block('Document', docs[0]!, maxChars)}\n\n` +
          'Write one specific, plausible question on the topic of this document that the document does NOT answer ' +
          '(a reader would look for the answer here and not find it). JSON keys: question, reason.',
      };
  }
}
