import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src/shared/errors.js';
import { withRetry } from '../../../src/shared/retry.js';

const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, random: () => 0.5 };

describe('withRetry', () => {
  it('retries a retryable ServiceError and returns the later success', async () => {
    let calls = 0;
    const value = await withRetry(async () => {
      calls++;
      if (calls < 3) throw new ServiceError('svc', 'busy', { retryable: true, status: 429 });
      return 'ok';
    }, fast);
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after the attempt bound with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new ServiceError('svc', `fail ${calls}`, { retryable: true });
      }, fast),
    ).rejects.toThrow('svc: fail 3');
    expect(calls).toBe(3);
  });

  it('does not retry a non-retryable error', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new ServiceError('svc', 'unauthorised', { retryable: false, status: 401 });
      }, fast),
    ).rejects.toThrow('unauthorised');
    expect(calls).toBe(1);
  });
});
