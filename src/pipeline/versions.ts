import { readFileSync } from 'node:fs';

interface PackageJson {
  readonly version: string;
  readonly dependencies?: Record<string, string>;
}

/** ragbench's version and its pinned dependencies, for run manifests (what produced these numbers). */
export function versions(): { ragbench: string; node: string; dependencies: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageJson;
  return { ragbench: pkg.version, node: process.versions.node, dependencies: { ...pkg.dependencies } };
}
