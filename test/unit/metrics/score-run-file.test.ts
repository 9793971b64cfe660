import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Judgments } from '../../../src/corpus/types.js';
import { scoreRun, type ScoreRunOptions } from '../../../src/metrics/evaluate-run.js';
import { readRunRankings } from '../../../src/metrics/run-stream.js';
import { scoreRunFile } from '../../../src/metrics/score-run-file.js';

let dir = '';
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'rb-score-run-file-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

let files = 0;
async function file(lines: readonly string[]): Promise<string> {
  const path = join(dir, `run-${files++}.trec`);
  await writeFile(path, lines.join('\n'));
  return path;
}

const metrics = ['map', 'map@5', 'ndcg@10', 'ndcg', 'recall@3', 'precision@2', 'mrr', 'hit@1', 'rprec'];

/** scoreRunFile's result or error, next to the accumulating path's (readRunRankings + scoreRun) on the same file. */
async function bothWays(path: string, options: Omit<ScoreRunOptions, 'run' | 'metrics'>) {
  const settle = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));
  const streamed = await settle(scoreRunFile({ path, metrics, ...options }));
  const accumulated = await settle(readRunRankings(path).then((run) => scoreRun({ run, metrics, ...options })));
  return { streamed, accumulated };
}

// Grades 1–3, one judged query with no relevant doc, one judged query missing from the runs below.
const judgments: Judgments = new Map([
  ['q1', new Map([['a', 2], ['c', 1], ['z', 3]])],
  ['q2', new Map([['y', 1]])],
  ['q3', new Map<string, number>()],
  ['q4', new Map([['k', 1]])],
]);

// Score ties (broken by doc id descending, not by the rank column), an unjudged query, a blank and a CRLF line.
const contiguous = [
  'q1 Q0 a 1 2.5 t',
  'q1 Q0 b 2 2.5 t',
  'q1 Q0 c 3 3 t\r',
  'q1 Q0 d 4 1 t',
  '',
  'extra Q0 a 1 1 t',
  'q2 Q0 x 1 1 t',
  'q2 Q0 y 2 1 t',
  'q2 Q0 w 3 0.5 t',
  'q3 Q0 a 1 1 t',
];
// The same lines with q1 split in two around other queries.
const interleaved = [contiguous[0]!, contiguous[1]!, ...contiguous.slice(5, 8), contiguous[2]!, contiguous[3]!, ...contiguous.slice(8)];

