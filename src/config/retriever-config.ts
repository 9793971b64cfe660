import { z } from 'zod';
import { rerankers } from '../rerankers/registry.js';
import { retrievers } from '../retrievers/registry.js';
import { pluginConfigSchema, type PluginConfig } from '../shared/plugin.js';

const rerankerSchema = pluginConfigSchema('reranker', rerankers);
const baseRetrieverSchema = pluginConfigSchema('retriever', retrievers);

/** `rerank:` on any retriever: a reranker kind with its options, and how many of the retriever's chunks it rescores. */
export interface RerankStageConfig {
  readonly reranker: PluginConfig;
  /** The retriever's top `candidates` chunks (at least the depth asked for) are rescored; default 50. */
  readonly candidates: number;
}

export type RetrieverConfig = PluginConfig & { readonly rerank?: RerankStageConfig };

const candidatesSchema = z.int().min(1).max(10_000).default(50);

/**
 * A retriever file: `kind:` and its options, plus an optional `rerank: { kind, candidates, ...reranker options }`
 * stage. Issues keep their paths, so an error in the stage points at its line.
 */
export const retrieverFileSchema = z.looseObject({}).transform((value, ctx): RetrieverConfig => {
  const { rerank, ...rest } = value as Record<string, unknown>;
  const base = baseRetrieverSchema.safeParse(rest);
  if (!base.success) {
    for (const issue of base.error.issues) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
    return z.NEVER;
  }
  if (rerank === undefined) return base.data;
  if (rerank === null || typeof rerank !== 'object' || Array.isArray(rerank)) {
    ctx.addIssue({ code: 'custom', path: ['rerank'], message: 'rerank must be a mapping: { kind: cross-encoder|http, candidates: 50, … }' });
    return z.NEVER;
  }
  const { candidates, ...reranker } = rerank as Record<string, unknown>;
  const count = candidatesSchema.safeParse(candidates);
  const parsed = rerankerSchema.safeParse(reranker);
  if (!count.success) ctx.addIssue({ code: 'custom', path: ['rerank', 'candidates'], message: `candidates: ${count.error.issues[0]?.message ?? 'a whole number from 1 to 10000'}` });
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['rerank', ...issue.path], message: issue.message });
  if (!count.success || !parsed.success) return z.NEVER;
  return { ...base.data, rerank: { reranker: parsed.data, candidates: count.data } };
});
