import { z } from 'zod';
import { decisions, type Decision } from '../corpus/qa.js';
import type { ChatModel, CompleteOptions } from '../llms/chat-model.js';
import { ServiceError } from '../shared/errors.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import type { Answerer, AnswererContext, AnswerOptions, ContextPassage, GeneratedAnswer } from './answerer.js';
import { chatModelConfigSchema, createConfiguredChatModel } from './chat-models.js';
import { loadPromptTemplate, renderAnswerMessages, resolvePromptFile, type PromptTemplate } from './prompt-template.js';
import { normalizeForMatching } from '../shared/text/unicode-text.js';

const llmOptions = z.strictObject({
  /** The chat model: `{ kind: openai, model: gpt-4o-mini, baseURL?, temperature?, … }`. */
  model: chatModelConfigSchema,
  /** A template in prompts/ by name (`qa-v1`) or a path relative to the eval file. */
  prompt: z.string().min(1).default('qa-v1'),
  /** Cap on answer tokens per call (overrides the model's maxTokens). */
  maxTokens: z.int().positive().optional(),
});

type LlmAnswererOptions = z.output<typeof llmOptions>;

/** A chat model answering from a prompt template; cached and recorded in the run ledger. */
export const llm = definePlugin({
  description: 'a chat model answering from a prompt template (model, prompt, maxTokens); cached, costed',
  options: llmOptions,
  async create(options: LlmAnswererOptions, context: AnswererContext): Promise<Answerer> {
    const template = await loadPromptTemplate(await resolvePromptFile(options.prompt, context.baseDir));
    const model = await createConfiguredChatModel(options.model, context);
    return createLlmAnswerer({ model, template, ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}) });
  },
});

/** The JSON a decision task asks for: the answer text and the label. */
const decisionAnswerSchema: NonNullable<CompleteOptions['jsonSchema']> = {
  name: 'decision_answer',
  schema: {
    type: 'object',
    properties: {
      answer: { type: 'string' },
      decision: { type: 'string', enum: [...decisions] },
    },
    required: ['answer', 'decision'],
    additionalProperties: false,
  },
};

interface LlmAnswererOptionsResolved {
  readonly model: ChatModel;
  readonly template: PromptTemplate;
  readonly maxTokens?: number;
}

/**
 * Renders the template and asks the model. Free text for ordinary questions; for decision tasks the model layer
 * enforces `decisionAnswerSchema` (json_schema, or json_object plus validation) and the label is read from it.
 * Failures are the model layer's ServiceErrors (retries included); they propagate, the pipeline decides.
 */
function createLlmAnswerer(options: LlmAnswererOptionsResolved): Answerer {
  const { model, template } = options;
  return {
    fingerprint: fingerprintOf('llm', {
      model: model.fingerprint,
      prompt: { file: template.file.split(/[\\/]/).pop(), version: template.version, hash: template.fingerprint },
      maxTokens: options.maxTokens,
    }),
    async answer(question: string, contexts: readonly ContextPassage[], call: AnswerOptions = {}): Promise<GeneratedAnswer> {
      const messages = renderAnswerMessages(template, { question, contexts, ...(call.decision ? { decision: true } : {}) });
      const completion = await model.complete(messages, {
        ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}),
        ...(call.signal ? { signal: call.signal } : {}),
        ...(call.decision ? { jsonSchema: decisionAnswerSchema } : {}),
      });
      const usage = {
        inputTokens: completion.inputTokens,
        outputTokens: completion.outputTokens,
        latencyMs: completion.latencyMs,
        cached: completion.cached,
      };
      if (!call.decision) return { text: completion.text.trim(), ...usage };
      const { answer, label } = readDecisionAnswer(completion.text, model.model);
      return { text: answer, label, ...usage };
    },
  };
}

/** The model layer has already checked the shape; this only guards a wrapper that did not (a bug, said plainly). */
function readDecisionAnswer(text: string, modelName: string): { answer: string; label: Decision } {
  let value: { answer?: unknown; decision?: unknown } = {};
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    // reported below with the text
  }
  // "Yes", " no", "maybe\u200B": the label is matched on normalised text, the way it reads.
  const said = typeof value.decision === 'string' ? normalizeForMatching(value.decision).trim().toLowerCase() : value.decision;
  const label = decisions.find((d) => d === said);
  if (typeof value.answer !== 'string' || !label) {
    throw new ServiceError('answerer', `${modelName} answered without a valid decision: ${text.slice(0, 200)}`);
  }
  return { answer: value.answer.trim(), label };
}
