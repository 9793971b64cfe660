import { RagbenchError, ServiceError } from '../../shared/errors.js';

/** What the error mapping needs to say where and with which key a call failed, never the key itself. */
interface PineconeErrorContext {
  readonly apiKeyEnv: string;
  readonly apiKey: string;
  /** `scheme://host:port` of the control plane, for messages. */
  readonly origin: string;
  readonly timeoutMs: number;
}

/** Thrown by our fetch wrapper for a 5xx, so the status survives the SDK's error wrapping (as a cause). */
export function serverStatusError(status: number): Error {
  return Object.assign(new Error(`HTTP ${status}`), { name: 'PineconeServerStatus', httpStatus: status });
}

/**
 * Maps `@pinecone-database/pinecone` errors (matched by name: the SDK is loaded lazily) to ServiceError:
 * retryable for 429, 5xx, timeouts and unreachable hosts; a rejected key names its env var, never the key.
 * The SDK's own retries are off (`maxRetries: 0`), so `withRetry` is the only policy and counts attempts.
 */
export function toPineconeError(error: unknown, context: PineconeErrorContext, what: string): unknown {
  if (error instanceof RagbenchError || !(error instanceof Error)) return error;
  const { origin, apiKeyEnv } = context;
  const message = redact(error.message, context.apiKey);
  if (hasCause(error, 'TimeoutError')) {
    return new ServiceError('pinecone', `${what} at ${origin} timed out after ${context.timeoutMs} ms`, {
      retryable: true,
      fix: 'raise timeoutMs, or check the network',
      cause: error,
    });
  }
  const serverStatus = findCause(error, 'PineconeServerStatus') as { httpStatus?: number } | undefined;
  if (serverStatus?.httpStatus !== undefined) {
    return new ServiceError('pinecone', `${what} at ${origin} failed with a server error (${serverStatus.httpStatus})`, {
      retryable: true,
      status: serverStatus.httpStatus,
      fix: 'the service failed; try again later',
      cause: error,
    });
  }
  switch (error.name) {
    case 'PineconeAuthorizationError':
      return new ServiceError('pinecone', `401 ${origin} rejected the API key in ${apiKeyEnv}`, {
        status: 401,
        fix: `check ${apiKeyEnv}: it must hold a valid key for this Pinecone project`,
      });
    case 'PineconeConnectionError': {
      const code = causeCode(error);
      return new ServiceError('pinecone', `cannot reach ${origin}${code ? ` (${code})` : ''} for ${what}`, {
        retryable: code !== 'ENOTFOUND',
        fix: 'check the network, controllerHost and that the service is up',
        cause: error,
      });
    }
    case 'PineconeNotFoundError':
      return new ServiceError('pinecone', `${what}: not found (404)`, { status: 404, cause: error });
    case 'PineconePaymentRequiredError':
      return new ServiceError('pinecone', `${what}: 402 payment required`, {
        status: 402,
        fix: 'check the plan and billing of the Pinecone project',
      });
  }
  const status = statusOf(error);
  const retryable = status === 429 || (status !== undefined && status >= 500);
  return new ServiceError('pinecone', `${what} failed${status ? ` (${status})` : ''}: ${firstSentence(message)}`, {
    retryable,
    ...(status === undefined ? {} : { status }),
    fix: status === 429 ? 'the project is rate-limited; lower concurrency or wait' : retryable ? 'the service failed; try again later' : 'see the message',
    cause: error,
  });
}

/** The SDK puts the HTTP status in its messages ("Status: 429.", "Status Code: 500."), not in a field. */
function statusOf(error: Error): number | undefined {
  if (error.name === 'PineconeInternalServerError') return Number(/Status Code: (\d{3})/.exec(error.message)?.[1] ?? 500);
  if (error.name === 'PineconeUnavailableError') return 503;
  if (error.name === 'PineconeBadRequestError') return 400;
  if (error.name === 'PineconeConflictError') return 409;
  const match = /Status: (\d{3})/.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

function firstSentence(message: string): string {
  const text = message.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function findCause(error: unknown, name: string): unknown {
  for (let current = error, depth = 0; current instanceof Object && depth < 6; depth++) {
    if ((current as { name?: unknown }).name === name) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function hasCause(error: unknown, name: string): boolean {
  return findCause(error, name) !== undefined;
}

function causeCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Object && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function redact(message: string, apiKey: string): string {
  return apiKey.length >= 4 ? message.split(apiKey).join('***') : message;
}
