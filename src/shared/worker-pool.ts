import type { Worker } from 'node:worker_threads';

/**
 * CPU-bound work on worker threads. `run` resolves with the answer to its own input, whatever order the workers
 * finish in; each of the `size` workers holds at most `tasksPerWorker` tasks and the rest wait in the pool's queue,
 * bounded by the callers (each caller awaits its task). Workers start on first use and keep the process alive only
 * while they work; `close` ends them.
 *
 * The worker program (`source`, run with `eval`) posts `{ ready: true }` once loaded, then answers each
 * `{ id, input }` message with `{ id, output }` or `{ id, error }`; a worker that dies fails its tasks and is
 * replaced by the next `run`.
 */
export interface WorkerPool<Input, Output> {
  readonly size: number;
  /** Whether a worker has loaded (a caller may do small or first work itself until then: a start takes ~0.1 s). */
  readonly ready: boolean;
  /** Whether `close` was called (a closed pool runs nothing; make a new one). */
  readonly closed: boolean;
  /** Starts the workers now, so they load while the caller does other work. */
  start(): void;
  run(input: Input, signal?: AbortSignal): Promise<Output>;
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  /** The worker's program (CommonJS, evaluated): see WorkerPool for its message protocol. */
  readonly source: string;
  readonly workerData: unknown;
  readonly size: number;
  /** Names the pool in errors ("hashing embedder worker exited with code 1"). */
  readonly name: string;
  /**
   * Tasks posted to one worker at once (default 2): the next one already waits in the worker's own message queue
   * when it finishes one, so it does not sit idle until the main thread, busy chunking or writing, hands it more.
   */
  readonly tasksPerWorker?: number;
}

interface Task {
  readonly id: number;
  readonly input: unknown;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  /** Posted to the worker and not answered yet, in posting order (a worker answers its messages in order). */
  readonly running: Task[];
  loaded: boolean;
}

/** Every pool not yet closed, so the CLI can end them all when a command finishes (see closeWorkerPools). */
const openPools = new Set<WorkerPool<never, unknown>>();

/**
 * Ends every open pool's workers. The CLI calls it when a command returns or fails, so its process never waits on
 * a worker (an idle worker is unreferenced and does not hold a library caller's process either).
 */
export async function closeWorkerPools(): Promise<void> {
  await Promise.all([...openPools].map((pool) => pool.close()));
}

export function createWorkerPool<Input, Output>(options: WorkerPoolOptions): WorkerPool<Input, Output> {
  const slots: Slot[] = [];
  const waiting: Task[] = [];
  let nextId = 0;
  let closed = false;
  const perWorker = Math.max(1, options.tasksPerWorker ?? 2);
  let threads: Promise<typeof import('node:worker_threads')> | undefined;

  const fail = (slot: Slot, error: Error) => {
    const at = slots.indexOf(slot);
    if (at >= 0) slots.splice(at, 1);
    for (const task of slot.running.splice(0)) task.reject(error);
    void slot.worker.terminate();
    dispatch();
  };
  const start = (Worker: typeof import('node:worker_threads').Worker): Slot => {
    const worker = new Worker(options.source, { eval: true, workerData: options.workerData });
    const slot: Slot = { worker, running: [], loaded: false };
    worker.on('message', (message: { id: number; output?: unknown; error?: string; ready?: true }) => {
      if (message.ready) {
        slot.loaded = true;
        return;
      }
      const at = slot.running.findIndex((task) => task.id === message.id);
      if (at < 0) return;
      const [task] = slot.running.splice(at, 1) as [Task];
      if (slot.running.length === 0) worker.unref();
      if (message.error !== undefined) task.reject(new Error(`${options.name} worker: ${message.error}`));
      else task.resolve(message.output);
      dispatch();
    });
    worker.on('error', (error) => fail(slot, new Error(`${options.name} worker failed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (slots.includes(slot)) fail(slot, new Error(`${options.name} worker exited with code ${code}`));
    });
    // After the listeners: adding a 'message' listener to a Worker references its port again (Node's
    // setupPortReferencing), so an unref before it left an idle worker holding the process open for good.
    worker.unref();
    slots.push(slot);
    return slot;
  };
  const dispatch = () => {
    if (waiting.length === 0 || closed) return;
    void (threads ??= import('node:worker_threads')).then(({ Worker }) => {
      while (waiting.length > 0 && !closed) {
        // An idle worker first, then a new one, then a busy worker with room in its queue.
        const slot =
          slots.find((s) => s.running.length === 0) ??
          (slots.length < options.size ? start(Worker) : slots.find((s) => s.running.length < perWorker));
        if (slot === undefined) return;
        const task = waiting.shift()!;
        slot.running.push(task);
        // Referenced only while it works: an idle pool never keeps the process alive, a busy one does (a caller
        // awaiting its answer has nothing else holding the event loop open).
        slot.worker.ref();
        slot.worker.postMessage({ id: task.id, input: task.input });
      }
    });
  };

  const pool: WorkerPool<Input, Output> = {
    size: options.size,
    get closed() {
      return closed;
    },
    get ready() {
      return slots.some((slot) => slot.loaded);
    },
    start() {
      if (closed || slots.length >= options.size) return;
      void (threads ??= import('node:worker_threads')).then(({ Worker }) => {
        while (!closed && slots.length < options.size) start(Worker);
      });
    },
    run(input, signal) {
      signal?.throwIfAborted();
      if (closed) return Promise.reject(new Error(`${options.name} workers are closed`));
      return new Promise<Output>((resolve, reject) => {
        const onAbort = () => {
          const at = waiting.indexOf(task);
          if (at >= 0) waiting.splice(at, 1);
          // A task already running finishes on its worker; its answer is dropped.
          reject(signal!.reason as Error);
        };
        const task: Task = {
          id: nextId++,
          input,
          resolve: (output) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(output as Output);
          },
          reject: (error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(task);
        dispatch();
      });
    },
    async close() {
      closed = true;
      openPools.delete(pool as WorkerPool<never, unknown>);
      for (const task of waiting.splice(0)) task.reject(new Error(`${options.name} workers were closed`));
      const ending = slots.splice(0);
      for (const slot of ending) for (const task of slot.running.splice(0)) task.reject(new Error(`${options.name} workers were closed`));
      await Promise.all(ending.map((slot) => slot.worker.terminate()));
    },
  };
  openPools.add(pool as WorkerPool<never, unknown>);
  return pool;
}
