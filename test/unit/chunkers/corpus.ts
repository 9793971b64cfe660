import { readFileSync } from 'node:fs';
import type { Document } from '../../../src/corpus/types.js';
import { datasetPath } from '../../helpers/datasets.js';

/** The documents of a shared BEIR corpus: a tiny reader, the real one lives in src/corpus. */
export function readCorpus(name: string): Document[] {
  return readFileSync(datasetPath(name, 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const row = JSON.parse(line) as { _id: string; title?: string; text: string };
      return { id: row._id, title: row.title, text: row.text };
    });
}

/** Distinct multi-paragraph contexts of the faithfulness sets, which the IR corpora (no newlines) lack. */
export function readContexts(name: string, limit: number): Document[] {
  const contexts = new Set<string>();
  for (const line of readFileSync(datasetPath(name, 'labels.jsonl'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    contexts.add((JSON.parse(line) as { context: string }).context);
    if (contexts.size >= limit) break;
  }
  return [...contexts].map((text, i) => ({ id: `${name}-${i}`, text }));
}

export const spansOf = (chunks: readonly { start: number; end: number }[]) => chunks.map((c) => [c.start, c.end]);
