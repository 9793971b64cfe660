import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DataError, ServiceError, UsageError } from '../shared/errors.js';
import { writeJsonAtomic } from '../shared/files/write-atomic.js';
import { silentProgress, type Progress } from '../shared/progress.js';
import { catalog, catalogEntry, type CatalogEntry } from './catalog.js';
import type { ConvertSummary } from './converter-types.js';
import { converters } from './converters/registry.js';
import { checkDigest, fetchFile, type FetchedFile } from './fetch-file.js';
import { datasetDir, defaultMirror, pullCommand } from './location.js';

type EnvSource = Readonly<Record<string, string | undefined>>;

/** Written last into a pulled dataset's folder: what was pulled, from where, with which hashes. */
export interface DatasetManifest {
  readonly name: string;
  readonly converter: string;
  readonly pulledAt: string;
  readonly upstream: readonly FetchedFile[];
  /** SHA-256 of every converted file (relative path → hash), checked by `datasets verify`. */
  readonly converted: Readonly<Record<string, string>>;
  readonly summary: ConvertSummary;
}

export const manifestFile = 'dataset.json';

const notRedistributed: Readonly<Record<string, string>> = {
  'salad-lfqa-attribution':
    'SALAD has no stated licence, so ragbench does not redistribute or pull it; get it from its authors (timchen0618/LFQA-Verification)',
};

export function requireEntry(name: string): CatalogEntry {
  const entry = catalogEntry(name);
  if (entry) return entry;
  const reason = notRedistributed[name];
  if (reason) throw new UsageError(`dataset ${name}: ${reason}`);
  throw new UsageError(`unknown dataset ${name}`, `known datasets: ${catalog.map((e) => e.name).join(', ')} (see ragbench datasets list)`);
}

/** The manifest of a pulled dataset, or undefined when it is not (completely) present. */
export async function readManifest(name: string, env: EnvSource = process.env): Promise<DatasetManifest | undefined> {
  const text = await readFile(join(datasetDir(name, env), manifestFile), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as DatasetManifest);
}

export interface PullOptions {
  readonly mirror?: string;
  readonly force?: boolean;
  readonly env?: EnvSource;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  /** A catalog entry not in the built-in catalog (library users' own datasets, tests). */
  readonly entry?: CatalogEntry;
}

export interface PullResult {
  readonly name: string;
  readonly path: string;
  readonly status: 'pulled' | 'present';
  readonly manifest: DatasetManifest;
  /** Files accepted without a pinned checksum (their SHA-256 is now recorded). */
  readonly unpinned: readonly string[];
}

/**
 * Downloads (or copies from a mirror), checks and converts one dataset. Everything is built in a temporary
 * sibling folder and renamed into place at the end, so a half-pulled dataset never looks present and a failed
 * pull (checksum mismatch, broken download) leaves an existing copy untouched.
 */
export async function pullDataset(name: string, options: PullOptions = {}): Promise<PullResult> {
  const entry = options.entry ?? requireEntry(name);
  const env = options.env ?? process.env;
  const dir = datasetDir(name, env);
  const existing = await readManifest(name, env);
  if (existing && !options.force) return { name, path: dir, status: 'present', manifest: existing, unpinned: [] };
  const mirror = options.mirror ?? defaultMirror(env);
  const temp = `${dir}.partial-${process.pid}-${Date.now()}`;
  await mkdir(join(temp, 'raw'), { recursive: true });
  try {
    const upstream: FetchedFile[] = [];
    for (const file of entry.files) {
      upstream.push(
        await fetchFile(name, file, join(temp, 'raw', file.name), {
          progress: options.progress ?? silentProgress,
          ...(mirror !== undefined ? { mirror } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
    }
    const converter = converters[entry.converter];
    if (!converter) throw new DataError(`dataset ${name}: no converter named ${entry.converter}`);
    const summary = await converter(join(temp, 'raw'), temp);
    const manifest: DatasetManifest = {
      name,
      converter: entry.converter,
      pulledAt: new Date().toISOString(),
      upstream,
      converted: await hashConverted(temp),
      summary,
    };
    await writeJsonAtomic(join(temp, manifestFile), manifest);
    // Another process (a parallel test worker, a second terminal) may have finished the same pull meanwhile.
    const raced = options.force ? undefined : await readManifest(name, env);
    if (raced) {
      await rm(temp, { recursive: true, force: true });
      return { name, path: dir, status: 'present', manifest: raced, unpinned: [] };
    }
    await replaceFolder(temp, dir);
    const unpinned = entry.files.filter((f) => !f.sha256 && !f.md5).map((f) => f.name);
    return { name, path: dir, status: 'pulled', manifest, unpinned };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Pulls a dataset a corpus manifest names, unless it is already present; returns its folder. */
export async function ensureDataset(name: string, options: PullOptions = {}): Promise<string> {
  try {
    return (await pullDataset(name, { ...options, force: false })).path;
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    const command = pullCommand(name);
    throw new ServiceError('download', `dataset ${name} is not pulled yet and pulling it failed: ${error.message.replace(/^download: /, "")}`, {
      retryable: error.retryable,
      fix: `run \`${command}\` when online (or \`${command} --mirror DIR\` from a copy), then run again`,
      cause: error,
    });
  }
}

async function replaceFolder(temp: string, dir: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const old = `${dir}.old-${process.pid}-${Date.now()}`;
  const had = await stat(dir).catch(() => undefined);
  if (had) await rename(dir, old);
  await rename(temp, dir);
  if (had) await rm(old, { recursive: true, force: true });
}

async function hashConverted(root: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const file of await listFiles(root)) {
    const rel = relative(root, file);
    if (rel === manifestFile || rel.startsWith(`raw/`)) continue;
    hashes[rel] = await sha256File(file);
  }
  return hashes;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)])));
  return nested.flat().sort();
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

interface VerifyProblem {
  readonly file: string;
  readonly problem: string;
}

/**
 * Re-hashes a pulled dataset: upstream files against the catalog's pins (or the hash recorded at pull time
 * for unpinned files), converted files against the hashes recorded at pull time.
 */
export async function verifyDataset(name: string, env: EnvSource = process.env, entry = requireEntry(name)): Promise<VerifyProblem[]> {
  const dir = datasetDir(name, env);
  const manifest = await readManifest(name, env);
  if (!manifest) return [{ file: dir, problem: `not pulled (run: ragbench datasets pull ${name})` }];
  const problems: VerifyProblem[] = [];
  for (const file of entry.files) {
    const path = join(dir, 'raw', file.name);
    const recorded = manifest.upstream.find((u) => u.name === file.name);
    const exists = await stat(path).catch(() => undefined);
    if (!exists) {
      problems.push({ file: path, problem: 'missing' });
      continue;
    }
    const sha256 = await sha256File(path);
    const md5 = file.md5 ? await md5File(path) : '';
    try {
      checkDigest(name, file.sha256 || file.md5 ? file : { ...file, sha256: recorded?.sha256 ?? '' }, { sha256, md5, from: path });
    } catch (error) {
      problems.push({ file: path, problem: (error as Error).message });
    }
  }
  for (const [rel, expected] of Object.entries(manifest.converted)) {
    const path = join(dir, rel);
    const actual = await sha256File(path).catch(() => undefined);
    if (actual === undefined) problems.push({ file: path, problem: 'missing' });
    else if (actual !== expected) problems.push({ file: path, problem: `checksum mismatch: expected sha256 ${expected}, got ${actual}` });
  }
  return problems;
}

async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
