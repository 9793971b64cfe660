import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/report/run/summary.js';
import { datasetPath, lacks, repoRoot } from '../helpers/datasets.js';
import { runCli } from './cli.js';

/**
 * ANN recall as a user sees it: Cranfield (1,400 abstracts, ≈2,000 chunks) through a deliberately poor HNSW index
 * (m 2, ef_construction 4, ef_search 1) beside the exact default. The poor arm must report its recall against
 * exact search, warn naming hnsw.efSearch, and fail the run under `annRecall.gate`.
 */
let dir = '';

async function writeEval(extra: string[]): Promise<string> {
  const file = join(dir, `eval-${Math.random().toString(36).slice(2)}.yaml`);
  const lines = [
    'name: ann-recall',
    `corpus: { path: ${datasetPath('cranfield')}, layout: beir, qrels: test }`,
    `chunkers: [${join(repoRoot, 'chunkers', 'recursive-800.yaml')}]`,
    'metrics: [recall@10]',
    'queryLimit: 40',
    'retrievers:',
    `  - ${join(repoRoot, 'retrievers', 'local.yaml')}`,
    '  - { name: tiny-hnsw, kind: dense, embedder: { kind: hashing, dimensions: 384 }, store: { kind: pgvector, index: hnsw, hnsw: { m: 2, efConstruction: 4, efSearch: 1 } } }',
    ...extra,
    '',
  ];
  await writeFile(file, lines.join('\n'));
  return file;
}

describe.skipIf(lacks('cranfield'))('ANN recall per arm', () => {
  beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'rb-ann-'))));
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('a tiny ef_search arm reports its ANN recall against exact search and warns naming hnsw.efSearch', async () => {
    const evalFile = await writeEval(['annRecall: { queries: 30, k: 10 }']);
    const result = await runCli(['run', evalFile, '--work-dir', join(dir, 'work'), '--out', join(dir, 'run'), '--verbose']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ann-recall@10/);
    expect(result.stdout).toMatch(/local\s+\d+\s+\S+ \[\S+, \S+\]\s+exact/);
    expect(result.stdout).toMatch(/warning: recursive-800 × tiny-hnsw: ANN recall@10 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] over 30 sampled queries .*: below 0\.95; .*raise hnsw\.efSearch/);
    const summary = JSON.parse(await readFile(join(dir, 'run', 'summary.json'), 'utf8')) as RunSummary;
    const [exact, tiny] = summary.arms;
    expect(exact!.annRecall).toBeUndefined();
    expect(tiny!.annRecall).toMatchObject({ k: 10, queries: 30, minRecall: 0.95, raise: 'hnsw.efSearch', index: expect.stringMatching(/ef_search 1\)/) });
    expect(tiny!.annRecall!.recall).toBeGreaterThan(0);
    expect(tiny!.annRecall!.recall).toBeLessThan(0.95);
    // The verdict reads the interval over the 30 sampled queries: its upper bound is under the threshold.
    expect(tiny!.annRecall).toMatchObject({ verdict: 'below', confidence: 0.95 });
    expect(tiny!.annRecall!.lower!).toBeLessThanOrEqual(tiny!.annRecall!.recall!);
    expect(tiny!.annRecall!.upper!).toBeLessThan(0.95);
    // Per-stage timings: recorded for every arm, printed by --verbose; the HNSW arm alone spent time building an index.
    for (const arm of summary.arms) {
      expect(Object.keys(arm.stages!)).toEqual(['read', 'chunk', 'embed', 'write', 'indexBuild', 'query', 'score', 'annRecall', 'answer']);
    }
    expect(exact!.stages!.indexBuild).toBeLessThan(tiny!.stages!.indexBuild);
    expect(tiny!.stages!.annRecall).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/stage seconds:\nstage\s+recursive-800 × local\s+recursive-800 × tiny-hnsw\n[- ]+\nread\s/);
    expect(await readFile(join(dir, 'run', 'report.md'), 'utf8')).toMatch(/## ANN recall[\s\S]*tiny-hnsw .* \| 30 \| 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] @10 \| 0\.95 \| below \| ⚠ raise `hnsw\.efSearch`/);
    expect(await readFile(join(dir, 'run', 'report.html'), 'utf8')).toMatch(/<h2>ANN recall<\/h2>[\s\S]*0\.\d{3} \[0\.\d{3}, 0\.\d{3}\]<\/td><td class="num">0\.95<\/td><td>below<\/td>/);
  });

  it('annRecall.gate fails the run with exit code 1 after writing it, naming the arm', async () => {
    const evalFile = await writeEval(['annRecall: { queries: 30, gate: true }']);
    const result = await runCli(['run', evalFile, '--work-dir', join(dir, 'work'), '--out', join(dir, 'gated'), '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ragbench: warning: recursive-800 × tiny-hnsw: ANN recall@10/);
    expect(result.stderr).toMatch(/ANN recall gate failed \(1\): recursive-800 × tiny-hnsw 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] below 0\.95/);
    expect(JSON.parse(result.stdout).arms[1].annRecall.recall).toBeLessThan(0.95);
  });

  it('compare shows both runs\' stage timings side by side', async () => {
    const result = await runCli(['compare', join(dir, 'run'), join(dir, 'gated'), '--work-dir', join(dir, 'work')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/stage seconds, recursive-800 × tiny-hnsw:\nstage\s+baseline\s+candidate\s+ratio/);
    expect(result.stdout).toMatch(/indexBuild\s+\d/);
  });
});
