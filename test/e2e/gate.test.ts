import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/report/comparison/summary.js';
import { runCli } from './cli.js';
import { lacks } from '../helpers/datasets.js';

/**
 * Issue #5's acceptance test, as CI would run it on Cranfield: BM25 over recursive 800-character chunks is the
 * baseline; a reindex with 64-character fixed windows under the same arm name must fail the gate on ndcg@10 and
 * recall@10, and the baseline config compared with a second run of itself must pass with zero deltas and p = 1.
 */
describe.skipIf(lacks('cranfield'))('regression gate on Cranfield (ragbench compare, ragbench run --baseline)', () => {
  let workDir: string;
  const baseline = () => join(workDir, 'baseline');
  const again = () => join(workDir, 'baseline-again');
  const worse = () => join(workDir, 'worse');

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'rb-gate-'));
    for (const [file, out] of [
      ['baseline.yaml', baseline()],
      ['baseline.yaml', again()],
      ['candidate-worse.yaml', worse()],
    ] as const) {
      const result = await runCli(['run', `test/fixtures/gate/${file}`, '--work-dir', workDir, '--out', out]);
      if (result.code !== 0) throw new Error(`ragbench run ${file} failed: ${result.stderr}`);
    }
  });

  it('fails a much worse chunker with exit code 1, flagging ndcg@10 and recall@10', async () => {
    const junit = join(workDir, 'gate.xml');
    const markdown = join(workDir, 'summary.md');
    const result = await runCli(['compare', baseline(), worse(), '--work-dir', workDir, '--json', '--junit', junit, '--markdown', markdown]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ragbench: regression gate failed \(2\): main × bm25 ndcg@10 dropped by .*recall@10 dropped by/);
    const comparison = JSON.parse(result.stdout) as Comparison;
    expect(comparison.passed).toBe(false);
    const arm = comparison.arms.find((a) => a.arm === 'main × bm25')!;
    expect(arm.queries).toBe(225);
    const byMetric = Object.fromEntries(arm.metrics.map((m) => [m.metric, m]));
    for (const metric of ['ndcg@10', 'recall@10']) {
      expect(byMetric[metric]!.verdict).toBe('fail');
      expect(byMetric[metric]!.delta).toBeLessThan(-0.05);
      expect(byMetric[metric]!.ci.upper).toBeLessThan(0);
      expect(byMetric[metric]!.pDropHolm).toBeLessThan(0.001);
    }
    expect(byMetric['mrr@10']!.verdict).toBe('ungated');
    expect(comparison.changes).toContainEqual({ scope: 'main × bm25', path: 'chunker.options.sizeChars', baseline: '800', candidate: '64' });
    expect(comparison.changes).toContainEqual({ scope: 'main × bm25', path: 'chunker.kind', baseline: '"recursive"', candidate: '"fixed"' });
    expect(arm.queryDiffs.filter((d) => d.lost.length > 0).length).toBeGreaterThan(50);

    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="main × bm25" tests="2" failures="2"/);
    expect(xml).toContain('<failure message="ndcg@10 dropped by');
    const summary = await readFile(markdown, 'utf8');
    expect(summary).toMatch(/^## ❌ ragbench gate failed: 2 of 2 gated checks/);
    expect(summary).toContain('| main × bm25 | `chunker.options.sizeChars` | `800` | `64` |');
  });

  it('passes the same config against itself: exit 0, nothing changed, deltas 0, p = 1', async () => {
    const result = await runCli(['compare', baseline(), again(), '--work-dir', workDir, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const comparison = JSON.parse(result.stdout) as Comparison;
    expect(comparison.passed).toBe(true);
    expect(comparison.changes).toEqual([]);
    for (const metric of comparison.arms[0]!.metrics) {
      expect(metric).toMatchObject({ delta: 0, pDrop: 1, pTwoSided: 1, ci: { lower: 0, upper: 0 } });
    }
    expect(comparison.arms[0]!.queryDiffs).toEqual([]);
  });

  it('gates a fresh run with --baseline, printing the comparison table after the run', async () => {
    const result = await runCli([
      'run', 'test/fixtures/gate/candidate-worse.yaml', '--work-dir', workDir, '--out', join(workDir, 'worse-again'), '--baseline', baseline(),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^gate FAILED \(2 metrics\): baseline \S+ → candidate \S+$/m);
    expect(result.stdout).toMatch(/^ndcg@10 .* FAIL$/m);
    expect(result.stderr).toContain('regression gate failed (2)');
  });

  it('calls a drop close to maxDrop inconclusive (exit 1, never "regression"), and onInconclusive: pass lets it through', async () => {
    // ndcg@10 drops by ≈ 0.123 here, one-sided 95% bounds ≈ [−0.142, −0.104]: a margin of 0.12 lies inside them
    const gateFile = join(workDir, 'near.yaml');
    await writeFile(gateFile, 'gate:\n  ndcg@10: { maxDrop: 0.12, alpha: 0.05 }\n');
    const blocked = await runCli(['compare', baseline(), worse(), '--work-dir', workDir, '--gate-file', gateFile]);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toMatch(/^gate INCONCLUSIVE \(1 check, onInconclusive: fail\)/m);
    expect(blocked.stderr).toMatch(/^ragbench: gate inconclusive \(1, onInconclusive: fail\): main × bm25 ndcg@10 inconclusive: the bounds \[−0\.\d+, −0\.\d+\] straddle −maxDrop \(−0\.12\) \(paired bootstrap one-sided 95% bounds, α split by Bonferroni over 1 gated check/);
    expect(blocked.stderr).toMatch(/about [\d,]+ queries \(now 225\) would decide/);
    expect(`${blocked.stdout}${blocked.stderr}`).not.toMatch(/regression gate failed|FAILED/);
    await writeFile(gateFile, 'gate:\n  onInconclusive: pass\n  ndcg@10: { maxDrop: 0.12, alpha: 0.05 }\n');
    const allowed = await runCli(['compare', baseline(), worse(), '--work-dir', workDir, '--gate-file', gateFile, '--json']);
    expect(allowed.code).toBe(0);
    const comparison = JSON.parse(allowed.stdout) as Comparison;
    expect(comparison.arms[0]!.metrics.find((m) => m.metric === 'ndcg@10')).toMatchObject({ verdict: 'inconclusive', blocks: false, gate: { onInconclusive: 'pass' } });
  });
});
