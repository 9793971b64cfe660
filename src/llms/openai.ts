import type OpenAI from 'openai';
import { z } from 'zod';
import { ServiceError } from '../shared/errors.js';
import { fingerprintOf } from '../shared/hash.js';
import { connectOpenAi, type OpenAiDependencies } from '../shared/openai/client.js';
import { toServiceError, type OpenAiErrorContext } from '../shared/openai/errors.js';
import { definePlugin } from '../shared/plugin.js';
import { defaultRetry, withRetry, type RetryOptions } from '../shared/retry.js';
import type { ChatMessage, ChatModel, CompleteOptions, Completion } from './chat-model.js';
import { parseJsonAnswer, validateJson } from './json-output.js';
import { createSemaphore } from './semaphore.js';

const openAiChatOptions = z
  .strictObject({
    model: z.string().min(1),
    apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
    /** Literal endpoint of an OpenAI-compatible server (vLLM, Ollama, a proxy), e.g. http://localhost:11434/v1. */
    baseURL: z.url().optional(),
    /** Name of an env var holding the endpoint instead. */
    baseURLEnv: z.string().min(1).optional(),
    /** 0 makes answers repeatable (and cacheable); null sends none, for models that accept only their default (gpt-5, o-series). */
    temperature: z.number().min(0).max(2).nullable().default(0),
    maxTokens: z.int().positive().optional(),
    /** Requests in flight at once, shared by every caller of this model. */
    concurrency: z.int().min(1).max(64).default(4),
    /** Retries after the first attempt, on 429, 5xx, timeouts and connection errors. */
    maxRetries: z.int().min(0).max(20).default(5),
    timeoutMs: z.int().positive().default(120_000),
    /** The largest response accepted; a larger (or endless) one fails instead of filling memory. */
    maxResponseBytes: z.int().min(1024).default(64 * 1024 * 1024),
    /** How a call's jsonSchema is sent; json_schema falls back to json_object once if the server rejects it. */
    structuredOutputs: z.enum(['json_schema', 'json_object', 'none']).default('json_schema'),
  })
  .refine((o) => o.baseURL === undefined || o.baseURLEnv === undefined, {
    message: 'set baseURL or baseURLEnv, not both',
    path: ['baseURLEnv'],
  });

type OpenAiChatOptions = z.output<typeof openAiChatOptions>;
type StructuredOutputs = OpenAiChatOptions['structuredOutputs'];
type RequestBody = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

/**
 * Chat completions from OpenAI or any OpenAI-compatible server. At most `concurrency` requests run at once
 * whoever calls; retryable failures are retried with backoff and jitter (`withRetry`, the only retry policy: the
 * client's own is off). A call's slot is held through its retries, so a 429 slows this model down instead of
 * letting waiting callers fill the gap.
 */
export const openai = definePlugin({
  description: 'OpenAI chat completions, or any OpenAI-compatible server (vLLM, Ollama) via baseURL',
  options: openAiChatOptions,
  create(options, context): Promise<ChatModel> {
    return createOpenAiChatModel(options, { env: context.env });
  },
});

