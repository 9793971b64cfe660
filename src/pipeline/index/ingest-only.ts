import type { NamedConfig, ResolvedCorpus } from '../../config/load-eval.js';
import type { Env } from '../../shared/env.js';
import type { Progress } from '../../shared/progress.js';
import { indexArm } from './arm.js';
import type { IngestResult } from './ingest.js';
import { loadCorpus } from '../load-corpus.js';

interface IngestOnlyPlan {
  readonly corpus: ResolvedCorpus;
  readonly chunkers: readonly NamedConfig[];
  readonly retriever: NamedConfig;
  readonly workDir: string;
  readonly env: Env;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  /** Told about damaged indexes being rebuilt and damaged cache records. */
  readonly warn?: (message: string) => void;
  /** One-line messages from the stores (server NOTICEs, index build progress); see PluginContext.notice. */
  readonly notice?: (message: string) => void;
}

/** `ragbench ingest`: build (or resume, or reuse) one index per chunker, without running queries. */
export async function ingestOnly(plan: IngestOnlyPlan): Promise<Array<IngestResult & { chunker: string }>> {
  const context = {
    env: plan.env,
    workDir: plan.workDir,
    ...(plan.warn ? { warn: plan.warn } : {}),
    ...(plan.notice ? { notice: plan.notice } : {}),
  };
  const corpus = await loadCorpus(plan.corpus, { requireQueries: false, ...(plan.progress ? { progress: plan.progress } : {}) });
  const results: Array<IngestResult & { chunker: string }> = [];
  for (const chunker of plan.chunkers) {
    const arm = await indexArm({
      corpus,
      chunker,
      retriever: plan.retriever,
      context,
      ...(plan.progress ? { progress: plan.progress } : {}),
      ...(plan.signal ? { signal: plan.signal } : {}),
    });
    await arm.retriever.close();
    results.push({ ...arm.indexed, chunker: chunker.name });
  }
  return results;
}
