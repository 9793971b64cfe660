import { z } from 'zod';
import { ConfigError } from '../../shared/errors.js';
import { definePlugin, type PluginContext } from '../../shared/plugin.js';
import { defaultExactMaxRecords } from '../exact-copy.js';
import { serverStatusError } from './errors.js';
import { PineconeStore } from './store.js';
import type { VectorStore } from '../vector-store.js';

/** The Pinecone REST API version this store is written and tested against (client 9.0.0's default). */
export const pineconeApiVersion = '2026-07';

const pineconeOptions = z
  .strictObject({
    /** The environment variable holding the API key (the key itself never goes in config). */
    apiKeyEnv: z.string().min(1).default('PINECONE_API_KEY'),
    cloud: z.string().min(1).default('aws'),
    region: z.string().min(1).default('us-east-1'),
    /**
     * Serverless indexes are named `<indexPrefix>-<dimensions>-<metric>`; each ragbench index (corpus ×
     * chunker × embedder fingerprint) is a namespace in one, so experiments share a few Pinecone indexes.
     */
    indexPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/, 'indexPrefix: 1–20 of [a-z0-9-], not starting or ending with -')
      .default('ragbench'),
    /** Control-plane URL (Pinecone Local, a test server); default https://api.pinecone.io. */
    controllerHost: z.url().optional(),
    /** …or the environment variable holding it. */
    controllerHostEnv: z.string().min(1).optional(),
    /** Per HTTP request. */
    timeoutMs: z.int().min(100).default(30_000),
    /** How long reads wait for upserts to show in describeIndexStats (Pinecone is eventually consistent). */
    consistencyTimeoutMs: z.int().min(0).default(120_000),
    pollIntervalMs: z.int().min(5).default(1_000),
    /** How long open() waits for a new serverless index to become ready. */
    readyTimeoutMs: z.int().min(0).default(300_000),
    /** After drop(), delete the Pinecone index when no namespace is left in it. */
    deleteEmptyIndex: z.boolean().default(false),
    /**
     * ANN recall (annRecall: in the eval) compares Pinecone's answers with exact search over the namespace's
     * vectors, read back into memory once per run; above this many records it is "not measured".
     */
    exactMaxRecords: z.int().min(0).default(defaultExactMaxRecords),
  })
  .refine((o) => !(o.controllerHost && o.controllerHostEnv), {
    message: 'choose controllerHost or controllerHostEnv, not both',
    path: ['controllerHost'],
  });

type PineconeOptions = z.output<typeof pineconeOptions>;

/**
 * Pinecone serverless (REST API 2026-07 through @pinecone-database/pinecone 9). Scores are converted to
 * "higher is closer": Pinecone's euclidean score is a squared distance and becomes −√score.
 */
export const pinecone = definePlugin({
  description: 'Pinecone serverless: a namespace per index in <indexPrefix>-<dims>-<metric>; key via apiKeyEnv',
  options: pineconeOptions,
  async create(options, context): Promise<VectorStore> {
    return createPineconeStore(options, context);
  },
});

async function createPineconeStore(options: PineconeOptions, context: PluginContext): Promise<VectorStore> {
  const { client, apiKey, origin } = await createPineconeClient(options, context);
  return new PineconeStore(client, options, { apiKey, origin });
}

/** The SDK client as every Pinecone reader and writer here uses it: explicit host, our timeouts, no SDK retries. */
export async function createPineconeClient(
  options: Pick<PineconeOptions, 'apiKeyEnv' | 'controllerHost' | 'controllerHostEnv' | 'timeoutMs'>,
  context: PluginContext,
) {
  const apiKey = context.env.secret(options.apiKeyEnv);
  const controllerHost = resolveControllerHost(options, context);
  const { Pinecone } = await import('@pinecone-database/pinecone');
  const timeoutMs = options.timeoutMs;
  const client = new Pinecone({
    apiKey,
    // Always explicit, so an ambient PINECONE_CONTROLLER_HOST never redirects requests behind the config's back.
    controllerHostUrl: controllerHost,
    // withRetry (managed-store) is the one retry policy; the SDK's would multiply attempts.
    maxRetries: 0,
    fetchApi: async (input, init) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      const response = await fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
      // With maxRetries 0 the SDK reports any 5xx as "max retries exceeded" and drops the status; keep it.
      if (response.status >= 500) throw serverStatusError(response.status);
      return response;
    },
  });
  return { client, apiKey, origin: new URL(controllerHost).origin };
}

function resolveControllerHost(options: Pick<PineconeOptions, 'controllerHost' | 'controllerHostEnv'>, context: PluginContext): string {
  if (options.controllerHost) return options.controllerHost;
  if (options.controllerHostEnv === undefined) return 'https://api.pinecone.io';
  const value = context.env.value(options.controllerHostEnv);
  if (value === undefined || !URL.canParse(value)) {
    throw new ConfigError(`environment variable ${options.controllerHostEnv} (pinecone controllerHostEnv) is ${value === undefined ? 'not set' : 'not a URL'}`, {
      fix: `export ${options.controllerHostEnv}=http://localhost:5080 (Pinecone Local) or https://api.pinecone.io`,
    });
  }
  return value;
}
