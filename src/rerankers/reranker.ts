import type { z } from 'zod';
import type { PluginDefinition } from '../shared/plugin.js';

/** What reranking has cost so far: calls made, documents scored, and dollars (null with a reason when unpriced). */
export interface RerankUsage {
  readonly requests: number;
  /** Query–document pairs scored by the model (cache hits excluded). */
  readonly pairs: number;
  /** Pairs answered from the rerank cache. */
  readonly cachedPairs: number;
  /** Billed units the service reported: Cohere's search units, Jina/Voyage tokens. */
  readonly searchUnits?: number;
  readonly tokens?: number;
  readonly usd: number | null;
  readonly reason?: string;
}

/** Scores documents against a query: a cross-encoder or a rerank API. */
export interface Reranker {
  /** kind + model + settings that change scores (never a secret or an endpoint's credentials). */
  readonly fingerprint: string;
  /** For tables: kind and model, e.g. `cross-encoder ms-marco-MiniLM-L-6-v2`, `http rerank-v3.5 at https://api.cohere.com`. */
  readonly label: string;
  /** One relevance score per document, same order; higher is more relevant. Comparable only within one query. */
  score(query: string, documents: readonly string[], signal?: AbortSignal): Promise<number[]>;
  usage(): RerankUsage;
}

/** A reranker kind; `create` is async so heavy clients load only when used. */
export type RerankerDefinition = PluginDefinition<z.ZodType, Promise<Reranker>>;

/** Dollars for what a rerank API billed: per search (Cohere), else per million tokens (Jina, Voyage), else unknown. */
export function priceOf(units: { searchUnits?: number; tokens?: number; requests: number }, price: { usdPerSearch?: number | undefined; usdPerMillionTokens?: number | undefined }): { usd: number | null; reason?: string } {
  if (price.usdPerSearch !== undefined) return { usd: (units.searchUnits ?? units.requests) * price.usdPerSearch };
  if (price.usdPerMillionTokens !== undefined) {
    if (units.tokens === undefined) return units.requests === 0 ? { usd: 0 } : { usd: null, reason: 'the service reported no token usage to price' };
    return { usd: (units.tokens / 1e6) * price.usdPerMillionTokens };
  }
  return units.requests === 0 ? { usd: 0 } : { usd: null, reason: 'no price set (price.usdPerSearch or price.usdPerMillionTokens)' };
}
