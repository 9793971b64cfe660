import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './errors.js';

/** A module from the user's project (their retriever file, an installed LangChain integration), and what it was. */
export interface UserModule {
  readonly exports: Record<string, unknown>;
  /** What the manifest records: the path relative to the project (or the package name), its hash or version. */
  readonly identity: { readonly module: string; readonly file?: string; readonly sha256?: string; readonly version?: string };
}

/**
 * Loads `specifier` the way the user's own code would: a path (`./retrieval.ts`, relative to `projectDir`) or a
 * package installed in the user's project (`@langchain/openai`), resolved from `projectDir`'s node_modules first,
 * then from ragbench's. The file is hashed (packages: their version), so a changed retriever shows in `compare`.
 */
export async function loadUserModule(specifier: string, projectDir = process.cwd()): Promise<UserModule> {
  const isPath = specifier.startsWith('.') || isAbsolute(specifier);
  let file: string | undefined;
  if (isPath) {
    file = resolve(projectDir, specifier);
  } else {
    for (const from of [join(projectDir, 'package.json'), import.meta.url]) {
      try {
        file = createRequire(from).resolve(specifier);
        break;
      } catch {
        // ESM-only packages do not resolve through require's conditions; import() below still finds them.
      }
    }
  }
  let exports: Record<string, unknown>;
  try {
    exports = (await import(file ? pathToFileURL(file).href : specifier)) as Record<string, unknown>;
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || (error as { code?: string }).code === 'MODULE_NOT_FOUND';
    throw new ConfigError(`cannot load module ${specifier}: ${(error as Error).message.split('\n')[0]}`, {
      fix: missing ? (isPath ? `check the path (relative to ${projectDir})` : `npm install ${specifier} in your project`) : 'fix the error in that module',
      cause: error,
    });
  }
  const identity: { module: string; file?: string; sha256?: string; version?: string } = { module: specifier };
  if (file && isPath) {
    identity.file = relative(projectDir, file) || file;
    identity.sha256 = createHash('sha256').update(await readFile(file)).digest('hex');
  } else if (file) {
    const version = await packageVersion(file, specifier);
    if (version) identity.version = version;
  }
  return { exports, identity };
}

/** One named export (`default` for the default export), or a ConfigError listing the ones there are. */
export function pickExport(module: UserModule, name: string): unknown {
  if (Object.hasOwn(module.exports, name) && module.exports[name] !== undefined) return module.exports[name];
  throw new ConfigError(`module ${module.identity.module} has no export ${JSON.stringify(name)}`, {
    fix: `use one of: ${Object.keys(module.exports).join(', ') || '(none)'}`,
  });
}

async function packageVersion(file: string, specifier: string): Promise<string | undefined> {
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const json = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (json.name === name) return json.version;
    } catch {
      // not a package root; keep walking up
    }
  }
  return undefined;
}
