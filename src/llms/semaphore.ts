/** At most `limit` holders at once; waiters are served first come, first served. */
interface Semaphore {
  /** Resolves with a release function once a slot is free; rejects with the signal's reason if aborted first. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  readonly inUse: number;
}

export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
  let inUse = 0;
  const waiters: (() => void)[] = [];

  function releaser(): () => void {
    let released = false;
    // Idempotent, so a double release in a finally block cannot free a slot someone else holds.
    return () => {
      if (released) return;
      released = true;
      const next = waiters.shift();
      if (next) next();
      else inUse--;
    };
  }

  return {
    get inUse() {
      return inUse;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (inUse < limit) {
        inUse++;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        // The slot is handed over directly (inUse unchanged), so a late arrival cannot overtake a waiter.
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(releaser());
        };
        const onAbort = () => {
          const index = waiters.indexOf(grant);
          if (index >= 0) waiters.splice(index, 1);
          reject(signal?.reason);
        };
        waiters.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
