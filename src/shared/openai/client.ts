import type OpenAI from 'openai';
import type { Env } from '../env.js';
import { ConfigError } from '../errors.js';
import { fetchUnderPolicy } from '../http/outbound.js';
import type { OpenAiErrorContext } from './errors.js';
import { redactUrl, splitUrlCredentials } from '../redact-url.js';
import type { RetryOptions } from '../retry.js';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** What an OpenAI-backed embedder or chat model is built with besides its options. */
export interface OpenAiDependencies {
  readonly env: Env;
  /** Backoff timing; tests shorten it. Attempts always come from `maxRetries`. */
  readonly retry?: Partial<Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>>;
}

/** The connection options every OpenAI-backed plug-in shares (embedders, chat models). */
interface OpenAiConnectionOptions {
  readonly model: string;
  readonly apiKeyEnv: string;
  readonly baseURL?: string | undefined;
  readonly baseURLEnv?: string | undefined;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

interface OpenAiConnection {
  readonly client: OpenAI;
  /**
   * The configured endpoint with user-info and credential-like query values redacted (part of fingerprints,
   * manifests, cache meta files), undefined for api.openai.com.
   */
  readonly baseURL: string | undefined;
  /** Everything `toServiceError` needs except the family's fixes. */
  readonly errorContext: Omit<OpenAiErrorContext, 'fixes'>;
}

/**
 * Creates an `openai` client (loaded lazily, so commands that never call OpenAI never pay for the import) with
 * the client's own retries off: `withRetry` is the only retry policy, so attempts and backoff are ours to count.
 * `label` names the plug-in in config errors ("the embedder", "the chat model").
 */
export async function connectOpenAi(options: OpenAiConnectionOptions, env: Env, label: string): Promise<OpenAiConnection> {
  const baseURL = resolveBaseURL(options, env, label);
  const fromEnv = env.value(options.apiKeyEnv);
  // A local server (Ollama) may need no key; the client still wants a non-empty one.
  const apiKey = fromEnv ?? (baseURL === undefined ? env.secret(options.apiKeyEnv) : 'unused');
  const sdk = await import('openai');
  // fetch refuses URLs with user-info, so `user:pass@` travels as a Basic Authorization header (which then
  // replaces the bearer key) and the query string as default query parameters of every request.
  const parts = splitUrlCredentials(baseURL ?? OPENAI_BASE_URL);
  // baseURL is always explicit so an ambient OPENAI_BASE_URL never redirects requests behind the config's back.
  const client = new sdk.OpenAI({
    apiKey,
    baseURL: parts.baseURL,
    ...(Object.keys(parts.query).length > 0 ? { defaultQuery: parts.query } : {}),
    ...(parts.basicAuth ? { defaultHeaders: { Authorization: parts.basicAuth } } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs,
    // Every request under ragbench's outbound policy: the key never follows a redirect to another origin, and
    // a response body is capped.
    fetch: (input, init) =>
      fetchUnderPolicy(typeof input === 'string' || input instanceof URL ? input : input.url, init ?? {}, {
        service: 'openai',
        maxResponseBytes: options.maxResponseBytes,
        maxResponseBytesSetting: `maxResponseBytes of ${label}`,
      }),
  });
  return {
    client,
    baseURL: baseURL === undefined ? undefined : redactUrl(baseURL),
    errorContext: {
      sdk,
      apiKeyEnv: options.apiKeyEnv,
      apiKey,
      keyFromEnv: fromEnv !== undefined,
      origin: new URL(baseURL ?? OPENAI_BASE_URL).origin,
      model: options.model,
      timeoutMs: options.timeoutMs,
    },
  };
}

function resolveBaseURL(options: OpenAiConnectionOptions, env: Env, label: string): string | undefined {
  if (options.baseURLEnv === undefined) return options.baseURL;
  const value = env.value(options.baseURLEnv);
  // Falling back to api.openai.com would send a local model's name (and maybe a key) to the wrong place.
  if (value === undefined) {
    throw new ConfigError(`environment variable ${options.baseURLEnv} (${label}'s baseURLEnv) is not set`, {
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
