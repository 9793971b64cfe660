import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

type EnvSource = Readonly<Record<string, string | undefined>>;

/**
 * Where pulled datasets live: `RAGBENCH_DATASETS`, else `$XDG_CACHE_HOME/ragbench/datasets`, else
 * `~/.cache/ragbench/datasets` (XDG says a relative XDG_CACHE_HOME is invalid and must be ignored).
 */
export function datasetsHome(env: EnvSource = process.env): string {
  const explicit = env.RAGBENCH_DATASETS;
  if (explicit) return resolve(explicit);
  const xdg = env.XDG_CACHE_HOME;
  const cache = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(cache, 'ragbench', 'datasets');
}

/** The converted folder of one dataset (`beir/scifact` → `<home>/beir/scifact`). */
export function datasetDir(name: string, env: EnvSource = process.env): string {
  return join(datasetsHome(env), ...name.split('/'));
}

/** The default mirror for pulls (`--mirror` wins): lets CI and air-gapped machines auto-pull from a folder or URL. */
export function defaultMirror(env: EnvSource = process.env): string | undefined {
  return env.RAGBENCH_DATASETS_MIRROR || undefined;
}

/** The exact command a user runs to get a dataset, quoted in errors. */
export function pullCommand(name: string): string {
  return `ragbench datasets pull ${name}`;
}
