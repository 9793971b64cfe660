import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { formatSpanLine } from '../corpus/spans.js';
import type { Document, RelevantSpan } from '../corpus/types.js';
import { UsageError } from '../shared/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../shared/files/write-atomic.js';

/** A generated query and its labels: the relevant spans (their documents are the qrels, grade = best span's). */
export interface SynthQuery {
  readonly id: string;
  readonly text: string;
  /** `known-item`, `factoid`, `multi-hop`, `unanswerable`: reported per type, kept in queries.jsonl metadata. */
  readonly type: string;
  /** Empty for an unanswerable question: it has no qrels, so `ragbench run` leaves it out unless includeUnjudged. */
  readonly spans: readonly RelevantSpan[];
  /** The reference answer, when the method produces one (LLM questions). */
  readonly answer?: string;
}

/** Candidates dropped, by reason ("quote not found in document", "duplicate question", …). */
export type DropCounts = Readonly<Record<string, number>>;

/** `synth-report.json`: what was asked, what came out, what was dropped and why. No timestamps: same seed, same bytes. */
export interface SynthReport {
  readonly method: string;
  /** One paragraph for the README: how the queries were made. */
  readonly description: string;
  /** What the method biases, said wherever the test set is used (README, run manifest and report). */
  readonly caveat?: string;
  readonly corpus: { readonly name: string; readonly documents: number };
  readonly options: Readonly<Record<string, unknown>>;
  /** The command that reproduces the test set. */
  readonly command: string;
  readonly requested: number;
  readonly generated: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly dropped: DropCounts;
  /** Method-specific counts (noise operations, LLM calls and tokens, …). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface TestSet {
  readonly documents: Iterable<Document> | AsyncIterable<Document>;
  readonly queries: readonly SynthQuery[];
  readonly report: SynthReport;
}

/**
 * Writes a complete BEIR folder that `ragbench run` reads as is: `corpus.jsonl` (the documents, copied, so the
 * span offsets travel with the exact text they index), `queries.jsonl`, `qrels/test.tsv`,
 * `qrels/test.spans.jsonl`, `synth-report.json` and a `README.md` describing method and seed. Files are
 * replaced atomically. Refuses (UsageError) to write into a non-empty folder that is not an earlier test set.
 */
export async function writeTestSet(dir: string, testSet: TestSet): Promise<void> {
  await guardFolder(dir);
  await writeJsonl(
    join(dir, 'corpus.jsonl'),
    mapIterable(testSet.documents, (doc) => JSON.stringify({ _id: doc.id, title: doc.title ?? '', text: doc.text })),
  );
  const queryLines = testSet.queries.map((q) =>
    JSON.stringify({ _id: q.id, text: q.text, metadata: { type: q.type, ...(q.answer !== undefined ? { answer: q.answer } : {}) } }),
  );
  await writeFileAtomic(join(dir, 'queries.jsonl'), lines(queryLines));
  const qrels = ['query-id\tcorpus-id\tscore'];
  const spanLines: string[] = [];
  for (const query of testSet.queries) {
    const grades = new Map<string, number>();
    for (const span of query.spans) grades.set(span.docId, Math.max(grades.get(span.docId) ?? 0, span.grade));
    for (const [docId, grade] of grades) qrels.push(`${query.id}\t${docId}\t${grade}`);
    for (const span of query.spans) spanLines.push(formatSpanLine(query.id, span));
  }
  await writeFileAtomic(join(dir, 'qrels', 'test.tsv'), lines(qrels));
  await writeFileAtomic(join(dir, 'qrels', 'test.spans.jsonl'), lines(spanLines));
  await writeJsonAtomic(join(dir, 'synth-report.json'), testSet.report);
  await writeFileAtomic(join(dir, 'README.md'), describeTestSet(testSet.report));
}

/**
 * Known-item queries are words sampled from the labelled passage by tf × idf, tokenized as BM25 tokenizes
 * (`tokenizeAlnumLower`): a lexical retriever matches them by construction, a dense one has to bridge noise it
 * was never trained for. Rankings of retrievers on such a set say little about real questions.
 */
export const knownItemCaveat =
  'test set: synthetic known-item, favours lexical retrievers: its query terms are sampled from the labelled passage ' +
  "with BM25's own tokenizer, so BM25 matches them by construction; compare retrievers on LLM-written questions " +
  '(ragbench synth --method llm) or real queries, and use this set for chunker comparisons within one retriever';

/** The caveat of a test set's method (also for a synth-report.json written before caveats were recorded). */
export function testSetCaveat(report: Pick<SynthReport, 'method' | 'caveat'>): string | undefined {
  return report.caveat ?? (report.method === 'known-item' ? knownItemCaveat : undefined);
}

/** The README of a generated test set: method, seed and settings, counts, drops, files, how to use it. */
function describeTestSet(report: SynthReport): string {
  const table = (record: Readonly<Record<string, unknown>>) =>
    Object.entries(record).map(([key, value]) => `| ${key} | ${typeof value === 'string' ? value : JSON.stringify(value)} |`);
  const dropped = Object.entries(report.dropped);
  return lines([
    `# Synthetic test set: ${report.corpus.name} (${report.method})`,
    '',
    report.description,
    '',
    ...(report.caveat ? [`**Caveat: ${report.caveat}**`, ''] : []),
    `Reproduce with \`${report.command}\`.`,
    '',
    '| setting | value |',
    '| --- | --- |',
    ...table(report.options),
    '',
    `${report.generated} of ${report.requested} queries generated over ${report.corpus.documents} documents.`,
    ...Object.entries(report.byType).map(([type, n]) => `- ${type}: ${n}`),
    '',
    dropped.length === 0 ? 'Nothing was dropped.' : 'Dropped candidates:',
    ...dropped.map(([reason, n]) => `- ${reason}: ${n}`),
    '',
    '## Files',
    '',
    '- `corpus.jsonl`: the documents, copied; span offsets refer to their `text`.',
    '- `queries.jsonl`: `{"_id", "text", "metadata": {"type", "answer"?}}`.',
    '- `qrels/test.tsv`: the document of each labelled span is relevant (BEIR qrels).',
    '- `qrels/test.spans.jsonl`: `{"query-id", "corpus-id", "start", "end", "score"}`, UTF-16 offsets, end exclusive.',
    '- `synth-report.json`: the settings and counts above, as JSON.',
    '',
    'Use the folder as a corpus: `corpus: path/to/this/folder` in an eval file, then `ragbench run`.',
  ]);
}

async function guardFolder(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.length > 0 && !entries.includes('synth-report.json')) {
    throw new UsageError(`${dir} is not empty and does not hold an earlier synthetic test set`, 'choose a new or empty --out folder');
  }
  await mkdir(join(dir, 'qrels'), { recursive: true });
}

/** Streams lines to a temp file and renames it, so a large corpus is never one string and never half-written. */
async function writeJsonl(path: string, items: AsyncIterable<string>): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(temp, { encoding: 'utf8' });
  try {
    for await (const line of items) if (!out.write(`${line}\n`)) await once(out, 'drain');
  } finally {
    out.end();
    await once(out, 'close');
  }
  await rename(temp, path);
}

async function* mapIterable<T, R>(items: Iterable<T> | AsyncIterable<T>, map: (item: T) => R): AsyncGenerator<R> {
  for await (const item of items) yield map(item);
}

const lines = (items: readonly string[]) => (items.length === 0 ? '' : `${items.join('\n')}\n`);
