import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/datasets.js';
import { cliPath, runCli } from './cli.js';

/** The first checkpoint of an ingest in progress, or undefined. */
function buildingCheckpoint(workDir: string): { documentsDone: number } | undefined {
  const dir = join(workDir, 'indexes');
  if (!existsSync(dir)) return undefined;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      if (manifest.status === 'building' && manifest.documentsDone > 0) return manifest;
    } catch {
      // written atomically, but a directory listing can race a rename: look again next time
    }
  }
  return undefined;
}

/**
 * A BEIR folder of 22,400 documents (the committed sample's 56 abstracts, 400 times under new ids): enough
 * batches that an interrupt at the first checkpoint lands well before the end, on a loaded machine too.
 */
async function writeLargeCorpus(dir: string): Promise<number> {
  const sample = join(repoRoot, 'corpora', 'sample');
  const docs = readFileSync(join(sample, 'corpus.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { _id: string });
  const lines: string[] = [];
  for (let copy = 0; copy < 400; copy++) for (const doc of docs) lines.push(JSON.stringify({ ...doc, _id: copy === 0 ? doc._id : `${doc._id}-${copy}` }));
  await mkdir(join(dir, 'qrels'), { recursive: true });
  await writeFile(join(dir, 'corpus.jsonl'), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'queries.jsonl'), readFileSync(join(sample, 'queries.jsonl')));
  await writeFile(join(dir, 'qrels', 'test.tsv'), readFileSync(join(sample, 'qrels', 'test.tsv')));
  return lines.length;
}

describe('an interrupted ingest', () => {
  it('stops at a checkpoint on Ctrl-C (exit 130) and the same command finishes it without duplicates', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'rb-resume-'));
    const documents = await writeLargeCorpus(join(workDir, 'corpus'));
    const args = ['ingest', 'retrievers/local.yaml', '--corpus', join(workDir, 'corpus'), '--chunker', 'tokens-256', '--work-dir', workDir];
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 60_000;
    while (!buildingCheckpoint(workDir) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // Frozen while the interrupt is queued, so the Ctrl-C lands right after the first checkpoint however slowly
    // this process was scheduled (a late interrupt on a loaded CI machine once arrived after the last batch).
    child.kill('SIGSTOP');
    child.kill('SIGINT');
    child.kill('SIGCONT');
    const code = await exited;
    expect(stderr).toMatch(/stopping after the current batch/);
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted; run the same command again to resume/);
    const checkpoint = buildingCheckpoint(workDir)!;
    expect(checkpoint.documentsDone).toBeGreaterThan(0);
    expect(checkpoint.documentsDone).toBeLessThan(documents);

    const resumed = await runCli(args);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/tokens-256 → local: \d+ chunks in index rb_\S+ \(resumed, /);
    const reused = await runCli(args);
    expect(reused.stdout).toMatch(/\(reused, /);
    // The store holds every chunk once: the reused index's count equals the chunk count of a full ingest.
    const chunks = Number(/: (\d+) chunks/.exec(resumed.stdout)![1]);
    expect(Number(/: (\d+) chunks/.exec(reused.stdout)![1])).toBe(chunks);
    expect(chunks).toBe(26_400);
  });
});
