import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/datasets.js';
import { runCli } from './cli.js';

/** Issue 11: the red team's commands, as a user types them on the built CLI. Each is one line and exit 2/3. */
describe('faults that used to be silent or a stack trace', () => {
  const oneLine = (stderr: string) => stderr.trim().split('\n').filter((line) => !line.startsWith('ragbench: warning:'));

  it('--work-dir /proc/x returns at once with exit 2 (it spun forever)', async () => {
    const result = await runCli(['run', 'evals/quickstart.yaml', '--work-dir', '/proc/x']);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toEqual([expect.stringMatching(/^ragbench: --work-dir \/proc\/x is under \/proc, a kernel pseudo file system \(fix: /)]);
  });

  it('a file in place of the work dir is exit 2 with one line (it was exit 70 with a stack)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-faults-'));
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const result = await runCli(['ingest', 'retrievers/bm25.yaml', '--corpus', 'sample', '--chunker', 'fixed-256', '--work-dir', file]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toEqual([`ragbench: --work-dir ${file} is a file, not a folder (fix: pass --work-dir (or set RAGBENCH_DIR) to a writable folder, e.g. --work-dir .ragbench)`]);
  });

  it.each([
    ['duplicate metrics', 'metrics: [ndcg@10, NDCG@10]', /metric NDCG@10 is listed twice \(as ndcg@10\)/, ':6:'],
    ['an absurd k', 'metrics: [recall@99999999999]', /k must be at most 10000/, ':6:'],
    ['an unknown top-level key', 'metrics: [ndcg@10]\ntypo: 1', /typo: unknown key/, ':7:1 '],
  ])('an eval with %s is exit 2 at its line', async (_case, line, message, place) => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-faults-'));
    const file = join(dir, 'eval.yaml');
    await writeFile(file, `# eval\nname: x\ncorpus: ${join(repoRoot, 'corpora', 'sample')}\nchunkers: [${join(repoRoot, 'chunkers', 'fixed-256.yaml')}]\nretrievers: [${join(repoRoot, 'retrievers', 'bm25.yaml')}]\n${line}\n`);
    const result = await runCli(['run', file, '--work-dir', join(dir, 'w')]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(`${file}${place}`);
  });

  it('score: judged queries missing from the run are reported, --strict refuses them, an empty run is exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-faults-'));
    await writeFile(join(dir, 'qrels.trec'), 'q1 0 d1 1\nq2 0 d2 1\nq3 0 d3 1\n');
    await writeFile(join(dir, 'run.trec'), 'q1 Q0 d1 1 2.0 x\n');
    await writeFile(join(dir, 'empty.trec'), '\n');
    const args = (run: string) => ['score', '--qrels', join(dir, 'qrels.trec'), '--run', join(dir, run), '--metrics', 'recall@10'];
    const lenient = await runCli(args('run.trec'));
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('queries scored: 3 (2 missing from the run, scored 0)');
    expect(lenient.stderr).toContain('warning: 2 judged queries are missing from the run and scored 0: q2, q3');
    const strict = await runCli([...args('run.trec'), '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/no results for 2 judged queries: q2, q3/);
    const empty = await runCli(args('empty.trec'));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/the run is empty/);
  });
});

describe('secrets inside URLs (issue 11 #4)', () => {
  it('a baseURLEnv with user:pass@ and ?token= works and appears nowhere in the run folder or the cache meta', async () => {
    const { startOpenAiServer } = await import('../doubles/openai-server.js');
    const { readFile, readdir } = await import('node:fs/promises');
    const server = await startOpenAiServer({ apiKey: 'sk-unused', basicAuth: 'alice:s3cr3t' });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'rb-faults-'));
      const url = new URL(server.url);
      await writeFile(
        join(dir, 'remote.yaml'),
        'kind: dense\nembedder: { kind: openai, model: text-embedding-3-small, dimensions: 32, baseURLEnv: EMBED_URL }\nstore: { kind: memory }\n',
      );
      await writeFile(
        join(dir, 'eval.yaml'),
        `name: secret-url\ncorpus: ${join(repoRoot, 'corpora', 'sample')}\nchunkers: [${join(repoRoot, 'chunkers', 'fixed-256.yaml')}]\nretrievers: [remote.yaml]\nmetrics: [ndcg@10]\n`,
      );
      const workDir = join(dir, 'w');
      const result = await runCli(['run', join(dir, 'eval.yaml'), '--work-dir', workDir, '--out', join(dir, 'run')], {
        env: { EMBED_URL: `http://alice:s3cr3t@${url.host}${url.pathname}?token=t0k3n` },
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const manifest = await readFile(join(dir, 'run', 'manifest.json'), 'utf8');
      const cacheDir = join(workDir, 'cache', 'embeddings');
      const [entry] = await readdir(cacheDir);
      const meta = await readFile(join(cacheDir, entry!, 'meta.json'), 'utf8');
      for (const text of [manifest, meta, result.stdout]) {
        expect(text).not.toMatch(/s3cr3t|t0k3n|alice/);
      }
      expect(meta).toContain('token=***');
    } finally {
      await server.close();
    }
  });
});
