import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRun, type RankedDoc } from '../../../../src/metrics/run-file.js';
import { writeRunFolder, type QueryResult } from '../../../../src/pipeline/run/results.js';
import type { RunSummary } from '../../../../src/report/run/summary.js';

/** results.jsonl and runs/*.trec are written in pieces (issue 14): the bytes must be what one string gave. */
describe('writeRunFolder', () => {
  it('streams results.jsonl and the TREC runs, several megabytes, byte-identical to writing them whole', async () => {
    const run = new Map<string, RankedDoc[]>();
    const results: QueryResult[] = [];
    for (let q = 0; q < 3000; q++) {
      const top = Array.from({ length: 100 }, (_, r) => ({ docId: `doc-${q}-${r}`, score: 100 - r + q / 7 }));
      run.set(`q${q}`, top);
      results.push({ arm: 'a', queryId: `q${q}`, metrics: { 'recall@10': (q % 10) / 10 }, top: top.slice(0, 10) });
    }
    run.set('empty', []);
    const dir = await writeRunFolder(join(await mkdtemp(join(tmpdir(), 'rb-store-')), 'r'), {
      manifest: {},
      summary: {} as RunSummary,
      results,
      runs: new Map([['arm', run]]),
      reportMarkdown: '',
    });
    expect(await readFile(join(dir, 'results.jsonl'), 'utf8')).toBe(results.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const trec = await readFile(join(dir, 'runs', 'arm.trec'), 'utf8');
    expect(trec.length).toBeGreaterThan(2 << 20);
    expect(trec).toBe(formatRun(run, 'arm'));
  });

  it('writes an empty results.jsonl as one newline, as before', async () => {
    const dir = await writeRunFolder(join(await mkdtemp(join(tmpdir(), 'rb-store-')), 'r'), {
      manifest: {},
      summary: {} as RunSummary,
      results: [],
      runs: new Map([['arm', new Map()]]),
      reportMarkdown: '',
    });
    expect(await readFile(join(dir, 'results.jsonl'), 'utf8')).toBe('\n');
    expect(await readFile(join(dir, 'runs', 'arm.trec'), 'utf8')).toBe('');
  });
});
