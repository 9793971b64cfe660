import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Embeddings } from '@langchain/core/embeddings';
import { stringify } from 'yaml';
import type { Chunk } from '../../src/chunkers/chunker.js';
import { createChunker } from '../../src/chunkers/registry.js';
import { openCorpus } from '../../src/corpus/open-corpus.js';
import type { Document } from '../../src/corpus/types.js';
import { createHashingEmbedder } from '../../src/embedders/hashing.js';
import type { Embedder } from '../../src/embedders/embedder.js';
import { loadEval } from '../../src/config/load-eval.js';
import { runEval } from '../../src/pipeline/run/run-eval.js';
import { annRecallColumn } from '../../src/report/run/format.js';
import type { AnnRecallSummary, RunSummary } from '../../src/report/run/summary.js';
import { createEnv } from '../../src/shared/env.js';
import { repoRoot } from './datasets.js';

/**
 * What a user's own ingestion code looks like: a LangChain Embeddings class. Here it wraps ragbench's hashing
 * embedder, so ragbench's own index of the same chunks is the reference the existing index must match.
 */
export class HashingLangChainEmbeddings extends Embeddings {
  readonly #embedder: Embedder;
  constructor(dimensions = 384) {
    super({});
    this.#embedder = createHashingEmbedder({ dimensions, wordNgrams: [1, 2], charNgrams: [3, 4, 5], lowercase: true });
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return (await this.#embedder.embed(texts, 'document')).map((v) => Array.from(v));
  }
  async embedQuery(text: string): Promise<number[]> {
    return Array.from((await this.#embedder.embed([text], 'query'))[0]!);
  }
}

export const sampleCorpusFile = join(repoRoot, 'corpora', 'sample.yaml');
export const sampleChunker = { kind: 'recursive', sizeChars: 400, overlapChars: 0 } as const;

/** A corpus's documents (the sample by default) chunked as ragbench's own arm chunks them. */
export async function sampleChunks(documentsFile?: string): Promise<{ documents: Document[]; chunks: Chunk[] }> {
  const source = await openCorpus(join(repoRoot, 'corpora', 'sample'), { name: 'sample', qrelsSplit: 'test', ...(documentsFile ? { documentsFile } : {}) });
  const documents: Document[] = [];
  for await (const doc of source.documents()) documents.push(doc);
  const { kind, ...options } = sampleChunker;
  const chunker = createChunker(kind, options);
  return { documents, chunks: documents.flatMap((doc) => chunker.chunk(doc)) };
}

export interface EvalRun {
  readonly perQuery: Map<string, Record<string, number>>;
  readonly manifest: { arms: { retriever: Record<string, unknown> }[] };
  readonly dir: string;
  readonly workDir: string;
}

/** Runs one eval over the sample corpus with one retriever config, as `ragbench run` does. */
export async function runSample(
  retriever: Record<string, unknown>,
  options: { env?: Record<string, string>; metrics?: string[]; workDir?: string; extra?: Record<string, unknown>; corpus?: string } = {},
): Promise<EvalRun> {
  const dir = await mkdtemp(join(tmpdir(), 'rb-existing-'));
  const file = join(dir, 'eval.yaml');
  const body = {
    name: 'existing',
    corpus: options.corpus ?? sampleCorpusFile,
    chunkers: [sampleChunker],
    retrievers: [retriever],
    metrics: options.metrics ?? ['recall@10', 'ndcg@10', 'mrr@10'],
    ...options.extra,
  };
  await writeFile(file, stringify(body));
  const workDir = options.workDir ?? join(dir, '.ragbench');
  const outcome = await runEval(await loadEval(file), { workDir, env: createEnv(options.env ?? {}) });
  const lines = (await readFile(join(outcome.dir, 'results.jsonl'), 'utf8')).trim().split('\n');
  const perQuery = new Map(
    lines
      .map((line) => JSON.parse(line) as { queryId: string; metrics: Record<string, number>; spans?: Record<string, number | null> })
      .map((r) => [r.queryId, { ...r.metrics, ...Object.fromEntries(Object.entries(r.spans ?? {}).map(([k, v]) => [k, v ?? Number.NaN])) }]),
  );
  const manifest = JSON.parse(await readFile(join(outcome.dir, 'manifest.json'), 'utf8'));
  return { perQuery, manifest, dir: outcome.dir, workDir };
}

/** The run's first arm's ANN recall (summary.json) and its cell in the ann-recall column (undefined: no column). */
export async function annRecallOf(run: EvalRun): Promise<{ ann: AnnRecallSummary | undefined; cell: string | undefined }> {
  const summary = JSON.parse(await readFile(join(run.dir, 'summary.json'), 'utf8')) as RunSummary;
  const arm = summary.arms[0]!;
  return { ann: arm.annRecall, cell: annRecallColumn(summary)?.cell(arm) };
}

/** ragbench's own exact index of the same chunks with the same embedder: the reference. */
export const ownExactIndex = {
  kind: 'dense',
  embedder: { kind: 'hashing' },
  store: { kind: 'pgvector', memory: true, index: 'none' },
  cache: false,
};

/** Every metric of every query equal to within 1e-9. */
export function maxDifference(a: EvalRun, b: EvalRun): number {
  let max = 0;
  if (a.perQuery.size !== b.perQuery.size) return Infinity;
  for (const [queryId, metrics] of a.perQuery) {
    const other = b.perQuery.get(queryId);
    if (!other) return Infinity;
    for (const [name, value] of Object.entries(metrics)) {
      // A span metric is null (NaN here) for a query without span labels, on both sides alike.
      if (Number.isNaN(value) && Number.isNaN(other[name] ?? 0)) continue;
      max = Math.max(max, Math.abs(value - (other[name] ?? Infinity)));
    }
  }
  return max;
}
