import { z } from 'zod';
import { ConfigError } from '../../shared/errors.js';
import { definePlugin, type PluginContext } from '../../shared/plugin.js';
import { defaultExactMaxRecords } from '../exact-copy.js';
import { toWeaviateError, type WeaviateErrorContext } from './errors.js';
import { WeaviateStore } from './store.js';
import type { VectorStore } from '../vector-store.js';

/** Where and how to connect, shared by the store and `kind: existing` collections (env var names, never values). */
export const weaviateConnectionOptions = {
  /** The environment variable holding the REST URL, e.g. http://localhost:8080 (endpoints stay out of config). */
  urlEnv: z.string().min(1).default('WEAVIATE_URL'),
  /** The environment variable holding the API key; unset means anonymous access (a local Weaviate). */
  apiKeyEnv: z.string().min(1).default('WEAVIATE_API_KEY'),
  /** gRPC endpoint: default the URL's host, port 50051, TLS when the URL is https… */
  grpcHost: z.string().min(1).optional(),
  grpcPort: z.int().min(1).max(65_535).default(50_051),
  grpcSecure: z.boolean().optional(),
  /** …or `host:port` from this environment variable, when it is set (a second port is an endpoint too). */
  grpcEnv: z.string().min(1).default('WEAVIATE_GRPC'),
  /** Per request (the client counts whole seconds). */
  timeoutMs: z.int().min(1000).default(60_000),
};

const weaviateOptions = z.strictObject({
  ...weaviateConnectionOptions,
  /** Collections are named `<collectionPrefix>_<index name>`; Weaviate wants a capital first letter. */
  collectionPrefix: z.string().regex(/^[A-Z][A-Za-z0-9]{0,23}$/, 'collectionPrefix: a capital letter, then letters and digits').default('Ragbench'),
  /** `flat` is Weaviate's brute-force index: exact search, the parity reference on this backend. */
  index: z.enum(['hnsw', 'flat']).default('hnsw'),
  /** Weaviate's defaults; ef -1 lets Weaviate pick it from the limit. */
  hnsw: z
    .strictObject({
      maxConnections: z.int().min(4).max(256).default(32),
      efConstruction: z.int().min(4).max(4096).default(128),
      ef: z.int().min(-1).max(4096).default(-1),
    })
    .prefault({}),
  /**
   * ANN recall (annRecall: in the eval) of an hnsw collection compares its answers with exact search over its
   * vectors, read back into memory once per run; above this many objects it is "not measured".
   */
  exactMaxRecords: z.int().min(0).default(defaultExactMaxRecords),
});

type WeaviateOptions = z.output<typeof weaviateOptions>;

/**
 * Weaviate (weaviate-client 3, REST for schema and gRPC for data): one collection per index with
 * self-provided vectors. Scores become "higher is closer": 1 − cosine distance, −(dot distance), and
 * −√(l2-squared distance) for euclidean.
 */
export const weaviate = definePlugin({
  description: 'Weaviate: a collection per index, vectors self-provided; URL and key via urlEnv / apiKeyEnv',
  options: weaviateOptions,
  async create(options, context): Promise<VectorStore> {
    return createWeaviateStore(options, context);
  },
});

async function createWeaviateStore(options: WeaviateOptions, context: PluginContext): Promise<VectorStore> {
  const { client, errorContext } = await connectWeaviate(options, context);
  return new WeaviateStore(client, options, errorContext);
}

/** A connected client (REST + gRPC) and the context its errors are reported with; shared by store and reader. */
export async function connectWeaviate(
  options: Pick<WeaviateOptions, 'urlEnv' | 'apiKeyEnv' | 'grpcHost' | 'grpcPort' | 'grpcSecure' | 'grpcEnv' | 'timeoutMs'>,
  context: PluginContext,
) {
  const url = parseUrl(options.urlEnv, context.env.secret(options.urlEnv));
  const apiKey = context.env.value(options.apiKeyEnv);
  const where = `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
  const errorContext: WeaviateErrorContext = {
    where,
    apiKeyEnv: options.apiKeyEnv,
    keySent: apiKey !== undefined,
    secrets: [apiKey ?? '', url.password].filter(Boolean),
  };
  const grpc = grpcEndpoint(options, context, url);
  const sdk = await import('weaviate-client');
  const secure = url.protocol === 'https:';
  const seconds = Math.ceil(options.timeoutMs / 1000);
  try {
    const client = await sdk.default.connectToCustom({
      httpHost: url.hostname,
      httpPort: Number(url.port || (secure ? 443 : 80)),
      httpSecure: secure,
      httpPath: url.pathname === '/' ? '' : url.pathname.replace(/\/$/, ''),
      grpcHost: grpc.host,
      grpcPort: grpc.port,
      grpcSecure: options.grpcSecure ?? secure,
      ...(apiKey === undefined ? {} : { authCredentials: new sdk.ApiKey(apiKey) }),
      timeout: { init: seconds, query: seconds, insert: seconds },
    });
    return { client, errorContext };
  } catch (error) {
    // The client wraps every start-up failure as "Weaviate failed to startup with message: …".
    throw toWeaviateError(error, errorContext, 'connect');
  }
}

function parseUrl(urlEnv: string, value: string): URL {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(`environment variable ${urlEnv} is not an http(s) URL`, {
      fix: `export ${urlEnv}=http://localhost:8080`,
    });
  }
  return new URL(value);
}

function grpcEndpoint(options: Pick<WeaviateOptions, 'grpcEnv' | 'grpcHost' | 'grpcPort'>, context: PluginContext, url: URL): { host: string; port: number } {
  const value = context.env.value(options.grpcEnv);
  if (value === undefined) return { host: options.grpcHost ?? url.hostname, port: options.grpcPort };
  const match = /^([^:\s]+):(\d{1,5})$/.exec(value);
  if (!match) {
    throw new ConfigError(`environment variable ${options.grpcEnv} must be host:port`, { fix: `export ${options.grpcEnv}=localhost:50051` });
  }
  return { host: match[1]!, port: Number(match[2]) };
}
