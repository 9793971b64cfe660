import type { Chunk, Chunker } from '../../chunkers/chunker.js';
import type { Document } from '../../corpus/types.js';
import type { Retriever } from '../../retrievers/retriever.js';
import type { Progress } from '../../shared/progress.js';
import { silentProgress } from '../../shared/progress.js';
import { DataError } from '../../shared/errors.js';
import { addToIdChecksum } from '../../shared/hash.js';
import {
  indexKeyFor,
  manifestPath,
  readIndexManifest,
  writeIndexManifest,
  type IndexIdentity,
  type IndexManifest,
} from './manifest.js';

export interface IngestPlan {
  /** In a stable order; streamed batch by batch, so only one batch of texts is in memory (issue 14). */
  readonly documents: Iterable<Document> | AsyncIterable<Document>;
  /** How many documents there are, for progress (default: the array's length; unknown for a stream). */
  readonly documentCount?: number;
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
  /**
   * `reused`: a complete index was found; `resumed`: an interrupted one was finished; `built`: from scratch;
   * `existing`: an index or service ragbench did not build, read as it is (`chunks` is what it holds, if known).
   */
  readonly mode: 'reused' | 'resumed' | 'built' | 'existing';
  readonly seconds: number;
  /** Seconds per stage of this ingest (0 when the index was reused): chunking, embedding + writing, index build. */
  readonly stages: { readonly chunk: number; readonly embed: number; readonly write: number; readonly indexBuild: number };
}

