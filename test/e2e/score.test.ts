import { describe, expect, it } from 'vitest';
import { datasetPath, irDatasets } from '../helpers/datasets.js';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

/** trec_eval's `all` rows for a measure, from the shared reference outputs. */
function referenceMean(dataset: string, measure: string): number {
  const line = readFileSync(datasetPath(dataset, 'reference', 'trec_eval.per_query.txt'), 'utf8')
    .split('\n')
    .find((row) => {
      const [name, qid] = row.split(/\s+/);
      return name === measure && qid === 'all';
    });
  if (!line) throw new Error(`no ${measure} in reference`);
  return Number(line.split(/\s+/)[2]);
}

describe('ragbench score', () => {
  it.each(irDatasets)('reproduces trec_eval on the %s BM25 reference run (TREC and BEIR qrels)', async (dataset) => {
    for (const qrels of ['test.trec', 'test.tsv']) {
      const result = await runCli([
        'score',
        '--qrels',
        datasetPath(dataset, 'qrels', qrels),
        '--run',
        datasetPath(dataset, 'reference', 'bm25.run'),
        '--metrics',
        'ndcg@10,recall@100,mrr,map,precision@10',
        '--json',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const output = JSON.parse(result.stdout) as { metrics: Record<string, number>; perQuery: Record<string, Record<string, number>> };
      expect(output.metrics['ndcg@10']).toBeCloseTo(referenceMean(dataset, 'ndcg_cut_10'), 4);
      expect(output.metrics['recall@100']).toBeCloseTo(referenceMean(dataset, 'recall_100'), 4);
      expect(output.metrics['mrr']).toBeCloseTo(referenceMean(dataset, 'recip_rank'), 4);
      expect(output.metrics['map']).toBeCloseTo(referenceMean(dataset, 'map'), 4);
      expect(output.metrics['precision@10']).toBeCloseTo(referenceMean(dataset, 'P_10'), 4);
      expect(Object.keys(output.perQuery)).toHaveLength(referenceMean(dataset, 'num_q'));
    }
  });

  it('gives the same output when the run lists its queries interleaved (scored in memory instead of streamed)', async () => {
    const qrels = datasetPath('cranfield', 'qrels', 'test.trec');
    const run = datasetPath('cranfield', 'reference', 'bm25.run');
    // Every query's first document, then every query's second…: no query's lines are together.
    const lines = readFileSync(run, 'utf8').split('\n').filter((line) => line.trim() !== '');
    const rank = (line: string) => Number(line.split(/\s+/)[3]);
    const interleaved = lines.map((line, index) => ({ line, index })).sort((a, b) => rank(a.line) - rank(b.line) || a.index - b.index);
    const dir = await mkdtemp(join(tmpdir(), 'rb-score-'));
    try {
      const shuffled = join(dir, 'interleaved.run');
      await writeFile(shuffled, `${interleaved.map(({ line }) => line).join('\n')}\n`);
      const args = ['--metrics', 'ndcg@10,recall@100,mrr,map,precision@10', '--json', '--include-unjudged'];
      const [streamed, inMemory] = await Promise.all([
        runCli(['score', '--qrels', qrels, '--run', run, ...args]),
        runCli(['score', '--qrels', qrels, '--run', shuffled, ...args]),
      ]);
      expect(inMemory.code).toBe(0);
      expect(inMemory.stdout).toBe(streamed.stdout);
      expect(inMemory.stderr).toBe(streamed.stderr);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints a readable table without --json', async () => {
    const result = await runCli(['score', '--qrels', datasetPath('cranfield', 'qrels', 'test.trec'), '--run', datasetPath('cranfield', 'reference', 'bm25.run')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ndcg@10\s+0\.4790$/m);
  });
});

describe('ragbench list', () => {
  it('lists every kind of every family with options', async () => {
    const result = await runCli(['list']);
    expect(result.code).toBe(0);
    for (const kind of ['fixed', 'tokens', 'recursive', 'sentences', 'markdown', 'hashing', 'openai', 'memory', 'pgvector', 'dense', 'bm25']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${kind} — `, 'm'));
    }
    expect(result.stdout).toMatch(/sizeChars: /);
  });
});
