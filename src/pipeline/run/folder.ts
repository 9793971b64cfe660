import { existsSync } from 'node:fs';
import { isDirectory } from '../../shared/files/is-directory.js';
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { gateSchema } from '../../config/eval-config.js';
import { DataError, UsageError } from '../../shared/errors.js';
import type { QueryResult } from './results.js';

/**
 * The parts of a run folder's manifest.json that comparing runs reads. Loose objects: a newer ragbench may add
 * fields, and everything else is diffed generically.
 */
const manifestSchema = z.looseObject({
  runId: z.string(),
  createdAt: z.string().default(''),
  versions: z.record(z.string(), z.unknown()).default({}),
  eval: z.looseObject({ name: z.string().optional(), metrics: z.array(z.string()).default([]), gate: gateSchema.optional() }).default({ metrics: [] }),
  corpus: z.record(z.string(), z.unknown()).default({}),
  arms: z.array(z.looseObject({ arm: z.string() })).default([]),
});
export type RunManifest = z.output<typeof manifestSchema>;

const resultSchema = z.looseObject({
  arm: z.string(),
  queryId: z.string(),
  metrics: z.record(z.string(), z.number()),
  top: z.array(z.looseObject({ docId: z.string(), score: z.number() })).default([]),
  relevantRanks: z.record(z.string(), z.number().int().positive()).optional(),
});

export interface RunFolder {
  readonly dir: string;
  readonly manifest: RunManifest;
  readonly results: readonly QueryResult[];
}

/** Reads manifest.json and results.jsonl of a finished run. Throws DataError (with file:line) on malformed files. */
export async function readRunFolder(dir: string): Promise<RunFolder> {
  const manifestFile = join(dir, 'manifest.json');
  const manifest = parseJson(await readText(manifestFile), { file: manifestFile }, manifestSchema);
  const resultsFile = join(dir, 'results.jsonl');
  const results = (await readText(resultsFile))
    .split('\n')
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, index }) => parseJson(line, { file: resultsFile, line: index + 1 }, resultSchema) as QueryResult);
  return { dir, manifest, results };
}

/**
 * A run reference as users write it: a path to a run folder, a run id under `<workDir>/runs/`, or `latest` (the
 * most recent finished run by its manifest's createdAt, then by name; `exclude` skips a folder, so `latest` after
 * a run still means the previous one). Throws UsageError when nothing matches.
 */
export async function resolveRunDir(reference: string, workDir: string, options: { exclude?: string } = {}): Promise<string> {
  const runsDir = resolve(workDir, 'runs');
  if (reference === 'latest') {
    const latest = await latestRun(runsDir, options.exclude ? resolve(options.exclude) : undefined);
    if (!latest) throw new UsageError(`no finished run under ${runsDir} to use as "latest"`, 'run `ragbench run <eval.yaml>` first, or pass a run folder');
    return latest;
  }
  for (const candidate of [resolve(reference), join(runsDir, reference)]) {
    if (isDirectory(candidate)) {
      if (!existsSync(join(candidate, 'manifest.json'))) {
        throw new UsageError(`${candidate} is not a run folder (no manifest.json)`, 'pass a folder written by `ragbench run`');
      }
      return candidate;
    }
  }
  throw new UsageError(
    `no run "${reference}": neither a folder nor a run id under ${runsDir}`,
    `pass a run folder path, a run id from ${runsDir}, or latest`,
  );
}

async function latestRun(runsDir: string, exclude: string | undefined): Promise<string | undefined> {
  if (!isDirectory(runsDir)) return undefined;
  const runs: { dir: string; createdAt: string; name: string }[] = [];
  for (const name of await readdir(runsDir)) {
    const dir = join(runsDir, name);
    if (name.endsWith('.partial') || dir === exclude || !existsSync(join(dir, 'manifest.json'))) continue;
    const manifest = parseJson(await readText(join(dir, 'manifest.json')), { file: join(dir, 'manifest.json') }, manifestSchema);
    runs.push({ dir, createdAt: manifest.createdAt, name });
  }
  runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  return runs.at(-1)?.dir;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new DataError(`cannot read ${file}: ${(error as Error).message}`, {
      place: { file },
      fix: 'pass a complete run folder written by `ragbench run`',
      cause: error,
    });
  }
}

function parseJson<T extends z.ZodType>(text: string, place: { file: string; line?: number }, schema: T): z.output<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataError(`invalid JSON: ${(error as Error).message}`, { place, fix: 'the run folder is damaged; run the eval again', cause: error });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DataError(`${issue.path.join('.') || 'value'}: ${issue.message}`, { place, fix: 'the run folder is damaged or from an incompatible ragbench' });
  }
  return parsed.data;
}

