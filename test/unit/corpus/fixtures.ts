import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { DataError } from '../../../src/shared/errors.js';

/** A fresh temp folder per test, removed afterwards; `files` maps relative paths to contents. */
export function useTempDirs(): (files?: Record<string, string>) => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (files = {}) => {
    const dir = await mkdtemp(join(tmpdir(), 'ragbench-corpus-'));
    made.push(dir);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return dir;
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The DataError a promise rejects with (fails the test if it resolves or throws something else). */
export async function dataErrorOf(work: Promise<unknown>): Promise<DataError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof DataError) return error;
    throw error;
  }
  throw new Error('expected a DataError, but the work succeeded');
}
