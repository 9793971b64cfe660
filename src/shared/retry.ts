import { ServiceError } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly signal?: AbortSignal;
  /** For tests: replaces the random jitter source. */
  readonly random?: () => number;
}

export const defaultRetry: RetryOptions = { attempts: 5, baseDelayMs: 500, maxDelayMs: 20_000 };

/**
 * Retries `operation` while it throws a retryable ServiceError: exponential backoff with full jitter
 * (AWS architecture blog, "Exponential Backoff And Jitter"), bounded in attempts.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = defaultRetry): Promise<T> {
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const retryable = error instanceof ServiceError && error.retryable;
      if (!retryable || attempt >= options.attempts || options.signal?.aborted) throw error;
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.round(random() * cap), options.signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
