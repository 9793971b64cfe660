import type { Chunker } from '../chunkers/chunker.js';
import type { Document } from '../corpus/types.js';
import type { Retriever } from '../retrievers/retriever.js';
import type { Progress } from '../shared/progress.js';
import { silentProgress } from '../shared/progress.js';
import {
  indexKeyFor,
  readIndexManifest,
  writeIndexManifest,
  type IndexIdentity,
  type IndexManifest,
} from './index-manifest.js';

export interface IngestPlan {
  readonly documents: readonly Document[];
  readonly chunker: Chunker;
  readonly retriever: Retriever;
  readonly identity: IndexIdentity;
  readonly workDir: string;
  /** Documents per checkpoint (default 256). */
  readonly batchSize?: number;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

export interface IngestResult {
  readonly key: string;
  readonly chunks: number;
  /**
   * `reused`: a complete index was found; `resumed`: an interrupted one was finished; `built`: from scratch;
   * `existing`: an index or service ragbench did not build, read as it is (`chunks` is what it holds, if known).
   */
  readonly mode: 'reused' | 'resumed' | 'built' | 'existing';
  readonly seconds: number;
}

/** corpus → chunks → (embeddings →) index, resumable by document checkpoints. */
export async function ingest(plan: IngestPlan): Promise<IngestResult> {
  const started = performance.now();
  const { documents, chunker, retriever, workDir, signal } = plan;
  const progress = plan.progress ?? silentProgress;
  const key = indexKeyFor(plan.identity);
  const stored = await retriever.open(key, signal);
  if (retriever.useCorpus) {
    // Nothing to chunk or write: the retriever reads what its owner indexed and matches it to these documents.
    await retriever.useCorpus(documents, signal);
    return { key, chunks: stored, mode: 'existing', seconds: (performance.now() - started) / 1000 };
  }
  const previous = retriever.persistent ? await readIndexManifest(workDir, key) : undefined;
  const elapsed = () => (performance.now() - started) / 1000;

  if (previous?.status === 'complete' && stored === previous.chunksDone) {
    return { key, chunks: stored, mode: 'reused', seconds: elapsed() };
  }
  // A building manifest is trusted only if the store holds at least what it claims; otherwise start over.
  const resumeFrom = previous?.status === 'building' && stored >= previous.chunksDone ? previous.documentsDone : 0;
  const batchSize = plan.batchSize ?? 256;
  let chunksDone = 0;
  let manifest: IndexManifest = {
    key,
    status: 'building',
    ...plan.identity,
    documentsDone: 0,
    chunksDone: 0,
    updatedAt: new Date().toISOString(),
  };

  progress.start(`ingest ${plan.identity.corpus.name} × ${plan.identity.chunker.name} → ${plan.identity.retriever.name} (docs)`, documents.length);
  for (let startDoc = 0; startDoc < documents.length; startDoc += batchSize) {
    signal?.throwIfAborted();
    const batch = documents.slice(startDoc, startDoc + batchSize);
    await chunker.prepare?.(batch, signal);
    const chunks = batch.flatMap((doc) => chunker.chunk(doc));
    if (startDoc + batch.length > resumeFrom) await retriever.add(chunks, signal);
    chunksDone += chunks.length;
    if (retriever.persistent) {
      manifest = { ...manifest, documentsDone: startDoc + batch.length, chunksDone, updatedAt: new Date().toISOString() };
      await writeIndexManifest(workDir, manifest);
    }
    progress.advance(batch.length);
  }
  await retriever.finish(signal);
  progress.done();
  if (retriever.persistent) {
    await writeIndexManifest(workDir, { ...manifest, status: 'complete', documentsDone: documents.length, chunksDone, updatedAt: new Date().toISOString() });
  }
  return { key, chunks: chunksDone, mode: resumeFrom > 0 ? 'resumed' : 'built', seconds: elapsed() };
}
