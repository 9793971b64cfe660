import { z } from 'zod';
import type { Query } from '../corpus/types.js';
import { mapConcurrent } from '../shared/batches.js';
import { ConfigError, ServiceError } from '../shared/errors.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import { loadUserModule, pickExport, type UserModule } from '../shared/user-module.js';
import type { Approximation } from '../stores/vector-store.js';
import { ExternalRetriever, type ExternalHit, type ExternalSource } from './external.js';
import { hitFieldsSchema, toExternalHit, type HitFields } from './hit-mapping.js';

const options = z.strictObject({
  /** Your module: a path (`./src/retrieval.ts`, relative to the working directory) or an installed package. */
  module: z.string().min(1),
  /** The export to use; `default` for the default export. */
  export: z.string().min(1).default('default'),
  /**
   * What the export is. auto: an object with invoke() is a LangChain retriever (BaseRetriever, any Runnable that
   * returns documents), an object with retrieve() is used as is, a class is constructed with `options`, a function
   * named in `export: retrieve` is `retrieve(query, k)`, any other function is a factory called with `options`.
   */
  as: z.enum(['auto', 'retriever', 'factory', 'class', 'retrieve']).default('auto'),
  /** Passed to a factory or class. */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Where each returned item keeps the document id (and text, score, offsets). Default: LangChain documents
   * (`metadata.docId`, `pageContent`) or plain items (`id`, `text`, `score`). */
  fields: hitFieldsSchema.optional(),
  concurrency: z.int().min(1).max(64).default(4),
});

type ModuleOptions = z.output<typeof options>;

interface RetrieveFn {
  (query: string, k: number): unknown;
}

/** Your retrieval chain as it is (multi-query, re-rankers, hybrid): a LangChain retriever or a retrieve(query, k). */
export const module = definePlugin({
  description: 'your JS/TS module: a LangChain BaseRetriever (or factory) or a plain retrieve(query, k)',
  options,
  async create(o) {
    const loaded = await loadUserModule(o.module);
    const { call, langchain } = await bind(loaded, o);
    const fields = o.fields ?? (langchain ? { docId: 'metadata.docId', text: 'pageContent' } : { docId: 'id', text: 'text', score: 'score' });
    const fingerprint = fingerprintOf('module', { ...loaded.identity, export: o.export, as: o.as, options: o.options, fields });
    return new ExternalRetriever(fingerprint, new ModuleSource(call, fields, o, loaded));
  },
});

/** Turns the export into one `(query, k) → items` call, and says whether it speaks LangChain documents. */
async function bind(loaded: UserModule, o: ModuleOptions): Promise<{ call: RetrieveFn; langchain: boolean }> {
  const value = pickExport(loaded, o.export);
  const as = o.as === 'auto' ? detect(value, o.export) : o.as;
  if (as === 'retrieve') {
    if (typeof value !== 'function') throw notA(loaded, o, 'function retrieve(query, k)');
    return { call: value as RetrieveFn, langchain: false };
  }
  let instance: unknown = value;
  if (as === 'class') instance = new (value as new (options: unknown) => unknown)(o.options);
  if (as === 'factory') instance = await (value as (options: unknown) => unknown)(o.options);
  const object = instance as { invoke?: unknown; retrieve?: unknown } | null;
  if (object && typeof object.invoke === 'function') {
    const invoke = object.invoke.bind(object) as (input: string) => unknown;
    return { call: (query) => invoke(query), langchain: true };
  }
  if (object && typeof object.retrieve === 'function') return { call: object.retrieve.bind(object) as RetrieveFn, langchain: false };
  throw notA(loaded, o, 'LangChain retriever (invoke) or an object with retrieve(query, k)');
}

function detect(value: unknown, exportName: string): 'retriever' | 'factory' | 'class' | 'retrieve' {
  if (typeof value !== 'function') return 'retriever';
  if (exportName === 'retrieve') return 'retrieve';
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(value)) || typeof (value.prototype as { invoke?: unknown } | undefined)?.invoke === 'function';
  return isClass ? 'class' : 'factory';
}

function notA(loaded: UserModule, o: ModuleOptions, what: string): ConfigError {
  return new ConfigError(`export ${o.export} of ${loaded.identity.module} is not a ${what}`, {
    fix: 'export a BaseRetriever, a function returning one, or retrieve(query, k); or set as: explicitly',
  });
}

class ModuleSource implements ExternalSource {
  /** What the user's chain does inside (an ANN index?) is unknown: its ANN recall column says "not measured", never "exact". */
  readonly approximation: Approximation;
  readonly #call: RetrieveFn;
  readonly #fields: HitFields;
  readonly #o: ModuleOptions;
  readonly #loaded: UserModule;

  constructor(call: RetrieveFn, fields: HitFields, o: ModuleOptions, loaded: UserModule) {
    this.#call = call;
    this.#fields = fields;
    this.#o = o;
    this.#loaded = loaded;
    this.approximation = { index: `the module retriever ${loaded.identity.module} (ragbench cannot tell whether its search is exact)` };
  }

  search(queries: readonly Query[], k: number, signal?: AbortSignal): Promise<ExternalHit[][]> {
    return mapConcurrent(queries, this.#o.concurrency, async (query) => {
      signal?.throwIfAborted();
      const where = `${this.#loaded.identity.module} (query ${query.id})`;
      let items: unknown;
      try {
        items = await this.#call(query.text, k);
      } catch (error) {
        // The user's code failed (its own service, a bug): a service failure of the run, reported with its message.
        throw new ServiceError('module retriever', `${where} threw: ${(error as Error).message ?? String(error)}`, { cause: error });
      }
      if (!Array.isArray(items)) throw new ConfigError(`${where} returned ${typeof items}, not an array of documents`, { fix: 'return Document[] or [{ id, text?, score? }]' });
      return items.map((item, i) => toExternalHit(item, this.#fields, `item ${i} from ${where}`));
    });
  }

  async describe(): Promise<Record<string, unknown>> {
    return { ...this.#loaded.identity, export: this.#o.export, fields: this.#fields };
  }

  async close(): Promise<void> {}
}
