import { chunkers } from '../chunkers/registry.js';
import type { NamedConfig, ResolvedCorpus } from '../config/load-eval.js';
import { retrievers } from '../retrievers/registry.js';
import type { Env } from '../shared/env.js';
import type { Progress } from '../shared/progress.js';
import { ingest, type IngestResult } from './ingest.js';
import { loadCorpus } from './load-corpus.js';

export interface IngestOnlyPlan {
  readonly corpus: ResolvedCorpus;
  readonly chunkers: readonly NamedConfig[];
  readonly retriever: NamedConfig;
  readonly workDir: string;
  readonly env: Env;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

/** `ragbench ingest`: build (or resume, or reuse) one index per chunker, without running queries. */
export async function ingestOnly(plan: IngestOnlyPlan): Promise<Array<IngestResult & { chunker: string }>> {
  const context = { env: plan.env, workDir: plan.workDir };
  const corpus = await loadCorpus(plan.corpus, { requireQueries: false });
  const results: Array<IngestResult & { chunker: string }> = [];
  for (const chunkerConfig of plan.chunkers) {
    const chunker = chunkers[chunkerConfig.config.kind as keyof typeof chunkers].create(chunkerConfig.config.options as never, context);
    const retriever = await retrievers[plan.retriever.config.kind as keyof typeof retrievers].create(
      plan.retriever.config.options as never,
      context,
    );
    try {
      const result = await ingest({
        documents: corpus.documents,
        chunker,
        retriever,
        identity: {
          corpus: { name: corpus.name, fingerprint: corpus.fingerprint },
          chunker: { name: chunkerConfig.name, fingerprint: chunker.fingerprint },
          retriever: { name: plan.retriever.name, fingerprint: retriever.fingerprint },
        },
        workDir: plan.workDir,
        ...(plan.progress ? { progress: plan.progress } : {}),
        ...(plan.signal ? { signal: plan.signal } : {}),
      });
      results.push({ ...result, chunker: chunkerConfig.name });
    } finally {
      await retriever.close();
    }
  }
  return results;
}
