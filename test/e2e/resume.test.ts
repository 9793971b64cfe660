import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
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

describe('an interrupted ingest', () => {
  it('stops at a checkpoint on Ctrl-C (exit 130) and the same command finishes it without duplicates', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'rb-resume-'));
    const args = ['ingest', 'retrievers/local.yaml', '--corpus', 'pubmedqa-pqal', '--chunker', 'tokens-256', '--work-dir', workDir];
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupt as soon as the first checkpoint is on disk (3,358 documents take many checkpoints).
    const deadline = Date.now() + 60_000;
    while (!buildingCheckpoint(workDir) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    const code = await exited;
    expect(stderr).toMatch(/stopping after the current batch/);
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted; run the same command again to resume/);
    const checkpoint = buildingCheckpoint(workDir)!;
    expect(checkpoint.documentsDone).toBeGreaterThan(0);
    expect(checkpoint.documentsDone).toBeLessThan(3358);

    const resumed = await runCli(args);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/tokens-256 → local: \d+ chunks in index rb_\S+ \(resumed, /);
    const reused = await runCli(args);
    expect(reused.stdout).toMatch(/\(reused, /);
    // The store holds every chunk once: the reused index's count equals the chunk count of a full ingest.
    const chunks = Number(/: (\d+) chunks/.exec(resumed.stdout)![1]);
    expect(Number(/: (\d+) chunks/.exec(reused.stdout)![1])).toBe(chunks);
  });
});
