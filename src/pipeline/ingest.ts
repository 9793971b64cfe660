import type { Chunker } from '../chunkers/chunker.js';
import type { Document } from '../corpus/types.js';
import type { Retriever } from '../retrievers/retriever.js';
import type { Progress } from '../shared/progress.js';
import { silentProgress } from '../shared/progress.js';
import { DataError } from '../shared/errors.js';
import { addToIdChecksum } from '../shared/hash.js';
import {
  indexKeyFor,
  manifestPath,
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
  /** Told when a complete index fails its check and is rebuilt. */
  readonly warn?: (message: string) => void;
}

export interface IngestResult {
  readonly key: string;
  readonly chunks: number;
  /** `reused`: a complete index was found; `resumed`: an interrupted one was finished; `built`: from scratch. */
  readonly mode: 'reused' | 'resumed' | 'built';
  readonly seconds: number;
}

/** corpus → chunks → (embeddings →) index, resumable by document checkpoints. */
export async function ingest(plan: IngestPlan): Promise<IngestResult> {
  const started = performance.now();
  const { documents, chunker, retriever, workDir, signal } = plan;
  const progress = plan.progress ?? silentProgress;
  const key = indexKeyFor(plan.identity);
  const stored = await retriever.open(key, signal);
  const previous = retriever.persistent ? await readIndexManifest(workDir, key) : undefined;
  const elapsed = () => (performance.now() - started) / 1000;

  if (previous?.status === 'complete') {
    const problem = await checkStored(retriever, previous, signal);
    if (problem === undefined) return { key, chunks: stored, mode: 'reused', seconds: elapsed() };
    // A damaged store (a truncated table file, rows deleted by hand) must not be reported complete. Upserting
    // into it again is not enough (a damaged table can keep losing rows), so it is emptied and rebuilt.
    plan.warn?.(`index ${key} (${manifestPath(workDir, key)}) ${problem}; rebuilding it`);
    if (retriever.clear) await retriever.clear(signal);
  }
  // A building manifest is trusted only if the store holds at least what it claims; otherwise start over.
  const resumeFrom = previous?.status === 'building' && stored >= previous.chunksDone ? previous.documentsDone : 0;
  const batchSize = plan.batchSize ?? 256;
  let chunksDone = 0;
  let checksum = 0n;
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
    for (const chunk of chunks) checksum = addToIdChecksum(checksum, chunk.id);
    if (retriever.persistent) {
      manifest = {
        ...manifest,
        documentsDone: startDoc + batch.length,
        chunksDone,
        idChecksum: checksum.toString(),
        updatedAt: new Date().toISOString(),
      };
      await writeIndexManifest(workDir, manifest);
    }
    progress.advance(batch.length);
  }
  await retriever.finish(signal);
  progress.done();
  if (retriever.persistent) {
    const complete: IndexManifest = {
      ...manifest,
      status: 'complete',
      documentsDone: documents.length,
      chunksDone,
      idChecksum: checksum.toString(),
      updatedAt: new Date().toISOString(),
    };
    // Checked before the index is marked complete: a store that dropped rows fails here, with the place.
    const problem = await checkStored(retriever, complete, signal);
    if (problem !== undefined) {
      throw new DataError(`index ${key} ${problem} right after ingest: the store is damaged`, {
        fix:
          'remove the damaged store and run again (embedded pgvector: move <work-dir>/pglite aside, ' +
          `then delete ${manifestPath(workDir, key)})`,
      });
    }
    await writeIndexManifest(workDir, complete);
  }
  return { key, chunks: chunksDone, mode: resumeFrom > 0 ? 'resumed' : 'built', seconds: elapsed() };
}

/** Why the store does not hold what the checkpoint says (count, then id checksum where cheap), or undefined. */
async function checkStored(retriever: Retriever, manifest: IndexManifest, signal?: AbortSignal): Promise<string | undefined> {
  if (!retriever.stored) return undefined;
  const stored = await retriever.stored(signal);
  if (stored.chunks !== manifest.chunksDone) return `holds ${stored.chunks} chunks where its checkpoint says ${manifest.chunksDone}`;
  if (stored.idChecksum !== undefined && manifest.idChecksum !== undefined && stored.idChecksum !== manifest.idChecksum) {
    return `holds ${stored.chunks} chunks as its checkpoint says, but not the same ids (checksum ${stored.idChecksum} ≠ ${manifest.idChecksum})`;
  }
  return undefined;
}
