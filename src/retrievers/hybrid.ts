import { z } from 'zod';
import type { Chunk } from '../chunkers/chunker.js';
import type { Query } from '../corpus/types.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import type { Hit, ShareProgress } from '../stores/vector-store.js';
import { rankFused, type FuseScores } from './fusion/fusion.js';
import { fusionMethods, fusionOf, fusionSchema, type FusionConfig } from './fusion/registry.js';
import type { NamedRetriever, Retriever, RetrieverContext } from './retriever.js';

/** A component: a retriever's name (`retrievers/<name>.yaml`) or an inline retriever config. */
const componentReference = z.union([z.string().min(1), z.looseObject({ kind: z.string() })]);

const options = z
  .strictObject({
    retrievers: z.array(componentReference).min(2, 'a hybrid fuses at least two retrievers (e.g. [bm25, local])'),
    fusion: fusionSchema.default({ method: 'rrf', k: 60 }).describe(`method: ${fusionMethods.join('|')}; rrf takes k (default 60)`),
    /** Chunks asked of each component per query before fusing. */
    depth: z.int().positive().max(10_000).default(10).describe('chunks asked of each component per query'),
    /** One weight per component, in the order of `retrievers` (a list) or by component name (a map); default 1 each. */
    weights: z
      .union([z.array(z.number().nonnegative()), z.record(z.string(), z.number().nonnegative())])
      .optional()
      .describe('per component: a list in the order of retrievers, or name → weight; default 1 each'),
  })
  .superRefine((value, ctx) => {
    if (Array.isArray(value.weights) && value.weights.length !== value.retrievers.length) {
      ctx.addIssue({ code: 'custom', path: ['weights'], message: `weights lists ${value.weights.length} numbers for ${value.retrievers.length} retrievers (one each, in order)` });
    }
  });

export const hybrid = definePlugin<typeof options, Promise<Retriever>, RetrieverContext>({
  description: 'client-side fusion of two or more retrievers over the same chunks (rrf, minmax, zscore, dbsf)',
  options,
  async create(config, context) {
    const components = context.components;
    if (!components || components.length !== config.retrievers.length) {
      throw new Error('internal: a hybrid retriever is created by the pipeline, with its components already indexed');
    }
    const weights = components.map(({ name }, i) => {
      if (config.weights === undefined) return 1;
      if (Array.isArray(config.weights)) return config.weights[i]!;
      return config.weights[name] ?? 1;
    });
    return new HybridRetriever({ components, fusion: config.fusion, depth: config.depth, weights });
  },
});

interface HybridOptions {
  readonly components: readonly NamedRetriever[];
  readonly fusion: FusionConfig;
  readonly depth: number;
  readonly weights: readonly number[];
}

/**
 * Asks each component for its top `depth` chunks, fuses the lists per query and returns the best k, ties by chunk
 * id. It holds no index of its own: the pipeline indexes the components (each under its own index key, so a
 * component shared with another arm is built once) and hands them over open. Closing it closes them.
 */
class HybridRetriever implements Retriever {
  readonly fingerprint: string;
  readonly persistent = false;
  readonly queryBatchSize?: number;
  readonly #options: HybridOptions;
  readonly #fuse: FuseScores;

  constructor(options: HybridOptions) {
    this.#options = options;
    this.#fuse = fusionOf(options.fusion);
    const batch = Math.max(0, ...options.components.map(({ retriever }) => retriever.queryBatchSize ?? 0));
    if (batch > 0) this.queryBatchSize = batch;
    this.fingerprint = fingerprintOf('hybrid', {
      components: options.components.map(({ retriever }) => retriever.fingerprint),
      fusion: options.fusion,
      depth: options.depth,
      weights: options.weights,
    });
  }

  open(): Promise<number> {
    return Promise.reject(notIngested());
  }

  add(_chunks: readonly Chunk[]): Promise<void> {
    return Promise.reject(notIngested());
  }

  finish(): Promise<void> {
    return Promise.reject(notIngested());
  }

  async retrieve(query: Query, k: number, signal?: AbortSignal): Promise<Hit[]> {
    const [hits] = await this.retrieveBatch([query], k, signal);
    return hits ?? [];
  }

  async retrieveBatch(queries: readonly Query[], k: number, signal?: AbortSignal, onProgress?: ShareProgress): Promise<Hit[][]> {
    const { components, depth, weights } = this.#options;
    const perComponent: Hit[][][] = [];
    for (const [i, { retriever }] of components.entries()) {
      const share = onProgress ? (s: number) => onProgress((i + s) / components.length) : undefined;
      perComponent.push(
        retriever.retrieveBatch
          ? await retriever.retrieveBatch(queries, depth, signal, share)
          : await Promise.all(queries.map((query) => retriever.retrieve(query, depth, signal))),
      );
    }
    return queries.map((_, q) => rankFused(this.#fuse(perComponent.map((lists, i) => ({ hits: lists[q] ?? [], weight: weights[i]! }))), k));
  }

  /** A query counts as token-less only when every component that tokenizes finds no tokens and none ranks densely. */
  queriesWithoutTokens(queries: readonly Query[]): string[] {
    const lists = this.#options.components.map(({ retriever }) => retriever.queriesWithoutTokens?.(queries));
    if (lists.some((list) => list === undefined)) return [];
    return (lists as string[][]).reduce((common, list) => common.filter((id) => list.includes(id)));
  }

  async describe(): Promise<Record<string, unknown>> {
    const components = [];
    for (const [i, { name, retriever }] of this.#options.components.entries()) {
      components.push({
        name,
        fingerprint: retriever.fingerprint,
        weight: this.#options.weights[i],
        approximate: retriever.approximation?.index ?? null,
        ...(retriever.describe ? { evaluated: await retriever.describe() } : {}),
      });
    }
    return { fusion: this.#options.fusion, depth: this.#options.depth, components };
  }

  async close(): Promise<void> {
    for (const { retriever } of this.#options.components) await retriever.close();
  }
}

function notIngested(): Error {
  return new Error('internal: a hybrid retriever has no index of its own; the pipeline ingests its components');
}
