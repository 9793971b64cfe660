import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/datasets.js';
import { runCli } from './cli.js';

/** The user's own ingestion script (LangChain PGVectorStore), run as a separate process: ragbench writes nothing. */
function buildIndex(...args: string[]): string {
  const result = spawnSync(process.execPath, [join(repoRoot, 'evals', 'production', 'build-pgvector-index.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    // spawnSync blocks the event loop, so vitest's own timeout cannot fire: a script that never exits fails here.
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`build-pgvector-index failed (status ${result.status}, signal ${result.signal}): ${result.stderr}`);
  return result.stdout;
}

/**
 * evals/production-index.yaml as CI runs it: an index built beforehand by LangChain (not ragbench) is evaluated
 * read-only; after a botched reindex (half the chunks embedded by another model) the regression gate fails.
 */
describe('evaluating a production pgvector index (evals/production-index.yaml)', () => {
  it('passes on the index as built and fails the gate (exit 1) on a degraded reindex, naming the changed index', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'rb-production-'));
    expect(buildIndex()).toContain('163 chunks written');
    const baseline = await runCli(['run', 'evals/production-index.yaml', '--work-dir', workDir, '--out', join(workDir, 'baseline')]);
    expect(baseline.stderr).toBe('');
    expect(baseline.code).toBe(0);
    expect(baseline.stdout).toContain('production-pgvector');

    expect(buildIndex('--degrade', '0.5')).toContain('50% embedded by another model');
    const candidate = await runCli(['run', 'evals/production-index.yaml', '--work-dir', workDir, '--out', join(workDir, 'candidate'), '--baseline', join(workDir, 'baseline')]);
    expect(candidate.code).toBe(1);
    expect(candidate.stdout).toMatch(/retriever\.evaluated\.checksum "[0-9a-f]{32}" → "[0-9a-f]{32}"/);
    expect(candidate.stdout).toMatch(/recall@10 .* FAIL/);
    buildIndex();
  }, 180_000);
});