export async function createOpenAiChatModel(options: OpenAiChatOptions, dependencies: OpenAiDependencies): Promise<ChatModel> {
  const { client, baseURL, errorContext: connection } = await connectOpenAi(options, dependencies.env, 'the chat model');
  const errorContext: OpenAiErrorContext = {
    ...connection,
    fixes: {
      timeout: 'raise timeoutMs or lower maxTokens',
      rateLimit: 'lower concurrency or raise maxRetries',
      badRequest: 'check the chat model options (models such as gpt-5 and o-series accept no temperature: set temperature: null)',
    },
  };
  const retry: RetryOptions = { ...defaultRetry, ...dependencies.retry, attempts: options.maxRetries + 1 };
  const slots = createSemaphore(options.concurrency);
  const defaultTemperature = options.temperature ?? undefined;
  // Learnt once per model: after a server rejects json_schema, asking again would only cost a failed request per call.
  let jsonSchemaRejected = false;

  async function send(body: RequestBody, signal: AbortSignal | undefined): Promise<OpenAI.Chat.ChatCompletion> {
    try {
      return await client.chat.completions.create(body, signal ? { signal } : {});
    } catch (error) {
      throw toServiceError(error, errorContext, signal);
    }
  }

  async function attempt(messages: readonly ChatMessage[], call: CompleteOptions, mode: StructuredOutputs | undefined) {
    const body = buildBody(messages, call, mode);
    const response = await send(body, call.signal);
    return { response, mode };
  }

  async function attemptWithFallback(messages: readonly ChatMessage[], call: CompleteOptions) {
    if (!call.jsonSchema) return attempt(messages, call, undefined);
    const mode = options.structuredOutputs === 'json_schema' && jsonSchemaRejected ? 'json_object' : options.structuredOutputs;
    try {
      return await attempt(messages, call, mode);
    } catch (error) {
      if (mode !== 'json_schema' || !rejectsJsonSchema(error)) throw error;
      jsonSchemaRejected = true;
      return attempt(messages, call, 'json_object');
    }
  }

  function buildBody(messages: readonly ChatMessage[], call: CompleteOptions, mode: StructuredOutputs | undefined): RequestBody {
    const temperature = call.temperature ?? defaultTemperature;
    const maxTokens = call.maxTokens ?? options.maxTokens;
    const schema = call.jsonSchema;
    const sent = schema && mode !== 'json_schema' ? withJsonInstruction(messages, schema) : messages;
    return {
      model: options.model,
      messages: sent.map((m) => ({ role: m.role, content: m.content })),
      ...(temperature === undefined ? {} : { temperature }),
      // OpenAI's newer models reject max_tokens; compatible servers (Ollama, older vLLM) know only max_tokens.
      ...(maxTokens === undefined ? {} : baseURL === undefined ? { max_completion_tokens: maxTokens } : { max_tokens: maxTokens }),
      ...(call.seed === undefined ? {} : { seed: call.seed }),
      ...(!schema || mode === 'none'
        ? {}
        : mode === 'json_schema'
          ? { response_format: { type: 'json_schema', json_schema: { name: schema.name, schema: schema.schema, strict: true } } }
          : { response_format: { type: 'json_object' } }),
    };
  }

  return {
    // Endpoint included: the same model name on another server may be another model. Concurrency, retries and
    // timeouts change how answers arrive, not what they say, so they are left out.
    fingerprint: fingerprintOf('openai', {
      model: options.model,
      endpoint: baseURL,
      temperature: options.temperature,
      maxTokens: options.maxTokens,
      structuredOutputs: options.structuredOutputs,
    }),
    model: options.model,
    defaultTemperature,
    async complete(messages, call = {}): Promise<Completion> {
      call.signal?.throwIfAborted();
      const release = await slots.acquire(call.signal);
      // Timed from the slot on: queueing behind this run's own calls says nothing about the service.
      const started = performance.now();
      let result;
      try {
        result = await withRetry(() => attemptWithFallback(messages, call), { ...retry, ...(call.signal ? { signal: call.signal } : {}) });
      } finally {
        release();
      }
      const { response, mode } = result;
      const choice = response.choices?.[0];
      if (!choice) throw new ServiceError('openai', `${options.model} returned no choices`);
      if (choice.message.content == null) {
        const refusal = choice.message.refusal;
        throw new ServiceError('openai', refusal ? `${options.model} refused: ${refusal}` : `${options.model} returned no text`, {
          fix: 'check the prompt; the model gave no answer to it',
        });
      }
      const text = call.jsonSchema ? checkedJson(choice.message.content, call.jsonSchema, mode, choice.finish_reason) : choice.message.content;
      return {
        text,
        inputTokens: response.usage?.prompt_tokens ?? 0,
        outputTokens: response.usage?.completion_tokens ?? 0,
        latencyMs: performance.now() - started,
        cached: false,
        model: response.model || options.model,
      };
    },
  };
}

/**
 * A 400/422 that names the response format: the server does not do json_schema (as opposed to a bad prompt).
 * OpenAI's "Invalid schema for response_format" is our schema breaking strict-mode rules: falling back would
 * hide that bug behind weaker output for the rest of the run, so it surfaces instead.
 */
function rejectsJsonSchema(error: unknown): boolean {
  return (
    error instanceof ServiceError &&
    (error.status === 400 || error.status === 422) &&
    /response_format|json_schema|structured output/i.test(error.message) &&
    !/invalid schema/i.test(error.message)
  );
}

/**
 * Without json_schema the model must be told the shape; OpenAI's json_object mode also requires the word "JSON"
 * in the messages. Merged into the leading system message because some chat templates allow only one, first.
 */
function withJsonInstruction(messages: readonly ChatMessage[], schema: NonNullable<CompleteOptions['jsonSchema']>): ChatMessage[] {
  const instruction =
    `Answer with one JSON object and nothing else (no prose, no code fences). ` +
    `It must match this JSON schema (${schema.name}): ${JSON.stringify(schema.schema)}`;
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...rest];
  return [{ role: 'system', content: instruction }, ...messages];
}

/** The answer as canonical JSON text, or a ServiceError saying what is wrong (the answer is the model's, not secret). */
function checkedJson(
  content: string,
  schema: NonNullable<CompleteOptions['jsonSchema']>,
  mode: StructuredOutputs | undefined,
  finishReason: string,
): string {
  const truncated = finishReason === 'length';
  const fix = truncated ? 'raise maxTokens: the answer was cut off' : 'use a stronger model or simplify the schema';
  const snippet = content.length > 200 ? `${content.slice(0, 200)}…` : content;
  // json_schema mode promises bare JSON; the others may wrap it in prose or a code fence.
  const parsed = mode === 'json_schema' ? parseStrict(content) : parseJsonAnswer(content);
  if (!parsed.ok) throw new ServiceError('openai', `${parsed.reason} (schema ${schema.name}): ${snippet}`, { fix });
  const problems = validateJson(parsed.value, schema.schema);
  if (problems.length > 0) {
    throw new ServiceError('openai', `the answer does not match schema ${schema.name}: ${problems.slice(0, 3).join('; ')}`, { fix });
  }
  return JSON.stringify(parsed.value);
}

function parseStrict(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'the answer is not JSON' };
  }
}
