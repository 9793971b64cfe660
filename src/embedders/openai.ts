import { z } from 'zod';
import { chunkArray, mapConcurrent } from '../shared/batches.js';
import { ConfigError, DimensionError, ServiceError } from '../shared/errors.js';
import { fingerprintOf } from '../shared/hash.js';
import { connectOpenAi, type OpenAiDependencies } from '../shared/openai/client.js';
import { toServiceError, type OpenAiErrorContext } from '../shared/openai/errors.js';
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
    /** The largest response accepted; a larger (or endless) one fails instead of filling memory. */
    maxResponseBytes: z.int().min(1024).default(256 * 1024 * 1024),
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

export async function createOpenAiEmbedder(options: OpenAiOptions, dependencies: OpenAiDependencies): Promise<Embedder> {
  const { env } = dependencies;
  const dimensions = resolveDimensions(options);
  const { client, baseURL, errorContext: connection } = await connectOpenAi(options, env, 'the embedder');
  const errorContext: OpenAiErrorContext = {
    ...connection,
    fixes: {
      timeout: 'raise timeoutMs or lower maxBatchSize',
      rateLimit: 'lower concurrency or maxBatchSize, or raise maxRetries',
      badRequest: 'check the embedder options and the input texts',
    },
  };
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
