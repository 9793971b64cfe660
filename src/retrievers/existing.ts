import { join } from 'node:path';
import { z } from 'zod';
import type { Query } from '../corpus/types.js';
import { withEmbeddingCache } from '../embedders/cache.js';
import type { Embedder } from '../embedders/embedder.js';
import { embedders } from '../embedders/registry.js';
import type { ExistingHit, ExistingIndex, ExistingQuery, IndexSnapshot } from '../stores/existing-index.js';
import type { Approximation } from '../stores/vector-store.js';
import { existingIndexes } from '../stores/registry.js';
import { chunkArray } from '../shared/batches.js';
import { ConfigError, DimensionError, IndexMismatchError } from '../shared/errors.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin, pluginConfigSchema, type PluginConfig } from '../shared/plugin.js';
import { ExternalRetriever, type ExternalHit, type ExternalSource } from './external.js';

const options = z.strictObject({
  /** The embedder the index was built with (checked against its dimensions, and its model where recorded). */
  embedder: pluginConfigSchema('embedder', embedders).optional(),
  cache: z.boolean().default(true),
  /** The index: `kind: pgvector | pinecone | weaviate` and where it is. Read-only, always. */
  source: pluginConfigSchema('existing index', existingIndexes),
});

/**
 * An index ragbench did not build, as the production code queries it: no re-ingestion, no writes. The corpus is
 * still needed for qrels (document ids) and span labels; chunks are matched to it by document id and text.
 */
export const existing = definePlugin({
  description: 'an existing pgvector table, Pinecone namespace or Weaviate collection, read-only',
  options,
  async create(config, context) {
    const index = await existingIndexes[config.source.kind as keyof typeof existingIndexes].create(config.source.options as never, context);
    try {
      let embedder: Embedder | undefined;
      if (config.embedder) {
        const inner = await embedders[config.embedder.kind as keyof typeof embedders].create(config.embedder.options as never, context);
        embedder = config.cache ? withEmbeddingCache(inner, { dir: join(context.workDir, 'cache', 'embeddings') }) : inner;
      }
      checkPairing(index, embedder, config.embedder, config.source);
      const snapshot = await index.snapshot();
      const fingerprint = fingerprintOf('existing', { source: { kind: config.source.kind, options: config.source.options }, embedder: embedder?.fingerprint, snapshot });
      return new ExternalRetriever(fingerprint, new ExistingSource(index, embedder, snapshot), () => ({ embedder: embedder?.fingerprint }));
    } catch (error) {
      await index.close();
      throw error;
    }
  },
});

/** Refuses an embedder that cannot be the one the index was built with: a wrong one would give plausible nonsense. */
function checkPairing(index: ExistingIndex, embedder: Embedder | undefined, embedderConfig: PluginConfig | undefined, source: PluginConfig): void {
  const what = `${source.kind} index ${JSON.stringify(index.describe().table ?? index.describe().namespace ?? index.describe().collection ?? '')}`;
  if (index.embedsQueries) {
    if (embedder) throw new ConfigError(`${what} embeds queries itself (search: ${String(source.options.search)}); remove embedder:`, { fix: 'or use search: nearVector to embed queries with ragbench' });
    return;
  }
  if (!embedder) throw new ConfigError(`${what} needs the embedder it was built with, to embed queries`, { fix: 'add embedder: { kind: …, … } to the retriever' });
  if (index.dimensions !== undefined && index.dimensions !== embedder.dimensions) {
    throw new DimensionError(
      `${what} holds ${index.dimensions}-dimensional vectors, the embedder makes ${embedder.dimensions}; it cannot be the one the index was built with`,
      'configure the embedder your ingestion code used (same model and dimensions)',
    );
  }
  const model = embedderConfig?.options.model;
  if (index.model !== undefined && typeof model === 'string' && model !== index.model) {
    throw new IndexMismatchError(`${what} was built with model ${index.model}, the embedder is ${model}`, `set the embedder's model to ${index.model}`);
  }
}

class ExistingSource implements ExternalSource {
  readonly #index: ExistingIndex;
  readonly #embedder: Embedder | undefined;
  readonly #snapshot: IndexSnapshot;
  readonly approximation?: Approximation;

  constructor(index: ExistingIndex, embedder: Embedder | undefined, snapshot: IndexSnapshot) {
    if (index.approximation) this.approximation = index.approximation;
    if (!index.searchExact) this.searchExact = undefined;
    this.#index = index;
    this.#embedder = embedder;
    this.#snapshot = snapshot;
  }

  async count(): Promise<number> {
    return this.#snapshot.count;
  }

  search(queries: readonly Query[], k: number, signal?: AbortSignal): Promise<ExternalHit[][]> {
    return this.#searchWith((query) => this.#index.search(query, k, signal), queries, signal);
  }

  searchExact?(queries: readonly Query[], k: number, signal?: AbortSignal): Promise<ExternalHit[][]> {
    return this.#searchWith((query) => this.#index.searchExact!(query, k, signal), queries, signal);
  }

  async #searchWith(search: (query: ExistingQuery) => Promise<ExistingHit[]>, queries: readonly Query[], signal?: AbortSignal): Promise<ExternalHit[][]> {
    const results: ExternalHit[][] = [];
    const embedder = this.#embedder;
    for (const batch of chunkArray(queries, embedder?.maxBatchSize ?? 64)) {
      const vectors = embedder ? await embedder.embed(batch.map((q) => q.text), 'query', signal) : [];
      for (const [i, query] of batch.entries()) results.push(await search({ text: query.text, vector: vectors[i] }));
    }
    return results;
  }

  async describe(): Promise<Record<string, unknown>> {
    return { ...this.#index.describe(), records: this.#snapshot.count, ...(this.#snapshot.checksum ? { checksum: this.#snapshot.checksum } : {}) };
  }

  close(): Promise<void> {
    return this.#index.close();
  }
}
