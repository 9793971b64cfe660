import { existsSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, type Place } from '../shared/errors.js';

/** The top-level folders a name may point into; the eval file's `chunkers: [recursive-800]` → `chunkers/recursive-800.yaml`. */
type ConfigFolder = 'corpora' | 'chunkers' | 'retrievers' | 'evals';

/**
 * Resolves a reference written in `fromFile`. A value with a slash or a .yaml ending is a path relative to
 * that file; a bare name is looked up as `<folder>/<name>.yaml` next to the file's folder (the repository
 * layout), inside it, then under the working directory.
 */
export function resolveReference(reference: string, folder: ConfigFolder, fromFile: string, place: Place): string {
  const base = dirname(fromFile);
  if (isAbsolute(reference) || reference.includes('/') || /\.ya?ml$/.test(reference)) {
    const path = resolve(base, reference);
    if (!existsSync(path)) {
      throw new ConfigError(`${folder} reference "${reference}" not found (looked at ${path})`, {
        place,
        fix: 'paths in a YAML file are relative to that file',
      });
    }
    return path;
  }
  const candidates = [
    join(base, '..', folder, `${reference}.yaml`),
    join(base, folder, `${reference}.yaml`),
    join(process.cwd(), folder, `${reference}.yaml`),
  ].map((path) => resolve(path));
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new ConfigError(`no ${folder} config named "${reference}"`, {
      place,
      fix: `create ${folder}/${reference}.yaml or give a path (looked at ${[...new Set(candidates)].join(', ')})`,
    });
  }
  return found;
}

/** `recursive-800.yaml` → `recursive-800`. */
export function nameFromFile(path: string): string {
  return basename(path, extname(path));
}

