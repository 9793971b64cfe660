import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashText } from '../shared/hash.js';
import type { Reranker, RerankUsage } from './reranker.js';

/**
 * Wraps a reranker with an on-disk cache of scores per (model fingerprint, query text, document text), so a re-run,
 * a resumed run or another arm with the same candidates pays once. Storage: `<dir>/<hash of the fingerprint>/
 * scores.jsonl`, one `{"key","score"}` line per pair, appended after each call (an interrupted run keeps what it
 * finished); a line that does not parse (a crash mid-write) is skipped, with a warning, and its pair is scored again.
 */
export function withRerankCache(reranker: Reranker, options: { readonly dir: string; readonly warn?: (message: string) => void }): Reranker {
  const folder = join(options.dir, hashText(reranker.fingerprint, 32));
  const file = join(folder, 'scores.jsonl');
  let scores: Promise<Map<string, number>> | undefined;
  let writes: Promise<void> = Promise.resolve();
  let cachedPairs = 0;

  const load = () =>
    (scores ??= (async () => {
      const map = new Map<string, number>();
      let text = '';
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      let damaged = 0;
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          const record = JSON.parse(line) as { key?: unknown; score?: unknown };
          if (typeof record.key === 'string' && typeof record.score === 'number') map.set(record.key, record.score);
          else damaged++;
        } catch {
          damaged++;
        }
      }
      if (damaged > 0) options.warn?.(`rerank cache ${file}: ${damaged} damaged line(s) skipped; those pairs are scored again`);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'meta.json'), `${JSON.stringify({ fingerprint: reranker.fingerprint }, null, 2)}\n`);
      return map;
    })());

  return {
    fingerprint: reranker.fingerprint,
    label: reranker.label,
    async score(query, documents, signal) {
      const map = await load();
      const keys = documents.map((document) => createHash('sha256').update(query).update('\0').update(document).digest('hex').slice(0, 32));
      const missing = [...new Set(keys.filter((key) => !map.has(key)))];
      const fresh = new Set(missing);
      cachedPairs += keys.filter((key) => !fresh.has(key)).length;
      if (missing.length > 0) {
        const texts = missing.map((key) => documents[keys.indexOf(key)]!);
        const scored = await reranker.score(query, texts, signal);
        missing.forEach((key, i) => map.set(key, scored[i]!));
        const lines = missing.map((key, i) => `${JSON.stringify({ key, score: scored[i] })}\n`).join('');
        writes = writes.then(() => appendFile(file, lines));
        await writes;
      }
      return keys.map((key) => map.get(key)!);
    },
    usage(): RerankUsage {
      return { ...reranker.usage(), cachedPairs };
    },
  };
}
