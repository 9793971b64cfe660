import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

/**
 * `ragbench faithfulness` as a user runs it, on a small labelled set written here: 40 questions, two systems, answers
 * copied from the context (faithful) or made up (unfaithful), scored with k-precision.
 */
let dir: string;
let labels: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rb-faith-'));
  const lines = [];
  for (let q = 0; q < 40; q++) {
    const context = `Item ${q} was measured at ${q * 3} degrees in the northern station during spring of year ${1900 + q}.`;
    for (const system of ['a', 'b']) {
      const faithful = (q + (system === 'a' ? 0 : 1)) % 3 !== 0;
      const answer = faithful ? `Item ${q} was measured at ${q * 3} degrees.` : `Purple elephants ${q} dance quietly under ${system} moons.`;
      lines.push(JSON.stringify({ id: `${q}-${system}`, question: `question ${q}`, context, answer, label: faithful ? 'faithful' : 'unfaithful', system }));
    }
  }
  labels = join(dir, 'labels.jsonl');
  await writeFile(labels, `${lines.join('\n')}\n`);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('ragbench faithfulness', () => {
  it('--json gives aucCi and per-group intervals, bootstrapped by question', async () => {
    const result = await runCli(['faithfulness', '--labels', labels, '--metric', 'k-precision', '--group-by', 'system', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.aucCi.lower).toBeLessThanOrEqual(out.auc);
    expect(out.aucCi.upper).toBeGreaterThanOrEqual(out.auc);
    expect(out.intervals).toEqual({ confidence: 0.95, resamples: 2000, seed: 42, unit: 'question', minQuestions: 5 });
    expect(out.overall.questions).toBe(40);
    expect(Object.keys(out.groups)).toEqual(['a', 'b']);
    for (const group of Object.values(out.groups) as { auc: { mean: number; lower: number; upper: number } }[]) {
      expect(group.auc.lower).toBeLessThanOrEqual(group.auc.mean);
      expect(group.auc.upper).toBeGreaterThanOrEqual(group.auc.mean);
    }
  });

  it('the text prints every figure with its interval, per group too', async () => {
    const result = await runCli(['faithfulness', '--labels', labels, '--metric', 'k-precision', '--group-by', 'system']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/intervals: 95% percentile bootstrap by question \(40 questions/);
    expect(result.stdout).toMatch(/ROC AUC \(faithful\)\s+\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]/);
    expect(result.stdout).toMatch(/balanced accuracy \(5-fold CV\)\s+\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]\s+threshold/);
    expect(result.stdout).toMatch(/unfaithful judged unfaithful\s+\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]/);
    expect(result.stdout).toMatch(/\na\s+40\s+40\s+\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
    expect(result.stdout).toMatch(/faithful rate \[95% interval\]\n\[0\.\d, 0\.\d\)\s+\d+\s+\d\.\d{3}\s+\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
  });
});
