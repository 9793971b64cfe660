import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetPath, lacks } from '../helpers/datasets.js';
import { runCli } from './cli.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'rb-err-'));
}

/** Each bad input: exit code 2 (usage/config/data) or 3 (service), one line naming the place and the fix. */
describe('errors are one line with the place and the fix', () => {
  it('an unknown flag exits 2', async () => {
    const result = await runCli(['run', 'evals/quickstart.yaml', '--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('a missing eval file exits 2 naming the file', async () => {
    const result = await runCli(['run', 'evals/nope.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^ragbench: .*evals\/nope\.yaml file not found \(fix: /);
  });

  it('an unknown chunker kind points at the file and line', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad-chunker.yaml'), '# a comment\nkind: recursve\nsizeChars: 100\n');
    await writeFile(
      join(dir, 'eval.yaml'),
      `corpus: ${join(process.cwd(), 'corpora', 'sample.yaml')}\nchunkers: [./bad-chunker.yaml]\nretrievers: [${join(process.cwd(), 'retrievers', 'bm25.yaml')}]\n`,
    );
    const result = await runCli(['run', join(dir, 'eval.yaml'), '--work-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad-chunker\.yaml:2:7 kind: unknown chunker kind "recursve"; valid kinds: fixed, tokens, recursive/);
  });

  it('an invalid option value names the option and its line', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'c.yaml'), 'kind: recursive\nsizeChars: 100\noverlapChars: 900\n');
    await writeFile(
      join(dir, 'eval.yaml'),
      `corpus: ${join(process.cwd(), 'corpora', 'sample.yaml')}\nchunkers: [./c.yaml]\nretrievers: [${join(process.cwd(), 'retrievers', 'bm25.yaml')}]\n`,
    );
    const result = await runCli(['run', join(dir, 'eval.yaml'), '--work-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/c\.yaml:\d+:\d+ overlapChars/);
  });

  it('an unknown metric points at the metrics entry', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'eval.yaml'),
      `corpus: ${join(process.cwd(), 'corpora', 'sample.yaml')}\nchunkers: [${join(process.cwd(), 'chunkers', 'fixed-256.yaml')}]\nretrievers: [${join(process.cwd(), 'retrievers', 'bm25.yaml')}]\nmetrics:\n  - ndcg@10\n  - recal@10\n`,
    );
    const result = await runCli(['run', join(dir, 'eval.yaml'), '--work-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/eval\.yaml:6:5 .*recal@10/);
  });

  it('a pgvector server without its env var names the variable', async () => {
    const dir = await tempDir();
    const result = await runCli(['ingest', 'retrievers/pgvector.yaml', '--corpus', 'corpora/sample.yaml', '--chunker', 'chunkers/fixed-256.yaml', '--work-dir', dir], {
      env: { DATABASE_URL: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL is not set/);
  });

  it('an unreachable Postgres server exits 3 without printing the password', async () => {
    const dir = await tempDir();
    const result = await runCli(['ingest', 'retrievers/pgvector.yaml', '--corpus', 'corpora/sample.yaml', '--chunker', 'chunkers/fixed-256.yaml', '--work-dir', dir], {
      env: { DATABASE_URL: 'postgres://user:hunter2@127.0.0.1:1/db' },
    });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('hunter2');
  });

  it.skipIf(lacks('cranfield'))('a run file with a duplicate document exits 2 naming file and line', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'dup.run'), '1 Q0 12 1 3.0 t\n1 Q0 13 2 2.0 t\n1 Q0 12 3 1.0 t\n');
    const result = await runCli(['score', '--qrels', datasetPath('cranfield', 'qrels', 'test.trec'), '--run', join(dir, 'dup.run')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dup\.run:3/);
  });

  it.skipIf(lacks('cranfield'))('a malformed qrels line exits 2 naming file and line', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.trec'), '1 0 12 1\n1 0 13\n');
    const result = await runCli(['score', '--qrels', join(dir, 'bad.trec'), '--run', datasetPath('cranfield', 'reference', 'bm25.run')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.trec:2/);
  });

  it.skipIf(lacks('cranfield'))('a bad --metrics value exits 2 and lists valid names', async () => {
    const result = await runCli(['score', '--qrels', datasetPath('cranfield', 'qrels', 'test.trec'), '--run', datasetPath('cranfield', 'reference', 'bm25.run'), '--metrics', 'ndcg@ten']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--metrics/);
  });

  it('a corpus folder that does not exist exits 2', async () => {
    const dir = await tempDir();
    const result = await runCli(['ingest', 'retrievers/bm25.yaml', '--corpus', join(dir, 'missing'), '--chunker', 'fixed-256', '--work-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing/);
  });
});