describe('scoreRunFile (`ragbench score`, one query at a time)', () => {
  it('scores a contiguous run query by query, with the values, order and lists of scoreRun on the whole run', async () => {
    for (const options of [{ judgments }, { judgments, includeUnjudged: true }]) {
      const { streamed, accumulated } = await bothWays(await file(contiguous), options);
      expect(streamed).toMatchObject({ value: { reread: 0 } });
      const { reread: _reread, ...scores } = (streamed as { value: Awaited<ReturnType<typeof scoreRunFile>> }).value;
      expect(scores).toEqual((accumulated as { value: unknown }).value);
      expect([...scores.perQuery.keys()]).toEqual(['q1', 'q2', 'q3', 'q4', ...(options.includeUnjudged ? ['extra'] : [])]);
      expect(scores.missingFromRun).toEqual(['q4']);
      // Ties by doc id descending: q1 ranks c (3), b, a (2.5 each), d; mrr finds c first, a at rank 3.
      expect(scores.perQuery.get('q1')).toMatchObject({ mrr: 1, 'hit@1': 1, 'precision@2': 0.5 });
      // q2: x and y tie at 1, so y (the relevant one) ranks first.
      expect(scores.perQuery.get('q2')).toMatchObject({ mrr: 1 });
    }
  });

  it('falls back to reading the whole run when a query comes back after another, with the same values', async () => {
    const straight = await scoreRunFile({ path: await file(contiguous), judgments, metrics, includeUnjudged: true });
    const { streamed, accumulated } = await bothWays(await file(interleaved), { judgments, includeUnjudged: true });
    expect(streamed).toMatchObject({ value: { reread: 1 } });
    const { reread: _reread, ...scores } = (streamed as { value: typeof straight }).value;
    expect(scores).toEqual((accumulated as { value: unknown }).value);
    const { reread: _straightReread, ...straightScores } = straight;
    expect(scores).toEqual(straightScores);
  });

  it('reports what the accumulating path reports: duplicates (within a group, or across a reappearance), bad lines, --strict', async () => {
    const cases: [string, string[], Omit<ScoreRunOptions, 'run' | 'metrics'>, RegExp][] = [
      ['duplicate within a group', [...contiguous, 'q3 Q0 a 2 0 t'], { judgments }, /:11 query q3 lists doc a twice \(first at line 10\)$/],
      // The first query (in first-appearance order) with a duplicate, though q2's second listing comes first.
      ['duplicates in two groups', ['q1 Q0 a 1 1 t', 'q1 Q0 b 1 1 t', 'q1 Q0 a 1 1 t', 'q2 Q0 y 1 1 t', 'q2 Q0 y 1 1 t'], { judgments }, /:3 query q1 lists doc a twice/],
      ['duplicate across a reappearance', [...contiguous, 'q1 Q0 d 5 0 t'], { judgments }, /:11 query q1 lists doc d twice \(first at line 4\)$/],
      // A malformed line after a duplicate wins: the file is parsed before duplicates are reported.
      ['bad line after a duplicate', ['q1 Q0 a 1 1 t', 'q1 Q0 a 2 1 t', 'q2 Q0 y 1 1 t', 'q2 Q0 y 1 x t'], { judgments }, /:4 score "x" is not a finite number$/],
      ['bad line after a reappearance', [...interleaved, 'q2 Q0 y'], { judgments }, /:10 expected 6 whitespace-separated fields/],
      ['--strict', contiguous, { judgments, requireAllJudged: true }, /no results for 1 judged queries: q4$/],
      ['no query in the qrels', ['x1 Q0 a 1 1 t', 'x2 Q0 a 1 1 t'], { judgments }, /none of the run's 2 query ids appear in the qrels/],
      ['empty run', ['', ' '], { judgments }, /the run is empty/],
    ];
    for (const [name, lines, options, message] of cases) {
      const { streamed, accumulated } = await bothWays(await file(lines), options);
      expect({ name, streamed }).toMatchObject({ name, streamed: { error: { message: expect.stringMatching(message) } } });
      expect(streamed).toEqual(accumulated);
    }
  });

  it('agrees with the accumulating path on random runs: interleaved in places, score ties, some duplicates', async () => {
    let seed = 14;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
    for (let trial = 0; trial < 150; trial++) {
      const lines: string[] = [];
      const pool = 'abcyzkefghijlmnopqrstuvwx';
      for (let q = 0, queries = 1 + next(6); q < queries; q++) {
        const offset = next(pool.length);
        for (let d = 0, docs = next(9); d < docs; d++) lines.push(`q${q} Q0 ${pool[(offset + d) % pool.length]} ${d + 1} ${next(4)} t`);
      }
      // Some lines moved elsewhere (their query is then not together), now and then a document listed twice.
      for (let moves = next(4); moves > 0 && lines.length > 1; moves--) lines.splice(next(lines.length), 0, lines.splice(next(lines.length), 1)[0]!);
      for (const every of [6, 4]) if (trial % every === 0 && lines.length > 0) lines.splice(next(lines.length), 0, lines[next(lines.length)]!);
      const { streamed, accumulated } = await bothWays(await file(lines), { judgments, includeUnjudged: trial % 2 === 0 });
      if ('value' in streamed) {
        const { reread: _reread, ...scores } = streamed.value;
        expect({ trial, scores }).toEqual({ trial, scores: (accumulated as { value: unknown }).value });
      } else {
        expect({ trial, streamed }).toEqual({ trial, streamed: accumulated });
      }
    }
  });

  it('reads a pipe once (it cannot be read twice), with the same values', async () => {
    const fifo = join(dir, 'run.fifo');
    execFileSync('mkfifo', [fifo]);
    const [scores] = await Promise.all([scoreRunFile({ path: fifo, judgments, metrics }), writeFile(fifo, interleaved.join('\n'))]);
    const { reread: _reread, ...values } = scores;
    expect(values).toEqual(scoreRun({ run: await readRunRankings(await file(interleaved)), judgments, metrics }));
  });

  it('rejects a token-budget metric after reading the run, as scoreRun does', async () => {
    const path = await file(contiguous);
    await expect(scoreRunFile({ path, judgments, metrics: ['recall@tokens=100'] })).rejects.toThrow(/needs the retrieved chunks/);
    await expect(scoreRunFile({ path: join(dir, 'missing.trec'), judgments, metrics: ['recall@tokens=100'] })).rejects.toThrow(/cannot read run file/);
  });
});
