import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/report/run/summary.js';
import { lacks, repoRoot } from '../helpers/datasets.js';
import { runCli } from './cli.js';

/**
 * evals/hybrid.yaml as a user runs it, on Cranfield: the RRF arm's chunk rankings must equal reciprocal rank fusion
 * recomputed here, independently, from the bm25 and local arms' rankings written to the same run folder
 * (results.jsonl keeps each arm's top 10 chunks, and the eval's depth is 10, the hybrid's component depth).
 */
let dir = '';
let summary: RunSummary;
let rows: Array<{ arm: string; queryId: string; chunks: Array<{ id: string; score: number }> }>;

describe.skipIf(lacks('cranfield'))('evals/hybrid.yaml on Cranfield', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rb-hybrid-'));
    const result = await runCli(['run', join(repoRoot, 'evals', 'hybrid.yaml'), '--work-dir', join(dir, 'work'), '--out', join(dir, 'run')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    summary = JSON.parse(await readFile(join(dir, 'run', 'summary.json'), 'utf8')) as RunSummary;
    rows = (await readFile(join(dir, 'run', 'results.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  }, 300_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('the RRF arm equals Σ 1/(60 + rank) over the bm25 and local rankings, ties by chunk id', () => {
    const ranking = (arm: string) => new Map(rows.filter((row) => row.arm === arm).map((row) => [row.queryId, row.chunks.map((c) => c.id)]));
    const bm25 = ranking('fixed-512 × bm25');
    const local = ranking('fixed-512 × local');
    const hybrid = rows.filter((row) => row.arm === 'fixed-512 × hybrid');
    expect(hybrid).toHaveLength(225);
    let compared = 0;
    for (const row of hybrid) {
      const scores = new Map<string, number>();
      for (const list of [bm25.get(row.queryId)!, local.get(row.queryId)!]) {
        list.forEach((id, index) => scores.set(id, (scores.get(id) ?? 0) + 1 / (60 + index + 1)));
      }
      const expected = [...scores].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, 10);
      expect(row.chunks.map((c) => c.id)).toEqual(expected.map(([id]) => id));
      row.chunks.forEach((chunk, i) => expect(chunk.score).toBeCloseTo(expected[i]![1], 6));
      compared++;
    }
    expect(compared).toBe(225);
  });

  it('the hybrids use their components\' indexes and say which components are approximate (none here)', () => {
    const [bm25, local, rrf, dbsf] = summary.arms;
    // The hybrid's key is made of its components' keys: the same indexes as their own arms.
    expect(rrf!.indexKey).toBe(dbsf!.indexKey);
    expect(rrf!.chunks).toBe(local!.chunks);
    expect(bm25!.chunks).toBe(local!.chunks);
    expect(rrf!.components).toEqual([
      { retriever: 'bm25', approximate: null },
      { retriever: 'local', approximate: null },
    ]);
    expect(local!.components).toBeUndefined();
    // Fusion changes the ranking: the fused arm is neither component.
    expect(rrf!.metrics['ndcg@10']!.mean).not.toBe(bm25!.metrics['ndcg@10']!.mean);
    expect(rrf!.metrics['ndcg@10']!.mean).not.toBe(local!.metrics['ndcg@10']!.mean);
  });
});
