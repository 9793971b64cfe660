import { describe, expect, it } from 'vitest';
import { createSemaphore } from '../../../src/shared/semaphore.js';

describe('semaphore', () => {
  it('hands slots over in arrival order and never exceeds the limit', async () => {
    const semaphore = createSemaphore(2);
    const order: number[] = [];
    const releases = await Promise.all([semaphore.acquire(), semaphore.acquire()]);
    const waiting = [3, 4].map((n) => semaphore.acquire().then((release) => (order.push(n), release)));
    expect(semaphore.inUse).toBe(2);
    releases[0]!();
    releases[0]!(); // a second release of the same slot is ignored
    const third = await waiting[0]!;
    expect(order).toEqual([3]);
    expect(semaphore.inUse).toBe(2);
    releases[1]!();
    (await waiting[1]!)();
    third();
    expect(semaphore.inUse).toBe(0);
  });

  it('drops a waiter whose signal aborts', async () => {
    const semaphore = createSemaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    release();
    expect(semaphore.inUse).toBe(0);
  });
});
