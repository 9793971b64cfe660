import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerPool, type WorkerPool } from '../../../src/shared/worker-pool.js';

/** Echoes after `wait` ms busy-waiting; `fail` answers with an error, `crash` exits the worker. */
const source = `
const { parentPort } = require('node:worker_threads');
parentPort.postMessage({ ready: true });
parentPort.on('message', ({ id, input }) => {
  if (input.crash) process.exit(3);
  const until = Date.now() + input.wait;
  while (Date.now() < until) {}
  if (input.fail) parentPort.postMessage({ id, error: 'asked to fail' });
  else parentPort.postMessage({ id, output: { value: input.value, thread: require('node:worker_threads').threadId } });
});
`;

type Input = { value?: number; wait: number; fail?: boolean; crash?: boolean };
type Output = { value: number; thread: number };

describe('worker pool', () => {
  let pool: WorkerPool<Input, Output> | undefined;
  afterEach(async () => {
    await pool?.close();
  });

  it('answers each task with its own output whatever order the workers finish in, on at most `size` threads', async () => {
    pool = createWorkerPool<Input, Output>({ source, workerData: null, size: 2, name: 'test' });
    const waits = [60, 5, 40, 1, 20, 0, 30, 2];
    const outputs = await Promise.all(waits.map((wait, value) => pool!.run({ value, wait })));
    expect(outputs.map((o) => o.value)).toEqual(waits.map((_, i) => i));
    expect(new Set(outputs.map((o) => o.thread)).size).toBe(2);
    expect(pool.ready).toBe(true);
  });

  it('posts a worker its next task while it works, so it starts that one without waiting for a busy main thread', async () => {
    const timed = `
const { parentPort } = require('node:worker_threads');
parentPort.postMessage({ ready: true });
parentPort.on('message', ({ id, input }) => {
  const started = Date.now();
  while (Date.now() < started + input.wait) {}
  parentPort.postMessage({ id, output: { started } });
});
`;
    for (const tasksPerWorker of [2, 1]) {
      const queued = createWorkerPool<{ wait: number }, { started: number }>({ source: timed, workerData: null, size: 1, name: 'test', tasksPerWorker });
      await queued.run({ wait: 0 }); // loaded
      const first = queued.run({ wait: 50 });
      const second = queued.run({ wait: 0 });
      // The main thread is busy for 300 ms after posting: a worker that must wait for it to hand over the second
      // task starts it after that; one that already holds it starts it as soon as the first is done.
      await new Promise((resolve) => setImmediate(resolve));
      const busyUntil = Date.now() + 300;
      while (Date.now() < busyUntil) {}
      const [, { started }] = await Promise.all([first, second]);
      if (tasksPerWorker === 2) expect(started).toBeLessThan(busyUntil);
      else expect(started).toBeGreaterThanOrEqual(busyUntil);
      await queued.close();
    }
  });

  it("fails only the task whose worker answered with an error, naming the pool; a dead worker's task fails and the next run gets a new worker", async () => {
    pool = createWorkerPool<Input, Output>({ source, workerData: null, size: 1, name: 'hashing embedder' });
    await expect(pool.run({ wait: 0, fail: true })).rejects.toThrow('hashing embedder worker: asked to fail');
    expect((await pool.run({ value: 7, wait: 0 })).value).toBe(7);
    await expect(pool.run({ wait: 0, crash: true })).rejects.toThrow(/hashing embedder worker exited with code 3/);
    expect((await pool.run({ value: 8, wait: 0 })).value).toBe(8);
  });

  it('rejects a waiting task on abort and every task after close', async () => {
    pool = createWorkerPool<Input, Output>({ source, workerData: null, size: 1, name: 'test' });
    const controller = new AbortController();
    const busy = pool.run({ value: 1, wait: 100 });
    const waiting = pool.run({ value: 2, wait: 0 }, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect((await busy).value).toBe(1);
    await pool.close();
    await expect(pool.run({ value: 3, wait: 0 })).rejects.toThrow(/closed/);
  });

  it('never holds the process open when idle: started but unused, or after its tasks, the process exits by itself', async () => {
    // A child process that uses the pool and returns without closing it (what a library caller does); it must end.
    // A file, not `-e --input-type=module`: workers inherit that flag and would read their CommonJS source as ESM.
    const dir = await mkdtemp(join(tmpdir(), 'rb-pool-'));
    let n = 0;
    const exitsAlone = async (body: string) => {
      const file = join(dir, `program-${n++}.mjs`);
      const program = `import { createWorkerPool } from ${JSON.stringify(new URL('../../../src/shared/worker-pool.ts', import.meta.url).href)};
const pool = createWorkerPool({ source: ${JSON.stringify(source)}, workerData: null, size: 2, name: 'idle' });
${body}`;
      await writeFile(file, program);
      return new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [file], { stdio: 'ignore' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.on('close', (code) => (clearTimeout(timer), resolve(code)));
      });
    };
    // Started (workers loading, then loaded and idle): before the fix a worker's port stayed referenced here.
    expect(await exitsAlone('pool.start(); await new Promise((r) => setTimeout(r, 500));')).toBe(0);
    // After answering tasks, one of them aborted while it ran.
    expect(
      await exitsAlone(`const c = new AbortController(); const a = pool.run({ value: 1, wait: 200 }, c.signal).catch(() => 0);
setTimeout(() => c.abort(new Error('stop')), 50); await a; await pool.run({ value: 2, wait: 1 });`),
    ).toBe(0);
  }, 40_000);
});
