import type { Chunker } from '../../chunkers/chunker.js';
import { chunkers } from '../../chunkers/registry.js';
import type { NamedConfig } from '../../config/load-eval.js';
import type { Retriever } from '../../retrievers/retriever.js';
import { retrievers } from '../../retrievers/registry.js';
import type { PluginContext } from '../../shared/plugin.js';
import type { Progress } from '../../shared/progress.js';
import { ingest, type IngestResult } from './ingest.js';
import type { LoadedCorpus } from '../load-corpus.js';

interface IndexedArm {
  readonly chunker: Chunker;
  /** Open and holding the arm's chunks; the caller closes it. */
  readonly retriever: Retriever;
  readonly indexed: IngestResult;
}

/**
 * One chunker × retriever from their configs: create both, then ingest (or resume, or reuse) the arm's index.
 * The retriever is closed here only when ingest fails.
 */
export async function indexArm(options: {
  readonly corpus: LoadedCorpus;
  readonly chunker: NamedConfig;
  readonly retriever: NamedConfig;
  readonly context: PluginContext;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}): Promise<IndexedArm> {
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
    return { chunker, retriever, indexed };
  } catch (error) {
    await retriever.close();
    throw error;
  }
}
