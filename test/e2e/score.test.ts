import { describe, expect, it } from 'vitest';
import { datasetPath, irDatasets, lacks } from '../helpers/datasets.js';
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
  it.skipIf(lacks(...irDatasets)).each(irDatasets)('reproduces trec_eval on the %s BM25 reference run (TREC and BEIR qrels)', async (dataset) => {
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

  it.skipIf(lacks('cranfield'))('gives the same output when the run lists its queries interleaved (scored in memory instead of streamed)', async () => {
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

  it.skipIf(lacks('cranfield'))('reads trec_eval 10.0 test-file shapes (comments, tabs, padded scores, fields after the tag) to the same scores as trec_eval', async () => {
    // The shapes of trec_eval's own test/results.comment.test and test/qrels.comment.test, applied to the cranfield
    // reference run that trec_eval 10.0 scored (test/reference-data/cranfield/trec_eval.command.txt).
    const qrels = datasetPath('cranfield', 'qrels', 'test.trec');
    const run = datasetPath('cranfield', 'reference', 'bm25.run');
    const runLines = readFileSync(run, 'utf8').split('\n').filter((line) => line.trim() !== '');
    const qrelsLines = readFileSync(qrels, 'utf8').split('\n').filter((line) => line.trim() !== '');
    const decoratedRun = [
      '# This is my favorite run',
      '# It starts with comments.',
      ...runLines.flatMap((line, index) => {
        const [qid, q0, doc, rank, score, tag] = line.split(/\s+/);
        // tabs and a space-padded score (results.comment.test), extra fields after the tag, a rank trec_eval ignores
        const decorated = index % 3 === 0 ? `${qid}\t${q0}\t${doc}\t${rank}\t  ${score}\t${tag}` : index % 3 === 1 ? `${line} extra fields 7 8` : `${qid} ${q0} ${doc} r${rank} ${score} ${tag}`;
        return index % 500 === 250 ? ['  # an indented comment mid-file', decorated] : [decorated];
      }),
    ];
    const decoratedQrels = ['# This is a test comment', ...qrelsLines.flatMap((line, index) => (index % 400 === 200 ? ['# And another one', line] : [line]))];
    const dir = await mkdtemp(join(tmpdir(), 'rb-score-te-'));
    try {
      await writeFile(join(dir, 'decorated.run'), `${decoratedRun.join('\n')}\n`);
      await writeFile(join(dir, 'decorated.qrels'), `${decoratedQrels.join('\n')}\n`);
      const args = ['--metrics', 'ndcg@10,recall@100,mrr,map,precision@10', '--json'];
      const [plain, decorated] = await Promise.all([
        runCli(['score', '--qrels', qrels, '--run', run, ...args]),
        runCli(['score', '--qrels', join(dir, 'decorated.qrels'), '--run', join(dir, 'decorated.run'), ...args]),
      ]);
      expect(decorated.stderr).toBe('');
      expect(decorated.code).toBe(0);
      expect(decorated.stdout).toBe(plain.stdout);
      const output = JSON.parse(decorated.stdout) as { metrics: Record<string, number> };
      expect(output.metrics['map']).toBeCloseTo(referenceMean('cranfield', 'map'), 4);
      expect(output.metrics['ndcg@10']).toBeCloseTo(referenceMean('cranfield', 'ndcg_cut_10'), 4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['a run line without the run tag', 'run', '1 Q0 184 1 22.4\n', /bad\.run:1 expected 6 whitespace-separated fields/],
    ['a qrels line with a 5th field', 'qrels', '1 0 184 1\n1 0 29 2 x\n', /bad\.qrels:2 expected 4 whitespace-separated fields/],
    ['a qrels line with 3 fields', 'qrels', '1 0 184 1\n1 0 29\n', /bad\.qrels:2 expected 4 whitespace-separated fields/],
  ])('keeps refusing what trec_eval refuses: %s (exit 2, file:line)', async (_what, kind, text, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-score-bad-'));
    try {
      const file = join(dir, kind === 'run' ? 'bad.run' : 'bad.qrels');
      await writeFile(file, text);
      const good = { qrels: join(dir, 'good.qrels'), run: join(dir, 'good.run') };
      await writeFile(good.qrels, '1 0 184 1\n');
      await writeFile(good.run, '1 Q0 184 1 22.4 t\n');
      const result = await runCli(['score', '--qrels', kind === 'qrels' ? file : good.qrels, '--run', kind === 'run' ? file : good.run]);
      expect(result.stderr).toMatch(message);
      expect(result.code).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(lacks('cranfield'))('prints a readable table without --json', async () => {
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
