import { z } from 'zod';
import { ConfigError, DimensionError, ServiceError } from '../shared/errors.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin, type PluginContext } from '../shared/plugin.js';
import { loadUserModule, pickExport } from '../shared/user-module.js';
import type { Embedder, EmbedRole } from './embedder.js';

const options = z.strictObject({
  /** The package (installed in your project) or file exporting the Embeddings class, e.g. `@langchain/openai`. */
  module: z.string().min(1),
  /** The class, e.g. `OpenAIEmbeddings`, `OllamaEmbeddings`. */
  export: z.string().min(1),
  /** Constructor options as LangChain documents them (model, dimensions, baseUrl…); recorded in the manifest. */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Constructor options whose values are secrets: option name → environment variable NAME (`apiKey: OPENAI_API_KEY`). */
  secretOptions: z.record(z.string(), z.string().min(1)).default({}),
  /** Vector length; when left out, one probe text is embedded at start-up to learn it. */
  dimensions: z.int().positive().optional(),
  /** Texts per embedDocuments call (the class may batch further itself). */
  batchSize: z.int().min(1).max(2048).default(64),
});

/** LangChain's two-method interface (`@langchain/core/embeddings`). */
interface LangChainEmbeddings {
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}

/**
 * Any LangChain.js Embeddings class from the user's project, so an index built with it can be queried with the
 * same model (and ragbench's own indexes can use it). Cached on disk like every embedder when the retriever
 * caches (the fingerprint holds module, class, version and options, never the secret values).
 */
export const langchain = definePlugin({
  description: 'a LangChain.js Embeddings class from your project (module + export + constructor options)',
  options,
  async create(o, context: PluginContext): Promise<Embedder> {
    const loaded = await loadUserModule(o.module);
    const Class = pickExport(loaded, o.export);
    if (typeof Class !== 'function') throw new ConfigError(`export ${o.export} of ${o.module} is not a class`, { fix: 'name an Embeddings class, e.g. OpenAIEmbeddings' });
    const secrets = Object.fromEntries(Object.entries(o.secretOptions).map(([name, env]) => [name, context.env.secret(env)]));
    let instance: LangChainEmbeddings;
    try {
      instance = new (Class as new (fields: unknown) => LangChainEmbeddings)({ ...o.options, ...secrets });
    } catch (error) {
      throw new ConfigError(`${o.export} from ${o.module} rejected its options: ${scrub((error as Error).message, Object.values(secrets))}`, { fix: 'check options against the class’s documentation' });
    }
    if (typeof instance.embedDocuments !== 'function' || typeof instance.embedQuery !== 'function') {
      throw new ConfigError(`${o.export} from ${o.module} has no embedDocuments/embedQuery`, { fix: 'name a LangChain Embeddings class' });
    }
    const call = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        throw new ServiceError(`langchain ${o.export}`, `${what} failed: ${scrub((error as Error).message ?? String(error), Object.values(secrets))}`, { cause: error });
      }
    };
    const dimensions = o.dimensions ?? (await call('probe embedding', () => instance.embedQuery('dimension probe'))).length;
    const identity = { ...loaded.identity, export: o.export, options: o.options, secretOptions: o.secretOptions, dimensions };
    return {
      fingerprint: fingerprintOf('langchain', identity),
      dimensions,
      maxBatchSize: o.batchSize,
      async embed(texts: readonly string[], role: EmbedRole, signal?: AbortSignal): Promise<Float32Array[]> {
        signal?.throwIfAborted();
        const vectors =
          role === 'query'
            ? await Promise.all(texts.map((text) => call('embedQuery', () => instance.embedQuery(text))))
            : await call('embedDocuments', () => instance.embedDocuments([...texts]));
        if (vectors.length !== texts.length) throw new ServiceError(`langchain ${o.export}`, `returned ${vectors.length} vectors for ${texts.length} texts`);
        return vectors.map((vector, i) => {
          if (vector.length !== dimensions) {
            throw new DimensionError(`${o.export} returned ${vector.length} dimensions for text ${i}, expected ${dimensions}`, 'set dimensions: to what the model returns');
          }
          return Float32Array.from(vector);
        });
      },
    };
  },
});

function scrub(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) if (secret.length > 0) clean = clean.replaceAll(secret, '***');
  return clean;
}
