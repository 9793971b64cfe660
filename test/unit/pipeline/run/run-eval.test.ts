import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEval } from '../../../../src/config/load-eval.js';
import { checkSummaryAgainstResults, runEval } from '../../../../src/pipeline/run/run-eval.js';
import { createEnv } from '../../../../src/shared/env.js';
import { lacks, repoRoot } from '../../../helpers/datasets.js';

async function evalFile(body: string): Promise<{ file: string; workDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'rb-run-'));
  const file = join(dir, 'eval.yaml');
  await writeFile(file, body);
  return { file, workDir: join(dir, '.ragbench') };
}

describe('runEval', () => {
  it('scores only the first N queries under queryLimit (the other judged queries are not counted as misses)', async () => {
    const { file, workDir } = await evalFile(
      `corpus: ${join(repoRoot, 'corpora', 'sample.yaml')}\nchunkers: [${join(repoRoot, 'chunkers', 'fixed-256.yaml')}]\n` +
        `retrievers: [${join(repoRoot, 'retrievers', 'bm25.yaml')}]\nmetrics: [recall@10]\nqueryLimit: 4\n`,
    );
    const limited = await runEval(await loadEval(file), { workDir, env: createEnv({}) });
    expect(limited.summary.arms[0]!.queries).toBe(4);
    const lines = (await readFile(join(limited.dir, 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(4);
    const perQuery = lines.map((line) => JSON.parse(line).metrics['recall@10'] as number);
    expect(limited.summary.arms[0]!.metrics['recall@10']!.mean).toBeCloseTo(perQuery.reduce((a, b) => a + b, 0) / 4, 12);
  });

  it.skipIf(lacks('pubmedqa-pqal'))('with an answers section, answers every query and reports answer metrics with their unscorable counts', async () => {
    const { file, workDir } = await evalFile(
      `corpus: ${join(repoRoot, 'corpora', 'pubmedqa-pqal.yaml')}\nchunkers: [${join(repoRoot, 'chunkers', 'recursive-800.yaml')}]\n` +
        `retrievers: [${join(repoRoot, 'retrievers', 'bm25.yaml')}]\nmetrics: [recall@5]\nqueryLimit: 12\n` +
        `answers:\n  answerer: { kind: extractive }\n  metrics: [token-f1, decision-accuracy, context-recall, faithfulness-lexical]\n`,
    );
    const outcome = await runEval(await loadEval(file), { workDir, env: createEnv({}) });
    expect(outcome.summary.answerMetrics).toEqual(['token-f1', 'decision-accuracy', 'context-recall', 'faithfulness-lexical']);
    const answers = outcome.summary.arms[0]!.answers!;
    for (const metric of outcome.summary.answerMetrics!) {
      const estimate = answers[metric]!;
      expect(estimate.scored + estimate.nulls).toBe(12);
      if (estimate.mean !== null) {
        expect(estimate.mean).toBeGreaterThanOrEqual(0);
        expect(estimate.mean).toBeLessThanOrEqual(1);
      }
    }
    const first = JSON.parse((await readFile(join(outcome.dir, 'results.jsonl'), 'utf8')).split('\n')[0]!);
    expect(first.answer.text.length).toBeGreaterThan(0);
    expect(['yes', 'no', 'maybe']).toContain(first.answer.label);
    expect(first.answer.contextIds.length).toBeLessThanOrEqual(5);
    const report = await readFile(join(outcome.dir, 'report.md'), 'utf8');
    expect(report).toContain("## Answers");
  });
});

describe('runEval with span metrics', () => {
  it.skipIf(lacks('cranfield'))('scores chunks against labelled spans and reports context cost', async () => {
    const { file, workDir } = await evalFile(
      `corpus: ${join(repoRoot, 'corpora', 'cranfield-synth.yaml')}\nchunkers: [${join(repoRoot, 'chunkers', 'recursive-800.yaml')}]\n` +
        `retrievers: [${join(repoRoot, 'retrievers', 'bm25.yaml')}]\nmetrics: [recall@5]\nqueryLimit: 25\n` +
        `spanMetrics: [span-recall@5, SPAN-IOU@5, token-iou@5, context-tokens@5]\n`,
    );
    const plan = await loadEval(file);
    expect(plan.spanMetrics).toEqual(['span-recall@5', 'span-iou@5', 'token-iou@5', 'context-tokens@5']);
    const outcome = await runEval(plan, { workDir, env: createEnv({}) });
    const spans = outcome.summary.arms[0]!.spans!;
    expect(spans['span-recall@5']!.scored).toBe(25);
    // The committed synthetic set says what it favours, in the summary and the manifest (also for its old report).
    expect(outcome.summary.corpus.testSet?.caveat).toMatch(/^test set: synthetic known-item, favours lexical retrievers/);
    const manifest = JSON.parse(await readFile(join(outcome.dir, 'manifest.json'), 'utf8'));
    expect(manifest.corpus.testSet.method).toBe('known-item');
    const first = JSON.parse((await readFile(join(outcome.dir, 'results.jsonl'), 'utf8')).split('\n')[0]!);
    expect(first.spans['span-iou@5']).toBeGreaterThanOrEqual(0);
    expect(first.spans['span-iou@5']).toBeLessThanOrEqual(first.spans['span-recall@5']);
    expect(Number.isInteger(first.spans['context-tokens@5'])).toBe(true);
    // tokens are coarser than characters, so token IoU is close to, not equal to, character IoU
    expect(Math.abs(first.spans['token-iou@5'] - first.spans['span-iou@5'])).toBeLessThan(0.1);
  });

  it('refuses span metrics on a corpus without span labels, naming the eval file and the fix', async () => {
    const { file, workDir } = await evalFile(
      `corpus: ${join(repoRoot, 'corpora', 'sample.yaml')}\nchunkers: [${join(repoRoot, 'chunkers', 'fixed-256.yaml')}]\n` +
        `retrievers: [${join(repoRoot, 'retrievers', 'bm25.yaml')}]\nspanMetrics: [span-recall@5]\n`,
    );
    await expect(runEval(await loadEval(file), { workDir, env: createEnv({}) })).rejects.toThrow(/no qrels\/test\.spans\.jsonl/);
  });

  it('points an unknown span metric at its line', async () => {
    const { file } = await evalFile(
      `corpus: ${join(repoRoot, 'corpora', 'sample.yaml')}\nchunkers: [fixed]\nretrievers: [bm25]\nspanMetrics:\n  - span-recal@5\n`,
    );
    await expect(loadEval(file)).rejects.toThrow(/eval\.yaml:5:5 unknown span metric "span-recal@5"/);
  });
});

describe('checkSummaryAgainstResults', () => {
  const arm = (metrics: Record<string, number>) =>
    ({ arm: 'a × b', metrics: Object.fromEntries(Object.entries(metrics).map(([m, mean]) => [m, { mean, lower: mean, upper: mean }])) }) as never;
  const rows = [
    { arm: 'a × b', queryId: 'q1', metrics: { 'recall@5': 1, 'ndcg@10': 0.5 } },
    { arm: 'a × b', queryId: 'q2', metrics: { 'recall@5': 0, 'ndcg@10': 0.25 } },
  ] as never[];

  it('accepts a summary whose means are the means of the per-query results', () => {
    expect(() => checkSummaryAgainstResults([arm({ 'recall@5': 0.5, 'ndcg@10': 0.375 })], rows)).not.toThrow();
  });

  it('refuses one where a metric carries another metric\'s estimate (what an intermittent miscompile produced)', () => {
    expect(() => checkSummaryAgainstResults([arm({ 'recall@5': 0.375, 'ndcg@10': 0.375 })], rows)).toThrow(
      /a × b recall@5 summary mean 0.375 ≠ mean of its per-query results 0.5/,
    );
  });
});
