import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatRun, type RankedDoc } from '../../metrics/run-file.js';
import type { RunSummary } from '../../report/run/summary.js';

/** One per-query line of results.jsonl. */
export interface QueryResult {
  readonly arm: string;
  readonly queryId: string;
  readonly metrics: Readonly<Record<string, number>>;
  /** Top documents as retrieved (id and score), for diffing runs query by query. */
  readonly top: readonly RankedDoc[];
  /**
   * docId → 1-based rank of every judged-relevant document retrieved within the run's depth, so two runs can be
   * diffed by relevant documents lost or gained in the top k without the qrels. Absent in run folders written
   * before this field existed; compare then skips the per-query diff.
   */
  readonly relevantRanks?: Readonly<Record<string, number>>;
  /**
   * The top chunks as retrieved (best first, at most 10): the chunk id `docId#start-end` holds the offsets, so the
   * report recovers each chunk's text from documents.jsonl without storing it once per arm.
   */
  readonly chunks?: readonly { readonly id: string; readonly score: number }[];
  /** With `spanMetrics`: each span metric's value (null: the query has no relevant span). */
  readonly spans?: Readonly<Record<string, number | null>>;
  /** With an `answers:` section: the generated answer, the passages it saw, and its scores (null = not scorable). */
  readonly answer?: {
    readonly text: string;
    readonly label?: string;
    readonly contextIds: readonly string[];
    readonly scores: Readonly<Record<string, number | null>>;
    readonly reasons: Readonly<Record<string, string>>;
    /** Metric → the LLM judge's verdict per claim of the answer (faithfulness-llm). */
    readonly claims?: Readonly<Record<string, readonly { readonly claim: string; readonly verdict: string; readonly quote: string; readonly downgraded?: boolean }[]>>;
  };
}

interface RunFiles {
  readonly manifest: unknown;
  readonly summary: RunSummary;
  readonly results: readonly QueryResult[];
  /** arm file name → run */
  readonly runs: ReadonlyMap<string, ReadonlyMap<string, readonly RankedDoc[]>>;
  readonly reportMarkdown: string;
  /** For the report's per-query drill-down: queries.jsonl and documents.jsonl (see pipeline/drilldown.ts). */
  readonly drilldown?: { readonly queries: readonly unknown[]; readonly documents: readonly unknown[] };
  /** report.html: the self-contained page (charts, arms table, drill-down). */
  readonly reportHtml?: string;
}

export function newRunId(evalName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${evalName}`;
}

/**
 * Writes a run folder all at once: everything goes to `<dir>.partial` first and is renamed into place at the
 * end, so an interrupted run never leaves a half-written run folder behind.
 */
export async function writeRunFolder(dir: string, files: RunFiles): Promise<string> {
  const final = uniqueDir(resolve(dir));
  const partial = `${final}.partial`;
  await rm(partial, { recursive: true, force: true });
  try {
    await mkdir(join(partial, 'runs'), { recursive: true });
    await writeFile(join(partial, 'manifest.json'), `${JSON.stringify(files.manifest, null, 2)}\n`);
    await writeFile(join(partial, 'summary.json'), `${JSON.stringify(files.summary, null, 2)}\n`);
    // Streamed row by row: a run of many queries × arms never becomes one string in memory (issue 14).
    await writeLines(join(partial, 'results.jsonl'), files.results.length === 0 ? ['\n'] : mapped(files.results, (r) => `${JSON.stringify(r)}\n`));
    for (const [name, run] of files.runs) {
      await writeLines(join(partial, 'runs', `${name}.trec`), mapped(run, ([queryId, docs]) => formatRun(new Map([[queryId, docs]]), name)));
    }
    await writeFile(join(partial, 'report.md'), files.reportMarkdown);
    if (files.drilldown) {
      await writeFile(join(partial, 'queries.jsonl'), jsonLines(files.drilldown.queries));
      await writeFile(join(partial, 'documents.jsonl'), jsonLines(files.drilldown.documents));
    }
    if (files.reportHtml !== undefined) await writeFile(join(partial, 'report.html'), files.reportHtml);
    await rename(partial, final);
  } catch (error) {
    // A full disk or a vanished folder must not leave a `.partial` behind for the user to clean up.
    await rm(partial, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
  return final;
}

function* mapped<T>(items: Iterable<T>, format: (item: T) => string): Generator<string> {
  for (const item of items) yield format(item);
}

/** Writes the pieces in order, about a megabyte per write. */
async function writeLines(path: string, pieces: Iterable<string>): Promise<void> {
  const file = await open(path, 'w');
  try {
    let buffer: string[] = [];
    let size = 0;
    for (const piece of pieces) {
      buffer.push(piece);
      size += piece.length;
      if (size >= 1 << 20) {
        await file.writeFile(buffer.join(''));
        buffer = [];
        size = 0;
      }
    }
    if (buffer.length > 0) await file.writeFile(buffer.join(''));
  } finally {
    await file.close();
  }
}

function jsonLines(rows: readonly unknown[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '');
}

function uniqueDir(dir: string): string {
  if (!existsSync(dir)) return dir;
  for (let i = 2; ; i++) {
    const candidate = `${dir}-${i}`;
    if (!existsSync(candidate)) return candidate;
  }
}

/** A file-name-safe arm name: `recursive-800 × local` → `recursive-800__local`. */
export function armFileName(chunker: string, retriever: string): string {
  return `${chunker}__${retriever}`.replace(/[^A-Za-z0-9._-]+/g, '_');
}
