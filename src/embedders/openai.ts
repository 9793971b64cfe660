import type OpenAI from 'openai';
import { z } from 'zod';
import { chunkArray, mapConcurrent } from '../shared/batches.js';
import type { Env } from '../shared/env.js';
import { ConfigError, DimensionError, RagbenchError, ServiceError } from '../shared/errors.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import { defaultRetry, withRetry, type RetryOptions } from '../shared/retry.js';
import type { Embedder } from './embedder.js';

const openAiOptions = z
  .strictObject({
    model: z.string().min(1).default('text-embedding-3-small'),
    /** Output size; sent to the API when set (text-embedding-3 models shorten their vectors). */
    dimensions: z.int().positive().optional(),
    apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
    /** Literal endpoint of an OpenAI-compatible server (vLLM, Ollama, a proxy), e.g. http://localhost:11434/v1. */
    baseURL: z.url().optional(),
    /** Name of an env var holding the endpoint instead. */
    baseURLEnv: z.string().min(1).optional(),
    maxBatchSize: z.int().min(1).max(2048).default(256),
    concurrency: z.int().min(1).max(64).default(4),
    /** Retries after the first attempt, on 429, 5xx, timeouts and connection errors. */
    maxRetries: z.int().min(0).max(20).default(5),
    timeoutMs: z.int().positive().default(60_000),
    /** Prepended to each text by role, for models trained with them (e5: 'query: ', nomic: 'search_query: '). */
    queryPrefix: z.string().optional(),
    documentPrefix: z.string().optional(),
  })
  .refine((o) => o.baseURL === undefined || o.baseURLEnv === undefined, {
    message: 'set baseURL or baseURLEnv, not both',
    path: ['baseURLEnv'],
  });

export type OpenAiOptions = z.output<typeof openAiOptions>;

