import { constants } from 'node:fs';
import { access, mkdir, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { ServiceError, UsageError } from '../errors.js';

/** Kernel pseudo file systems (statfs f_type): never a place for data. Recursive mkdir can loop forever in /proc. */
const pseudoFileSystems = new Map<number, string>([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x73636673, 'securityfs'],
]);
const pseudoRoots = ['/proc', '/sys', '/dev'];

/** Below this much free space a run would fail half-way; checked up front. */
const defaultMinFreeBytes = 64 * 1024 * 1024;

/**
 * Checks the work dir before anything is written to it, so an unusable one gives one line naming the flag and
 * the fix instead of a stack trace, a hang (recursive mkdir under /proc) or a half-written run: the path is not
 * under a kernel pseudo file system, it is a folder (or can be created as one), it is writable, and its file
 * system has at least `minFreeBytes` free. Creates the folder. Throws UsageError (exit 2), or ServiceError
 * (exit 3) for a full disk.
 */
export async function checkWorkDir(workDir: string, options: { readonly minFreeBytes?: number } = {}): Promise<string> {
  const dir = resolve(workDir);
  const flag = `--work-dir ${dir}`;
  const fix = 'pass --work-dir (or set RAGBENCH_DIR) to a writable folder, e.g. --work-dir .ragbench';
  if (pseudoRoots.some((root) => dir === root || dir.startsWith(root + sep))) {
    throw new UsageError(`${flag} is under ${pseudoRoots.find((root) => dir === root || dir.startsWith(root + sep))}, a kernel pseudo file system`, fix);
  }
  // The nearest existing ancestor decides whether the folder can be created (and where its space comes from).
  let existing = dir;
  let info = await stat(existing).catch(() => undefined);
  while (!info) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
    info = await stat(existing).catch(() => undefined);
  }
  if (!info) throw new UsageError(`${flag} cannot be created: no part of the path exists`, fix);
  if (!info.isDirectory()) {
    throw new UsageError(
      existing === dir ? `${flag} is a file, not a folder` : `${flag} cannot be created: ${existing} is a file, not a folder`,
      fix,
    );
  }
  const fs = await statfs(existing).catch(() => undefined);
  const pseudo = fs ? pseudoFileSystems.get(Number(fs.type)) : undefined;
  if (pseudo) throw new UsageError(`${flag} is on ${pseudo}, a kernel pseudo file system`, fix);
  try {
    await access(existing, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable';
    throw new UsageError(`${flag} ${existing === dir ? why : `cannot be created: ${existing} ${why}`}`, fix);
  }
  const minFree = options.minFreeBytes ?? defaultMinFreeBytes;
  if (fs && Number(fs.bavail) * Number(fs.bsize) < minFree) {
    const free = Number(fs.bavail) * Number(fs.bsize);
    throw new ServiceError('disk', `${flag}: only ${formatBytes(free)} free (ragbench needs at least ${formatBytes(minFree)})`, {
      fix: 'free some space or point --work-dir at another file system',
    });
  }
  try {
    await mkdir(dir, { recursive: true });
    // access() can pass where a write fails (ACLs, some network mounts): write and remove a probe.
    const probe = `${dir}${sep}.write-probe-${process.pid}`;
    await writeFile(probe, '');
    await unlink(probe);
  } catch (error) {
    throw new UsageError(`${flag} is not writable: ${(error as Error).message}`, fix);
  }
  return dir;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : `${bytes} bytes`;
}
