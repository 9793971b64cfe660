import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/report/run/summary.js';
import { runCli, type CliResult } from './cli.js';

/** The README quick start, exactly as a user runs it (evals/quickstart.yaml on corpora/sample). */
describe('ragbench run evals/quickstart.yaml', () => {
  let workDir: string;
  let first: CliResult;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'rb-e2e-'));
    first = await runCli(['run', 'evals/quickstart.yaml', '--work-dir', workDir]);
  });

  it('exits 0 and prints one row per chunker × retriever with confidence intervals', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const chunker of ['fixed-256', 'sentences-3', 'recursive-400']) {
      for (const retriever of ['local', 'bm25']) {
        expect(first.stdout).toMatch(new RegExp(`^${chunker}\\s+${retriever}\\s+\\d+\\s+0\\.\\d{3}\\*? \\[0\\.\\d{3}, [01]\\.\\d{3}\\]`, 'm'));
      }
    }
  });

  it('writes the run folder: manifest, summary, per-query results, a TREC run per arm, report', async () => {
    const runs = await readdir(join(workDir, 'runs'));
    expect(runs).toHaveLength(1);
    const dir = join(workDir, 'runs', runs[0]!);
    expect((await readdir(dir)).sort()).toEqual(['documents.jsonl', 'manifest.json', 'queries.jsonl', 'report.html', 'report.md', 'results.jsonl', 'runs', 'summary.json']);
    // The quick start tells the user where to look.
    expect(first.stdout).toContain(`\nreport: ${join(dir, 'report.html')}\n`);
    expect((await readdir(join(dir, 'runs'))).sort()).toHaveLength(6);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.corpus.fingerprint).toMatch(/^[0-9a-f]{8,}$/);
    expect(manifest.versions.ragbench).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.arms[0].indexKey).toMatch(/^rb_/);
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as RunSummary;
    const results = (await readFile(join(dir, 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(results).toHaveLength(summary.arms.reduce((n, arm) => n + arm.queries, 0));
    for (const arm of summary.arms) {
      for (const estimate of Object.values(arm.metrics)) {
        expect(estimate.lower).toBeLessThanOrEqual(estimate.mean);
        expect(estimate.upper).toBeGreaterThanOrEqual(estimate.mean);
      }
    }
  });

  it('reuses the finished indexes on a second run and reproduces the same scores', async () => {
    const second = await runCli(['run', 'evals/quickstart.yaml', '--work-dir', workDir, '--json']);
    expect(second.code).toBe(0);
    const summary = JSON.parse(second.stdout) as RunSummary;
    const local = summary.arms.filter((arm) => arm.retriever === 'local');
    expect(local.every((arm) => arm.ingest.mode === 'reused')).toBe(true);
    const firstTable = first.stdout.split('\n').filter((line) => /^\S+\s+(local|bm25)\s/.test(line));
    for (const arm of summary.arms) {
      const row = firstTable.find((line) => line.startsWith(`${arm.chunker} `) && line.includes(` ${arm.retriever} `));
      expect(row).toContain(arm.metrics['ndcg@10']!.mean.toFixed(3));
    }
  });
});
