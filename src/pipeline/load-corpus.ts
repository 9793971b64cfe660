import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testSetCaveat } from '../synth/write-test-set.js';
import { openCorpus } from '../corpus/open-corpus.js';
import type { Document, Judgments, Query, SpanJudgments } from '../corpus/types.js';
import type { ResolvedCorpus } from '../config/load-eval.js';
import { ensureDataset } from '../datasets/store.js';
import { DataError } from '../shared/errors.js';
import type { Progress } from '../shared/progress.js';

export interface LoadedCorpus {
  readonly name: string;
  readonly fingerprint: string;
  readonly documentCount: number;
  /**
   * Streams the documents again from the source, in file order. Texts are not kept in memory (issue 14: a
   * million-chunk corpus must ingest in bounded memory); what needs every text at once uses readAllDocuments.
   */
  readDocuments(): AsyncIterable<Document>;
  readonly queries: readonly Query[];
  readonly judgments: Judgments;
  /** Span-level judgments, when the corpus has a span file. */
  readonly spans?: SpanJudgments;
  /** A generated test set (`synth-report.json` beside it): its method and what that method biases. */
  readonly testSet?: { readonly method: string; readonly caveat?: string };
}

/**
 * Opens a corpus and checks that queries, judgments and documents fit together, in one streaming pass over the
 * documents that keeps only their ids and lengths (and those only until the checks are done).
 */
export async function loadCorpus(
  corpus: ResolvedCorpus,
  options: { requireQueries: boolean; progress?: Progress; signal?: AbortSignal },
): Promise<LoadedCorpus> {
  for (const name of corpus.datasets ?? []) {
    await ensureDataset(name, { ...(options.progress ? { progress: options.progress } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  }
  const source = await openCorpus(corpus.path, {
    name: corpus.name,
    qrelsSplit: corpus.qrelsSplit,
    ...(corpus.layout ? { layout: corpus.layout } : {}),
    ...(corpus.documentsFile ? { documentsFile: corpus.documentsFile } : {}),
  });
  // docId → text length: what the id checks and span bounds need, without the texts.
  const lengths = new Map<string, number>();
  for await (const doc of source.documents(options.progress ? { progress: options.progress } : {})) {
    options.signal?.throwIfAborted();
    lengths.set(doc.id, doc.text.length);
  }
  const [queries, judgments, fingerprint] = await Promise.all([source.queries(), source.judgments(), source.fingerprint()]);
  const where = { file: corpus.file ?? corpus.path };
  if (lengths.size === 0) {
    throw new DataError(`corpus ${corpus.name} has no documents`, { place: where, fix: 'check the corpus path' });
  }
  if (options.requireQueries) {
    if (queries.length === 0) {
      throw new DataError(`corpus ${corpus.name} has no queries`, {
        place: where,
        fix: 'add queries.jsonl ({"_id","text"} per line) beside the documents',
      });
    }
    if (judgments.size === 0) {
      throw new DataError(`corpus ${corpus.name} has no relevance judgments`, {
        place: where,
        fix: `add qrels/${corpus.qrelsSplit}.tsv (query-id, corpus-id, score) beside the documents`,
      });
    }
    checkJudgedIds(corpus.name, where, lengths, queries, judgments);
  }
  const spans = await source.spans?.({ documentLengths: lengths });
  const testSet = await readTestSetNote(corpus.path);
  return {
    name: corpus.name,
    fingerprint,
    documentCount: lengths.size,
    readDocuments: () => source.documents(),
    queries,
    judgments,
    ...(spans ? { spans } : {}),
    ...(testSet ? { testSet } : {}),
  };
}

/** Every document in memory, in file order: for what needs them all at once (answering, whole-corpus contexts). */
export async function readAllDocuments(corpus: Pick<LoadedCorpus, 'readDocuments'>): Promise<Document[]> {
  const documents: Document[] = [];
  for await (const doc of corpus.readDocuments()) documents.push(doc);
  return documents;
}

/** The method and caveat of a test set made by `ragbench synth` (its synth-report.json), so runs on it say so. */
async function readTestSetNote(path: string): Promise<LoadedCorpus['testSet']> {
  const text = await readFile(join(path, 'synth-report.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const report = JSON.parse(text) as { method?: unknown; caveat?: unknown };
  if (typeof report.method !== 'string') return undefined;
  const caveat = testSetCaveat({ method: report.method, ...(typeof report.caveat === 'string' ? { caveat: report.caveat } : {}) });
  return { method: report.method, ...(caveat ? { caveat } : {}) };
}

/** Judgments that name unknown queries or documents mean the qrels belong to another corpus: say so, don't score garbage. */
function checkJudgedIds(
  name: string,
  place: { file: string },
  docIds: ReadonlyMap<string, unknown>,
  queries: readonly Query[],
  judgments: Judgments,
): void {
  const queryIds = new Set(queries.map((q) => q.id));
  const missingQueries = [...judgments.keys()].filter((id) => !queryIds.has(id));
  const missingDocs = new Set<string>();
  for (const grades of judgments.values()) for (const docId of grades.keys()) if (!docIds.has(docId)) missingDocs.add(docId);
  if (missingQueries.length > 0) {
    throw new DataError(
      `corpus ${name}: qrels judge ${missingQueries.length} query id(s) not in queries.jsonl (first: ${missingQueries[0]})`,
      { place, fix: 'the qrels and queries must come from the same test set' },
    );
  }
  if (missingDocs.size > 0) {
    throw new DataError(
      `corpus ${name}: qrels name ${missingDocs.size} document id(s) not in the corpus (first: ${[...missingDocs][0]})`,
      { place, fix: 'the qrels and corpus must come from the same collection' },
    );
  }
}
