import { join } from 'node:path';
import type { Chunker } from '../../chunkers/chunker.js';
import { chunkers } from '../../chunkers/registry.js';
import type { NamedConfig } from '../../config/load-eval.js';
import type { Document } from '../../corpus/types.js';
import { withRerankCache } from '../../rerankers/cache.js';
import { rerankers } from '../../rerankers/registry.js';
import { withRerankStage } from '../../retrievers/reranked.js';
import type { NamedRetriever, Retriever } from '../../retrievers/retriever.js';
import { retrievers } from '../../retrievers/registry.js';
import { canonicalJson, hashText } from '../../shared/hash.js';
import type { PluginContext } from '../../shared/plugin.js';
import type { Progress } from '../../shared/progress.js';
import { chunkText } from '../answer/answer-eval.js';
import { ingest, type IngestResult } from './ingest.js';
import type { LoadedCorpus } from '../load-corpus.js';
import type { RetrieverPool } from './pool.js';

export interface IndexedArm {
  readonly chunker: Chunker;
  /** Open and holding the arm's chunks; the caller closes it. */
  readonly retriever: Retriever;
  readonly indexed: IngestResult;
  /** The retriever before its rerank stage (the same one without a stage): what ANN recall is measured on. */
  readonly searched: Retriever;
  /** Kind hybrid: its components, open, so the arm can say which are approximate and measure their ANN recall. */
  readonly components?: readonly NamedRetriever[];
}

export interface IndexArmOptions {
  readonly corpus: LoadedCorpus;
  readonly chunker: NamedConfig;
  readonly retriever: NamedConfig;
  readonly context: PluginContext;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  /** The run's shared retrievers: each chunker × retriever is indexed once and its rankings reused across arms. */
  readonly pool?: RetrieverPool<IndexedArm>;
  /** The corpus's documents by id, read once when a rerank stage first needs chunk texts. */
  readonly documents?: () => Promise<ReadonlyMap<string, Document>>;
}

const noStages = { chunk: 0, embed: 0, write: 0, indexBuild: 0 };

/**
 * One chunker × retriever from their configs: create both, then ingest (or resume, or reuse) the arm's index.
 * A hybrid indexes its components instead (each under its own key, shared through the pool with their own arms);
 * a `rerank:` stage wraps the indexed retriever, so it never changes the index key. The retriever is closed here
 * only when ingest fails.
 */
export async function indexArm(options: IndexArmOptions): Promise<IndexedArm> {
  const build = () => (options.retriever.components ? composeHybrid(options, options.retriever.components) : ingestArm(options));
  const { rerank, ...config } = options.retriever.config;
  const arm = options.pool
    ? await options.pool.acquire(`${options.chunker.name}\0${canonicalJson(options.chunker.config)}\0${canonicalJson(config)}`, build, reusedInRun)
    : await build();
  if (!rerank) return arm;
  const created = await rerankers[rerank.reranker.kind as keyof typeof rerankers].create(rerank.reranker.options as never, options.context);
  const reranker = withRerankCache(created, { dir: join(options.context.workDir, 'cache', 'rerank'), ...(options.context.warn ? { warn: options.context.warn } : {}) });
  const documents = options.documents ?? (() => readAllDocuments(options.corpus));
  const byId = await documents();
  const retriever = withRerankStage(arm.retriever, { reranker, candidates: rerank.candidates, textOf: (hit) => chunkText(hit, byId) });
  return { ...arm, retriever };
}

/** An arm another arm of this run already indexed: reused, and none of its ingest time is this arm's. */
function reusedInRun(arm: IndexedArm): IndexedArm {
  return { ...arm, indexed: { ...arm.indexed, mode: 'reused', seconds: 0, stages: noStages } };
}

async function ingestArm(options: IndexArmOptions): Promise<IndexedArm> {
  const { corpus, context } = options;
  const chunker = chunkers[options.chunker.config.kind as keyof typeof chunkers].create(options.chunker.config.options as never, context);
  const retriever = await retrievers[options.retriever.config.kind as keyof typeof retrievers].create(
    options.retriever.config.options as never,
    context,
  );
  try {
    const indexed = await ingest({
      documents: corpus.readDocuments(),
      documentCount: corpus.documentCount,
      chunker,
      retriever,
      identity: {
        corpus: { name: corpus.name, fingerprint: corpus.fingerprint },
        chunker: { name: options.chunker.name, fingerprint: chunker.fingerprint },
        retriever: { name: options.retriever.name, fingerprint: retriever.fingerprint },
      },
      workDir: context.workDir,
      ...(context.warn ? { warn: context.warn } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { chunker, retriever, indexed, searched: retriever };
  } catch (error) {
    await retriever.close();
    throw error;
  }
}

/**
 * A hybrid arm: every component indexed as its own arm would be, then fused. Its ingest is theirs: reused when all
 * of theirs were, its seconds and stages their sum, its key a hash of their keys.
 */
async function composeHybrid(options: IndexArmOptions, configs: readonly NamedConfig[]): Promise<IndexedArm> {
  const parts: IndexedArm[] = [];
  try {
    for (const component of configs) parts.push(await indexArm({ ...options, retriever: component }));
    const components = parts.map((part, i) => ({ name: configs[i]!.name, retriever: part.retriever }));
    const retriever = await retrievers.hybrid.create(options.retriever.config.options as never, { ...options.context, components });
    const sum = (pick: (result: IngestResult) => number) => parts.reduce((total, part) => total + pick(part.indexed), 0);
    const indexed: IngestResult = {
      key: `hybrid_${hashText(parts.map((part) => part.indexed.key).join('\0'))}`,
      chunks: Math.max(...parts.map((part) => part.indexed.chunks)),
      mode: parts.every((part) => part.indexed.mode === 'reused') ? 'reused' : parts.some((part) => part.indexed.mode === 'existing') ? 'existing' : 'built',
      seconds: sum((r) => r.seconds),
      stages: { chunk: sum((r) => r.stages.chunk), embed: sum((r) => r.stages.embed), write: sum((r) => r.stages.write), indexBuild: sum((r) => r.stages.indexBuild) },
    };
    return { chunker: parts[0]!.chunker, retriever, indexed, searched: retriever, components };
  } catch (error) {
    for (const part of parts) await part.retriever.close();
    throw error;
  }
}

/** Every document of the corpus by id (for chunk texts), in one pass. */
export async function readAllDocuments(corpus: LoadedCorpus): Promise<Map<string, Document>> {
  const byId = new Map<string, Document>();
  for await (const doc of corpus.readDocuments()) byId.set(doc.id, doc);
  return byId;
}
