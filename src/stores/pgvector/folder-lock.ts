import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ServiceError } from '../../shared/errors.js';

/**
 * PGlite runs Postgres inside this process and takes no lock of its own: two processes on one data dir both
 * "succeed" and corrupt it. So the store takes `<dataDir>.lock` (O_EXCL create, holding our pid) and removes
 * it on close. A lock whose pid is no longer running is stale (a crashed run) and is taken over.
 * Returns the release function.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${dataDir}.lock`;
  await mkdir(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        await unlink(lockPath).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && isRunning(holder)) {
      const who = holder === process.pid ? 'another store in this process' : `process ${holder}`;
      throw new ServiceError('pglite', `data dir ${dataDir} is in use by ${who}`, {
        fix:
          'PGlite is single-process: let that run finish (or close that store), or set another dataDir; ' +
          `remove ${lockPath} only if no process uses the data dir`,
      });
    }
    await unlink(lockPath).catch(() => {});
  }
  throw new ServiceError('pglite', `could not lock data dir ${dataDir}`, {
    fix: `remove ${lockPath} if no process uses the data dir`,
  });
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
