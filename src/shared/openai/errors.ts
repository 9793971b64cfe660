import { RagbenchError, ServiceError } from '../errors.js';

/** What the error mapping needs to know about the client that failed; built once per client. */
export interface OpenAiErrorContext {
  readonly sdk: typeof import('openai');
  /** The env var the key comes from: named in messages, the value never is. */
  readonly apiKeyEnv: string;
  /** The key sent (redacted from server messages); 'unused' when a local server needs none. */
  readonly apiKey: string;
  /** False when no key was found and a placeholder was sent (a local server given by baseURL). */
  readonly keyFromEnv: boolean;
  /** `scheme://host:port` of the endpoint, for messages. */
  readonly origin: string;
  readonly model: string;
  readonly timeoutMs: number;
  /** Family-specific fixes (embedders talk of maxBatchSize, chat models of maxTokens). */
  readonly fixes: {
    readonly timeout: string;
    readonly rateLimit: string;
    readonly badRequest: string;
  };
}

/**
 * Maps `openai` client errors to ServiceError: retryable for 408/409/429/5xx, timeouts and connection errors;
 * 401/403 name the key's env var and never the key. An abort by the caller passes through as its reason.
 */
export function toServiceError(error: unknown, context: OpenAiErrorContext, signal?: AbortSignal): unknown {
  const { sdk, origin, fixes } = context;
  if (error instanceof RagbenchError) return error;
  // The outbound policy's refusals (a redirect to another origin, a body over maxResponseBytes) arrive wrapped.
  const policy = ragbenchCause(error);
  if (policy) return policy;
  if (error instanceof sdk.APIUserAbortError) return signal?.reason ?? error;
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return new ServiceError('openai', `request to ${origin} timed out after ${context.timeoutMs} ms`, {
      retryable: true,
      fix: fixes.timeout,
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
    if (status === 401 || status === 403) return keyRejected(status, error.code, context);
    const detail = redact(error.message, context.apiKey);
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const fix =
      status === 429
        ? fixes.rateLimit
        : status === 404
          ? `check the model name (${context.model}) and baseURL`
          : retryable
            ? 'the server failed; try again later'
            : fixes.badRequest;
    return new ServiceError('openai', detail, { status, retryable, fix });
  }
  return error;
}

function keyRejected(status: number, code: unknown, context: OpenAiErrorContext): ServiceError {
  // The server's text may quote part of the key, so only our own words are used.
  const suffix = typeof code === 'string' ? ` (${code})` : '';
  const { origin, apiKeyEnv } = context;
  if (!context.keyFromEnv) {
    return new ServiceError('openai', `${status} ${origin} requires an API key and ${apiKeyEnv} is not set${suffix}`, {
      status,
      fix: `export ${apiKeyEnv}=… with a key for this server, or set apiKeyEnv to the variable that holds it`,
    });
  }
  return new ServiceError('openai', `${status} ${origin} rejected the API key in ${apiKeyEnv}${suffix}`, {
    status,
    fix: `check ${apiKeyEnv}: it must hold a valid key for this server`,
  });
}

function causeCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Object && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Removes the key and anything shaped like an OpenAI key from server text before it reaches a message. */
export function redact(message: string, apiKey: string): string {
  const withoutKey = apiKey.length >= 4 ? message.split(apiKey).join('***') : message;
  return withoutKey.replace(/sk-[\w*-]{4,}/g, 'sk-***');
}

function ragbenchCause(error: unknown): RagbenchError | undefined {
  for (let cause = (error as { cause?: unknown })?.cause, depth = 0; cause !== undefined && depth < 5; cause = (cause as { cause?: unknown })?.cause, depth++) {
    if (cause instanceof RagbenchError) return cause;
  }
  return undefined;
}
