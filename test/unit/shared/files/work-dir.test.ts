import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abortOnInterrupt } from '../../../../src/cli/interrupt.js';
import { writeRunFolder } from '../../../../src/pipeline/run/results.js';
import { describeError, describeFileSystemError, exitCodes, ServiceError, UsageError } from '../../../../src/shared/errors.js';
import { checkWorkDir } from '../../../../src/shared/files/work-dir.js';
import type { RunSummary } from '../../../../src/report/run/summary.js';

/** Issue 11 #3: an unusable --work-dir is one line (exit 2/3) up front, never a hang, a stack or ENOENT. */
describe('work dir checks', () => {
  it.each([
    ['/proc/x', /--work-dir \/proc\/x is under \/proc, a kernel pseudo file system/],
    ['/proc/self/x/y', /is under \/proc/],
    ['/sys/x', /--work-dir \/sys\/x is under \/sys/],
  ])('refuses %s at once (UsageError, exit 2)', async (dir, message) => {
    const error = await checkWorkDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(message);
    expect(exitCodes[(error as UsageError).code]).toBe(2);
    expect((error as UsageError).fix).toContain('--work-dir');
  });

  it('refuses a file in place of the folder, or in its path', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rb-wd-'));
    const file = join(root, 'file');
    await writeFile(file, 'x');
    await expect(checkWorkDir(file)).rejects.toThrow(`--work-dir ${file} is a file, not a folder`);
    await expect(checkWorkDir(join(file, 'sub'))).rejects.toThrow(`cannot be created: ${file} is a file, not a folder`);
  });

  it('refuses a file system with too little free space (ServiceError, exit 3)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rb-wd-'));
    const error = await checkWorkDir(join(root, 'w'), { minFreeBytes: Number.MAX_SAFE_INTEGER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).message).toMatch(/only \d+ MB free \(ragbench needs at least/);
    expect(exitCodes[(error as ServiceError).code]).toBe(3);
  });

  it('creates a missing folder and leaves no probe behind', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rb-wd-'));
    const dir = await checkWorkDir(join(root, 'a', 'b'));
    expect(dir).toBe(join(root, 'a', 'b'));
    expect(await readdir(dir)).toEqual([]);
  });

  it('maps file system errors (read-only, full, permission) to one line and an exit code', () => {
    const error = (code: string) => Object.assign(new Error(`${code}: x`), { code, syscall: 'open', path: '/data/runs/x/manifest.json' });
    expect(describeFileSystemError(error('EROFS'))).toEqual({ message: 'cannot open /data/runs/x/manifest.json: read-only file system (EROFS)', exit: 2 });
    expect(describeFileSystemError(error('ENOSPC'))).toEqual({ message: 'cannot open /data/runs/x/manifest.json: no space left on the device (ENOSPC)', exit: 3 });
    expect(describeFileSystemError(error('EACCES'))?.exit).toBe(2);
    expect(describeFileSystemError(new Error('plain'))).toBeUndefined();
  });

  it('decodes what PGlite throws instead of printing [object Object]', () => {
    expect(describeError({ message: 'could not read block 3' })).toBe('could not read block 3');
    expect(describeError({ name: 'ExitStatus', status: 1 })).toBe('exited with status 1');
    expect(describeError({ severity: 'PANIC' })).toBe('{"severity":"PANIC"}');
    expect(describeError(new Error('x'))).toBe('x');
  });
});

describe('interrupts and partial run folders', () => {
  it('SIGTERM aborts the work in progress like SIGINT (exit 130 via AbortError)', () => {
    const interrupt = abortOnInterrupt();
    try {
      process.emit('SIGTERM');
      expect(interrupt.signal.aborted).toBe(true);
      expect((interrupt.signal.reason as DOMException).name).toBe('AbortError');
    } finally {
      interrupt.dispose();
    }
  });

  it('a failed run-folder write removes its .partial folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rb-wd-'));
    const files = {
      manifest: {},
      summary: {} as RunSummary,
      results: [],
      // An arm file name with a folder in it: writing it fails half-way (ENOENT), after manifest.json is written.
      runs: new Map([['missing/arm', new Map()]]),
      reportMarkdown: '',
    };
    await expect(writeRunFolder(join(root, 'runs', 'r1'), files)).rejects.toThrow(/ENOENT/);
    expect(await readdir(join(root, 'runs'))).toEqual([]);
  });
});