/** Native sizes of OpenAI's models; any other model needs `dimensions` in its options. */
const knownDimensions: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * Embeddings from OpenAI or any OpenAI-compatible server. Batches to `maxBatchSize`, runs at most `concurrency`
 * requests at once, retries retryable failures with backoff and jitter (`withRetry`, the only retry policy: the
 * client's own is off). Texts that are empty after prefixing embed to the zero vector without a request,
 * because the API rejects empty input.
 */
export const openai = definePlugin({
  description: 'OpenAI embeddings, or any OpenAI-compatible server (vLLM, Ollama) via baseURL',
  options: openAiOptions,
  create(options, context): Promise<Embedder> {
    return createOpenAiEmbedder(options, { env: context.env });
  },
});

export interface OpenAiDependencies {
  readonly env: Env;
  /** Backoff timing; tests shorten it. Attempts always come from `maxRetries`. */
  readonly retry?: Partial<Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>>;
}

export async function createOpenAiEmbedder(options: OpenAiOptions, dependencies: OpenAiDependencies): Promise<Embedder> {
  const { env } = dependencies;
  const dimensions = resolveDimensions(options);
  const baseURL = resolveBaseURL(options, env);
  // A local server (Ollama) may need no key; the client still wants a non-empty one.
  const apiKey = env.value(options.apiKeyEnv) ?? (baseURL === undefined ? env.secret(options.apiKeyEnv) : 'unused');
  const sdk = await import('openai');
  // baseURL is always explicit so an ambient OPENAI_BASE_URL never redirects requests behind the config's back.
  const client = new sdk.OpenAI({
    apiKey,
    baseURL: baseURL ?? OPENAI_BASE_URL,
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  const errorContext = { sdk, options, apiKey, origin: new URL(baseURL ?? OPENAI_BASE_URL).origin };
  const retry: RetryOptions = { ...defaultRetry, ...dependencies.retry, attempts: options.maxRetries + 1 };

  async function requestBatch(input: string[], signal: AbortSignal): Promise<Float32Array[]> {
    let response;
    try {
      response = await client.embeddings.create(
        {
          model: options.model,
          input,
          encoding_format: 'base64',
          ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
        },
        { signal },
      );
    } catch (error) {
      throw toServiceError(error, errorContext, signal);
    }
    return decodeResponse(response.data, input.length, dimensions, options.model);
  }

  return {
    // Endpoint included: the same model name on another server may be another model, and a stale cache hit is
    // silent corruption while a miss only costs a request.
    fingerprint: fingerprintOf('openai', {
      model: options.model,
      dimensions,
      endpoint: baseURL,
      queryPrefix: options.queryPrefix,
      documentPrefix: options.documentPrefix,
    }),
    dimensions,
    maxBatchSize: options.maxBatchSize,
    async embed(texts, role, signal) {
      signal?.throwIfAborted();
      const prefix = (role === 'query' ? options.queryPrefix : options.documentPrefix) ?? '';
      const inputs = texts.map((text) => prefix + text);
      const vectors = new Array<Float32Array>(inputs.length);
      const pending: number[] = [];
      inputs.forEach((input, i) => (input === '' ? (vectors[i] = new Float32Array(dimensions)) : pending.push(i)));
      // The first failing batch stops the others instead of letting them spend requests on a lost call.
      const stop = new AbortController();
      const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
      await mapConcurrent(chunkArray(pending, options.maxBatchSize), options.concurrency, async (batch) => {
        try {
          const batchVectors = await withRetry(
            () => requestBatch(batch.map((i) => inputs[i]!), combined),
            { ...retry, signal: combined },
          );
          batch.forEach((i, k) => (vectors[i] = batchVectors[k]!));
        } catch (error) {
          stop.abort(error);
          throw error;
        }
      });
      return vectors;
    },
  };
}

function resolveDimensions(options: OpenAiOptions): number {
  const native = knownDimensions[options.model];
  if (options.dimensions === undefined) {
    if (native !== undefined) return native;
    throw new ConfigError(`embedder model ${options.model} has no known dimensions`, {
      fix: `add dimensions: <vector length> to the openai embedder options (e.g. 768 for nomic-embed-text)`,
    });
  }
  if (native !== undefined && options.dimensions > native) {
    throw new ConfigError(`dimensions ${options.dimensions} exceeds ${options.model}'s ${native}`, {
      fix: `set dimensions to at most ${native}, or remove it`,
    });
  }
  if (options.model === 'text-embedding-ada-002' && options.dimensions !== native) {
    throw new ConfigError('text-embedding-ada-002 cannot shorten its vectors', {
      fix: 'remove dimensions, or use a text-embedding-3 model',
    });
  }
  return options.dimensions;
}

function resolveBaseURL(options: OpenAiOptions, env: Env): string | undefined {
  if (options.baseURLEnv === undefined) return options.baseURL;
  const value = env.value(options.baseURLEnv);
  // Falling back to api.openai.com would send a local model's name (and maybe a key) to the wrong place.
  if (value === undefined) {
    throw new ConfigError(`environment variable ${options.baseURLEnv} (the embedder's baseURLEnv) is not set`, {
      fix: `export ${options.baseURLEnv}=http://host:port/v1`,
    });
  }
  if (!URL.canParse(value)) {
    throw new ConfigError(`environment variable ${options.baseURLEnv} is not a URL`, {
      fix: `export ${options.baseURLEnv}=http://host:port/v1`,
    });
  }
  return value;
}

type EmbeddingItem = { readonly index: number; readonly embedding: string | readonly number[] };

/** Orders by `index` (the API does not promise input order) and checks count, coverage and every length. */
function decodeResponse(data: readonly EmbeddingItem[], expected: number, dimensions: number, model: string): Float32Array[] {
  if (!Array.isArray(data) || data.length !== expected) {
    throw new ServiceError('openai', `returned ${Array.isArray(data) ? data.length : 'no'} embeddings for ${expected} inputs`);
  }
  const vectors = new Array<Float32Array | undefined>(expected);
  for (const item of data) {
    if (!Number.isInteger(item.index) || item.index < 0 || item.index >= expected || vectors[item.index]) {
      throw new ServiceError('openai', `returned an embedding with a bad or repeated index (${item.index})`);
    }
    const vector = typeof item.embedding === 'string' ? decodeBase64(item.embedding) : Float32Array.from(item.embedding);
    if (vector.length !== dimensions) {
      throw new DimensionError(
        `embedder model ${model} returned a vector of length ${vector.length}, expected ${dimensions}`,
        'set dimensions in the openai embedder options to the length the model produces',
      );
    }
    vectors[item.index] = vector;
  }
  return vectors as Float32Array[];
}

/** Base64 of little-endian float32s, as the API sends them; copied so the vector owns an aligned buffer. */
function decodeBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % 4 !== 0) throw new ServiceError('openai', 'returned a base64 embedding that is not float32');
  const vector = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(vector.buffer).set(bytes);
  return vector;
}

interface ErrorContext {
  readonly sdk: typeof import('openai');
  readonly options: OpenAiOptions;
  readonly apiKey: string;
  readonly origin: string;
}

/** Maps client errors to ServiceError: retryable for 408/409/429/5xx, timeouts and connection errors. */
function toServiceError(error: unknown, context: ErrorContext, signal: AbortSignal): unknown {
  const { sdk, options, origin } = context;
  if (error instanceof RagbenchError) return error;
  if (error instanceof sdk.APIUserAbortError) return signal.reason ?? error;
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return new ServiceError('openai', `request to ${origin} timed out after ${options.timeoutMs} ms`, {
      retryable: true,
      fix: 'raise timeoutMs or lower maxBatchSize',
      cause: error,
    });
  }
  if (error instanceof sdk.APIConnectionError) {
    const code = causeCode(error);
    return new ServiceError('openai', `cannot reach ${origin}${code ? ` (${code})` : ''}`, {
      retryable: true,
      fix: 'check that the server is running and baseURL is right',
      cause: error,
    });
  }
  if (error instanceof sdk.APIError && typeof error.status === 'number') {
    const status = error.status;
    if (status === 401 || status === 403) {
      // The server's text may quote part of the key, so only our own words are used.
      const code = typeof error.code === 'string' ? ` (${error.code})` : '';
      return new ServiceError('openai', `${status} ${origin} rejected the API key${code}`, {
        status,
        fix: `check ${options.apiKeyEnv}: it must hold a valid key for this server`,
      });
    }
    const detail = redact(error.message, context.apiKey);
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const fix =
      status === 429
        ? 'lower concurrency or maxBatchSize, or raise maxRetries'
        : status === 404
          ? `check the model name (${options.model}) and baseURL`
          : retryable
            ? 'the server failed; try again later'
            : 'check the embedder options and the input texts';
    return new ServiceError('openai', detail, { status, retryable, fix });
  }
  return error;
}

function causeCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Object && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function redact(message: string, apiKey: string): string {
  const withoutKey = apiKey.length >= 4 ? message.split(apiKey).join('***') : message;
  return withoutKey.replace(/sk-[\w*-]{4,}/g, 'sk-***');
}