/** corpus → chunks → (embeddings →) index, resumable by document checkpoints. */
export async function ingest(plan: IngestPlan): Promise<IngestResult> {
  const started = performance.now();
  const { documents, chunker, retriever, workDir, signal } = plan;
  const progress = plan.progress ?? silentProgress;
  const key = indexKeyFor(plan.identity);
  if (retriever.useCorpus) {
    const stored = await retriever.open(key, signal);
    // Nothing to chunk or write: the retriever reads what its owner indexed and matches it to these documents.
    const all: Document[] = [];
    for await (const doc of documents) all.push(doc);
    await retriever.useCorpus(all, signal);
    return { key, chunks: stored, mode: 'existing', seconds: (performance.now() - started) / 1000, stages: { chunk: 0, embed: 0, write: 0, indexBuild: 0 } };
  }
  const elapsed = () => (performance.now() - started) / 1000;
  const firstLook = retriever.persistent ? await readIndexManifest(workDir, key) : undefined;
  // A fresh build (no checkpoint: nothing to reuse, check or resume) needs nothing from the store before its first
  // batch, so a retriever that takes adds while it opens embeds the first batches while the store connects, locks
  // and creates its table (a tenth to a fifth of a small index's time on a server). Its writes wait for the open.
  // A checkpoint that appears meanwhile (another process built the index while this one waited for the store's
  // lock) costs a rewrite of the same rows, no more: every write is an upsert and the final check reads the store.
  const openAhead = firstLook === undefined && retriever.addsWhileOpening === true;
  const opening = retriever.open(key, signal);
  opening.catch(() => undefined);
  const stored = openAhead ? 0 : await opening;
  // Otherwise the checkpoint is read (again) once the store is open, under its lock where it has one: another
  // process may have moved it on while this one waited.
  const previous = openAhead || !retriever.persistent ? firstLook : await readIndexManifest(workDir, key);

  if (previous?.status === 'complete') {
    const problem = await checkStored(retriever, previous, signal);
    if (problem === undefined) return { key, chunks: stored, mode: 'reused', seconds: elapsed(), stages: { chunk: 0, embed: 0, write: 0, indexBuild: 0 } };
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
  const stages = { chunk: 0, embed: 0, write: 0, indexBuild: 0 };
  const timed = async <T>(stage: 'chunk' | 'indexBuild', work: () => T | Promise<T>): Promise<T> => {
    const begun = performance.now();
    try {
      return await work();
    } finally {
      stages[stage] += (performance.now() - begun) / 1000;
    }
  };
  let manifest: IndexManifest = {
    key,
    status: 'building',
    ...plan.identity,
    documentsDone: 0,
    chunksDone: 0,
    updatedAt: new Date().toISOString(),
  };

  const total = plan.documentCount ?? (Array.isArray(documents) ? documents.length : undefined);
  progress.start(`ingest ${plan.identity.corpus.name} × ${plan.identity.chunker.name} → ${plan.identity.retriever.name} (docs)`, total);
  let documentsDone = 0;
  // Stages overlap: batch n + 1 is read and chunked while batch n is embedded and written; a retriever that takes
  // overlapping adds (pipelinedAdd: its writes stay in call order) gets batch n + 1 while batch n is still being
  // written, so its embedder works meanwhile. At most `depth` batches are past chunking (a bounded queue), and
  // checkpoints stay in order: batch n's is written only once its rows and every earlier batch's are stored.
  // Three, not two: with two the embedder ran dry while the store opened (a fresh build's first writes wait for
  // the open, ~40 ms on a busy 2-core machine) and whenever a write ran long; a batch is a few MB at most.
  const depth = retriever.pipelinedAdd ? 3 : 1;
  const inFlight: { readonly write: Promise<void>; readonly checkpoint: Promise<void> }[] = [];
  // Every add not yet settled, whatever became of its checkpoint, so a failure waits for all of them.
  const unsettled = new Set<Promise<void>>();
  let lastCheckpoint: Promise<void> = Promise.resolve();
  // Seconds with at least one add in flight: overlapping adds are counted once, and from the open's end only (adds
  // made while the store opens wait for it: that wait is the open's, hidden behind chunking and embedding).
  let adding = 0;
  let addingSince = 0;
  let openedAt = openAhead ? Infinity : 0;
  if (openAhead) opening.then(() => (openedAt = performance.now()), () => undefined);
  const onStage = (stage: 'embed' | 'write', chunks: number) => progress.stage?.(stage, chunks);
  const startAdd = (chunks: Chunk[]): Promise<void> => {
    if (adding++ === 0) addingSince = performance.now();
    const write = retriever.add(chunks, signal, onStage);
    unsettled.add(write);
    const settle = () => {
      unsettled.delete(write);
      if (--adding === 0) stages.write += Math.max(0, performance.now() - Math.max(addingSince, openedAt)) / 1000;
    };
    write.then(settle, settle);
    return write;
  };
  const addBatch = async (batch: readonly Document[]) => {
    signal?.throwIfAborted();
    await timed('chunk', () => chunker.prepare?.(batch, signal));
    const chunks = await chunkInSlices(chunker, batch, (seconds) => (stages.chunk += seconds));
    progress.stage?.('chunk', chunks.length);
    while (inFlight.length >= depth) await inFlight.shift()!.checkpoint;
    const write = documentsDone + batch.length > resumeFrom ? startAdd(chunks) : Promise.resolve();
    // Awaited through its checkpoint, or after a failure; this only keeps an early failure from going unhandled.
    write.catch(() => undefined);
    documentsDone += batch.length;
    chunksDone += chunks.length;
    for (const chunk of chunks) checksum = addToIdChecksum(checksum, chunk.id);
    const checkpoint = { documentsDone, chunksDone, idChecksum: checksum.toString() };
    const earlier = lastCheckpoint;
    lastCheckpoint = Promise.all([write, earlier]).then(async () => {
      if (retriever.persistent) {
        manifest = { ...manifest, ...checkpoint, updatedAt: new Date().toISOString() };
        await writeIndexManifest(workDir, manifest);
      }
      progress.advance(batch.length);
    });
    lastCheckpoint.catch(() => undefined);
    inFlight.push({ write, checkpoint: lastCheckpoint });
  };
  let batch: Document[] = [];
  try {
    for await (const doc of documents) {
      batch.push(doc);
      if (batch.length === batchSize) {
        await addBatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await addBatch(batch);
    await opening;
    await lastCheckpoint;
    // A Ctrl-C during the last batches stops here too: every document is checkpointed, so the same command resumes
    // with the index build; it must not report an index it was asked to stop building.
    signal?.throwIfAborted();
  } catch (error) {
    // An interrupt, a chunker or a write failure: the writes in flight finish (or fail) and their checkpoints
    // settle before the error goes up, so nothing writes to the store or the checkpoint after ingest() has returned.
    await Promise.allSettled([opening, ...unsettled, ...inFlight.map((entry) => entry.checkpoint)]);
    throw error;
  }
  progress.done();
  // Index builds report no count of their own: the phase shows the seconds elapsed, so a long build is visibly alive.
  progress.start(`build index ${plan.identity.retriever.name} (seconds)`);
  let ticker: NodeJS.Timeout | undefined = setInterval(() => progress.advance(1), 1000);
  // A retriever that reports its own count replaces the seconds ticker with a phase that has a rate and an ETA.
  const buildProgress: Progress = {
    start(label, total) {
      clearInterval(ticker);
      ticker = undefined;
      progress.done();
      progress.start(label, total);
    },
    advance: (units) => (ticker === undefined ? progress.advance(units) : undefined),
    done() {},
  };
  try {
    await timed('indexBuild', () => retriever.finish(signal, buildProgress));
  } finally {
    clearInterval(ticker);
    progress.done();
  }
  if (retriever.persistent) {
    const complete: IndexManifest = {
      ...manifest,
      status: 'complete',
      documentsDone,
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
    signal?.throwIfAborted();
    await writeIndexManifest(workDir, complete);
  }
  // A retriever that embeds reports the part of add() spent waiting for embeddings; the rest was writing.
  const embed = Math.min(stages.write, retriever.embedSeconds?.() ?? 0);
  return {
    key,
    chunks: chunksDone,
    mode: resumeFrom > 0 ? 'resumed' : 'built',
    seconds: elapsed(),
    stages: { ...stages, embed, write: stages.write - embed },
  };
}

/** Chunking runs in slices of about this long, with the event loop's turn between them. */
const chunkSliceMs = 1;

/**
 * Chunks a batch document by document, yielding to the event loop about every millisecond: the store's replies,
 * the COPY stream and the embedding workers' answers wait for the main thread, and a slow chunker (BPE tokens: ~13
 * ms a batch) holding it in one block delayed the open by round trips and left the worker idle. `onSlice` gets
 * the seconds spent chunking, not the turns given away.
 */
async function chunkInSlices(chunker: Chunker, batch: readonly Document[], onSlice: (seconds: number) => void): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  let sliceStarted = performance.now();
  for (const doc of batch) {
    for (const chunk of chunker.chunk(doc)) chunks.push(chunk);
    const now = performance.now();
    if (now - sliceStarted >= chunkSliceMs) {
      onSlice((now - sliceStarted) / 1000);
      await new Promise((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
  }
  onSlice((performance.now() - sliceStarted) / 1000);
  return chunks;
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
