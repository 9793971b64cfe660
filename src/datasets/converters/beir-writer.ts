import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';

/** One relevance judgment as the converters emit it. */
export interface Judgment {
  readonly queryId: string;
  readonly docId: string;
  readonly score: number;
}

/** Writes one JSON object per line (streamed, so a large corpus never sits in one string). */
export async function writeJsonl(path: string, rows: Iterable<unknown>): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  let count = 0;
  for (const row of rows) {
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
    count++;
  }
  out.end();
  await once(out, 'finish');
  return count;
}

/** `qrels/<split>.tsv` (BEIR, with header) and `qrels/<split>.trec` (trec_eval), same pairs in the same order. */
export async function writeQrels(outDir: string, judgments: readonly Judgment[], split = 'test'): Promise<void> {
  const tsv = ['query-id\tcorpus-id\tscore', ...judgments.map((j) => `${j.queryId}\t${j.docId}\t${j.score}`)];
  const trec = judgments.map((j) => `${j.queryId} 0 ${j.docId} ${j.score}`);
  await mkdir(join(outDir, 'qrels'), { recursive: true });
  await writeLines(join(outDir, 'qrels', `${split}.tsv`), tsv);
  await writeLines(join(outDir, 'qrels', `${split}.trec`), trec);
}

export async function writeLines(path: string, lines: readonly string[]): Promise<void> {
  await writeFile(path, lines.length > 0 ? `${lines.join('\n')}\n` : '');
}

/** Numeric ids sort as numbers (`2` before `10`), others as strings: the order the shared qrels use. */
export function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb) && a !== '' && b !== '') return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortJudgments(judgments: Judgment[]): Judgment[] {
  return judgments.sort((x, y) => compareIds(x.queryId, y.queryId) || compareIds(x.docId, y.docId));
}
