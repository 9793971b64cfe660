import { RagbenchError, ServiceError } from '../../shared/errors.js';

export interface WeaviateErrorContext {
  /** `http(s)://host:port` from the URL env var, for messages. */
  readonly where: string;
  readonly apiKeyEnv: string;
  /** False when no key was sent (anonymous access). */
  readonly keySent: boolean;
  readonly secrets: readonly string[];
}

/** gRPC status names (nice-grpc puts them in messages: "/weaviate.v1.Weaviate/Search UNAVAILABLE: …"). */
const retryableGrpc = /\b(UNAVAILABLE|RESOURCE_EXHAUSTED|DEADLINE_EXCEEDED|ABORTED|INTERNAL)\b/;
const authGrpc = /\b(UNAUTHENTICATED|PERMISSION_DENIED)\b/;

/**
 * Maps weaviate-client errors (matched by name: the client is loaded lazily) to ServiceError: retryable for
 * HTTP 429/5xx, retryable gRPC statuses, timeouts and connection failures; a rejected key names its env var.
 */
export function toWeaviateError(error: unknown, context: WeaviateErrorContext, what: string): unknown {
  if (error instanceof RagbenchError || !(error instanceof Error)) return error;
  let message = error.message.replace(/\s+/g, ' ').trim();
  for (const secret of context.secrets) if (secret.length >= 4) message = message.split(secret).join('***');
  const status = statusOf(error, message);
  if (status === 401 || status === 403 || authGrpc.test(message) || error.name === 'WeaviateUnauthenticatedError') {
    return keyRejected(status ?? 401, context);
  }
  if (error.name === 'WeaviateRequestTimeoutError') {
    return new ServiceError('weaviate', `${what} at ${context.where} ${message}`, { retryable: true, fix: 'raise timeoutMs', cause: error });
  }
  const unreachable = /fetch failed|ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|socket hang up|No connection established/i.test(message);
  if (unreachable || error.name === 'WeaviateGRPCUnavailableError') {
    return new ServiceError('weaviate', `cannot reach ${context.where} for ${what}`, {
      retryable: !/ENOTFOUND/.test(message),
      fix: 'check that Weaviate is running, the URL env var and grpcPort',
      cause: error,
    });
  }
  const retryable = status === 429 || (status !== undefined && status >= 500) || retryableGrpc.test(message);
  const short = message.length > 240 ? `${message.slice(0, 240)}…` : message;
  return new ServiceError('weaviate', `${what} failed${status ? ` (${status})` : ''}: ${short}`, {
    retryable,
    ...(status === undefined ? {} : { status }),
    fix: retryable ? 'the service is overloaded or failed; try again later' : 'see the message',
    cause: error,
  });
}

function keyRejected(status: number, context: WeaviateErrorContext): ServiceError {
  if (!context.keySent) {
    return new ServiceError('weaviate', `${status} ${context.where} requires an API key and ${context.apiKeyEnv} is not set`, {
      status,
      fix: `export ${context.apiKeyEnv}=… with a key for this Weaviate, or set apiKeyEnv to the variable that holds it`,
    });
  }
  return new ServiceError('weaviate', `${status} ${context.where} rejected the API key in ${context.apiKeyEnv}`, {
    status,
    fix: `check ${context.apiKeyEnv}: it must hold a valid key for this Weaviate`,
  });
}

function statusOf(error: Error, message: string): number | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && code >= 100 && code < 600) return code;
  if (/\bUnauthenticated\b/.test(message)) return 401;
  const match = /\b(?:status code|code|status)"?[:\s]+(\d{3})\b/i.exec(message);
  return match ? Number(match[1]) : undefined;
}
