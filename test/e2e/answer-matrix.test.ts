import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerMatrixRow, AnswerRecord } from '../../src/report/matrix/summary.js';
import type { RunSummary } from '../../src/report/run/summary.js';
import { renderRunHtml } from '../../src/report/run/html.js';
import { readRunReport } from '../../src/pipeline/run/report.js';
import type { MatrixDecision } from '../../src/report/decision/matrix.js';
import { answerModels } from '../doubles/answer-models.js';
import { startOpenAiServer, type OpenAiServer } from '../doubles/openai-server.js';
import { datasetPath, lacks, repoRoot } from '../helpers/datasets.js';
import { runCli, type CliResult } from './cli.js';

const ft = 'ft:gpt-4o-mini-2024-07-18:acme::demo';
/** The double's models: gpt-4o-mini-next is a "model update" that lost closed-book knowledge. */
const skills = {
  'gpt-4o-mini': { closedBook: 0.35, withContext: 0.75, fewShotGain: 0.2 },
  'gpt-4o-mini-next': { closedBook: 0.02, withContext: 0.75, fewShotGain: 0.02 },
  [ft]: { closedBook: 0.7, withContext: 0.8 },
};

/** evals/answer-matrix.yaml as the README shows it, pointed at the double (absolute references, the double's URL). */
async function exampleEval(dir: string, server: OpenAiServer, edit: (text: string) => string = (t) => t): Promise<string> {
  let text = await readFile(join(repoRoot, 'evals', 'answer-matrix.yaml'), 'utf8');
  text = text
    .replace('corpus: pubmedqa-pqal', `corpus: ${join(repoRoot, 'corpora', 'pubmedqa-pqal.yaml')}`)
    .replace('chunkers: [recursive-800]', `chunkers: [${join(repoRoot, 'chunkers', 'recursive-800.yaml')}]`)
    .replace('retrievers: [bm25]', `retrievers: [${join(repoRoot, 'retrievers', 'bm25.yaml')}]`)
    .replaceAll('{ kind: openai, ', `{ kind: openai, baseURL: "${server.url}", `);
  const file = join(dir, 'answer-matrix.yaml');
  await writeFile(file, edit(text));
  return file;
}

async function jsonLines<T>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

describe.skipIf(lacks('pubmedqa-pqal'))('the answer matrix through the real client (evals/answer-matrix.yaml against the OpenAI double)', () => {
  let server: OpenAiServer;
  let dir: string;
  let run: CliResult;
  let summary: RunSummary;
  let records: AnswerRecord[];
  let html: string;
  beforeAll(async () => {
    server = await startOpenAiServer();
    dir = await mkdtemp(join(tmpdir(), 'rb-matrix-'));
    const gold = new Map<string, string>();
    for (const item of await jsonLines<{ question: string; answers: string[] }>(datasetPath('pubmedqa-pqal', 'qa.jsonl'))) gold.set(item.question.trim(), item.answers[0]!);
    server.onChat(answerModels(skills, gold));
    const file = await exampleEval(dir, server);
    run = await runCli(['run', file, '--work-dir', join(dir, 'work'), '--out', join(dir, 'run')], { env: { OPENAI_API_KEY: server.apiKey } });
    summary = JSON.parse(await readFile(join(dir, 'run', 'summary.json'), 'utf8')) as RunSummary;
    records = await jsonLines<AnswerRecord>(join(dir, 'run', 'answers.jsonl'));
    html = await readFile(join(dir, 'run', 'report.html'), 'utf8');
  }, 240_000);
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one row per cell: 2 answerers × 2 prompts × 2 temperatures × (closed-book, retrieved) = 16, each with 3 repeats', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = summary.answerMatrix!;
    expect(rows).toHaveLength(16);
    for (const row of rows) {
      expect(row.repeats).toBe(3);
      expect(row.queries).toBe(30);
      expect(row.lower!).toBeLessThanOrEqual(row.mean!);
      expect(row.upper!).toBeGreaterThanOrEqual(row.mean!);
      expect(row.cost).toBeGreaterThan(0);
    }
    expect(server.requestsTo('/v1/chat/completions')).toHaveLength(16 * 3 * 30);
  });

  it('mean and repeatSd match a hand computation from answers.jsonl; temperature 0 has no spread, 0.8 has', () => {
    for (const row of summary.answerMatrix!) {
      const byQuery = new Map<string, number[]>();
      for (const r of records.filter((r) => r.cell === row.cell)) byQuery.set(r.queryId, [...(byQuery.get(r.queryId) ?? []), r.scores[row.metric]!]);
      const means = [...byQuery.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
      const sds = [...byQuery.values()].map((v) => {
        const m = v.reduce((a, b) => a + b, 0) / v.length;
        return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
      });
      expect(row.mean).toBeCloseTo(means.reduce((a, b) => a + b, 0) / means.length, 12);
      expect(row.repeatSd).toBeCloseTo(sds.reduce((a, b) => a + b, 0) / sds.length, 12);
      if (row.temperature === 0) expect(row.repeatSd).toBe(0);
      else expect(row.repeatSd!).toBeGreaterThan(0.1);
    }
  });

  it('the double answers per model and context: the fine-tuned closed-book beats the base closed-book, context lifts the base', () => {
    const cell = (answerer: string, contexts: string, prompt = 'zero-shot'): AnswerMatrixRow =>
      summary.answerMatrix!.find((r) => r.answerer === answerer && r.contexts === contexts && r.prompt === prompt && r.temperature === 0)!;
    expect(cell('tuned', 'closed-book').mean!).toBeGreaterThan(cell('base', 'closed-book').mean!);
    expect(cell('base', 'retrieved').mean!).toBeGreaterThan(cell('base', 'closed-book').mean!);
    // Few-shot turns reached the model: assistant messages before the question.
    const fewShot = server.requestsTo('/v1/chat/completions').filter((r) => r.chat!.messages.filter((m) => m.role === 'assistant').length === 3);
    expect(fewShot).toHaveLength(8 * 3 * 30);
  });

  it('prints the matrix in the terminal and report.md, and report.html has the heat table with a drill-down per cell', async () => {
    expect(run.stdout).toMatch(/answer matrix: mean of per-question means over repeats/);
    expect(run.stdout).toMatch(/tuned\s+few-shot\s+0\.8\s+retrieved: recursive-800 × bm25\s+\d\.\d{3} \[/);
    expect(await readFile(join(dir, 'run', 'report.md'), 'utf8')).toMatch(/## Answer matrix/);
    expect(html).toMatch(/<h2>Answer matrix<\/h2>/);
    expect(html.match(/<details><summary>answers<\/summary>/g)).toHaveLength(16);
  });

  it('the viewer (report from the run folder) shows the same drill-down, and a damaged answers.jsonl is named by line', async () => {
    const fromFolder = renderRunHtml(await readRunReport(join(dir, 'run')));
    expect(fromFolder.match(/<details><summary>answers<\/summary>/g)).toHaveLength(16);
    const copy = join(dir, 'damaged');
    await cp(join(dir, 'run'), copy, { recursive: true });
    const lines = (await readFile(join(copy, 'answers.jsonl'), 'utf8')).split('\n');
    lines[2] = '{"cell": "x"';
    await writeFile(join(copy, 'answers.jsonl'), lines.join('\n'));
    await expect(readRunReport(copy)).rejects.toThrow(/answers\.jsonl:3/);
  });

  it('a rerun answers every cell from the cache (seeded repeats): no request, the same matrix', async () => {
    server.reset();
    const gold = new Map<string, string>();
    for (const item of await jsonLines<{ question: string; answers: string[] }>(datasetPath('pubmedqa-pqal', 'qa.jsonl'))) gold.set(item.question.trim(), item.answers[0]!);
    server.onChat(answerModels(skills, gold));
    const again = await runCli(['run', join(dir, 'answer-matrix.yaml'), '--work-dir', join(dir, 'work'), '--out', join(dir, 'run2')], { env: { OPENAI_API_KEY: server.apiKey } });
    expect(again.code).toBe(0);
    expect(server.requestsTo('/v1/chat/completions')).toHaveLength(0);
    const second = JSON.parse(await readFile(join(dir, 'run2', 'summary.json'), 'utf8')) as RunSummary;
    expect(second.answerMatrix!.map((r) => [r.cell, r.mean, r.lower, r.upper, r.repeatSd])).toEqual(summary.answerMatrix!.map((r) => [r.cell, r.mean, r.lower, r.upper, r.repeatSd]));
    expect(second.answerMatrix!.every((r) => r.latencyP50 === null)).toBe(true);
  }, 120_000);

  it('decide over the matrix: five arms, paired comparisons (Holm over 10 pairs), what each step buys, a tie reported as a tie', async () => {
    server.reset();
    const out = join(dir, 'decide');
    const result = await runCli(['decide', join(dir, 'answer-matrix.yaml'), '--work-dir', join(dir, 'work'), '--out', out], { env: { OPENAI_API_KEY: server.apiKey } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Every answer came from the cache of the run above: deciding costs nothing more.
    expect(server.requestsTo('/v1/chat/completions')).toHaveLength(0);
    const decision = JSON.parse(await readFile(join(out, 'decision.json'), 'utf8')) as MatrixDecision;
    expect(decision.arms.map((a) => a.name)).toEqual(['closed-book base model', 'few-shot', 'RAG', 'fine-tuned model', 'RAG + fine-tuned']);
    expect(decision.pairwise.family).toMatchObject({ correction: 'holm', size: 10 });
    expect(decision.family).toMatch(/Holm over 10 tests/);
    expect(decision.tied).not.toContain('closed-book base model');
    // RAG (0.75) and RAG + fine-tuned (0.8) on 30 questions: the double's skills differ by less than 30 questions can show.
    expect(decision.significantlyBest).toBe(false);
    expect(decision.tied).toEqual(expect.arrayContaining(['RAG', 'RAG + fine-tuned']));
    expect(decision.headline).toMatch(/^No single best arm: .* are tied on decision-accuracy/);
    expect(decision.queriesNeeded === null || decision.queriesNeeded > 30).toBe(true);
    const rag = decision.steps.find((s) => s.arm === 'RAG')!;
    expect(rag.extraCostPerQuery!).toBeGreaterThan(0);
    expect(rag.deltaPerDollar).toBeCloseTo(rag.delta / rag.extraCostPerQuery!, 9);
    expect(result.stdout).toMatch(/^recommendation: No single best arm/m);
    expect(result.stdout).toMatch(/step \(vs closed-book base model\)/);
    const md = await readFile(join(out, 'decision.md'), 'utf8');
    expect(md).toMatch(/## What each step buys/);
  }, 120_000);

  it('the gate works on answer cells: a model update under the same answerer name fails where it dropped, passes where nothing changed', async () => {
    server.reset();
    const gold = new Map<string, string>();
    for (const item of await jsonLines<{ question: string; answers: string[] }>(datasetPath('pubmedqa-pqal', 'qa.jsonl'))) gold.set(item.question.trim(), item.answers[0]!);
    server.onChat(answerModels(skills, gold));
    const file = await exampleEval(dir, server, (t) =>
      t.replace('model: gpt-4o-mini,', 'model: gpt-4o-mini-next,').replace('prices:\n', 'prices:\n  gpt-4o-mini-next: { input: 0.15, output: 0.6 }\n').replace('decide:', 'gate: { decision-accuracy: { maxDrop: 0.05 } }\ndecide:'),
    );
    const result = await runCli(['run', file, '--work-dir', join(dir, 'work'), '--out', join(dir, 'run-next'), '--baseline', join(dir, 'run')], { env: { OPENAI_API_KEY: server.apiKey } });
    expect(result.stderr).toMatch(/^ragbench: regression gate failed \(\d+\): answer cell base \/ zero-shot \/ t0 \/ closed-book \/ - decision-accuracy dropped by/);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^gate FAILED/m);
    const line = (cell: string) => result.stdout.split('\n').find((l) => l.startsWith(`  ${cell} decision-accuracy:`))!;
    expect(line('base / zero-shot / t0 / closed-book / -')).toMatch(/: FAIL$/);
    // The fine-tuned answerer did not change: the same cached answers, Δ = 0 on every question, L = 0 ≥ −maxDrop.
    expect(line('tuned / zero-shot / t0 / closed-book / -')).toMatch(/: PASS$/);
    expect(result.stdout).toMatch(/Bonferroni over \d+ gated checks/);
  }, 120_000);

  it('refuses before spending when the matrix needs more calls than maxCalls (exit 2, nothing sent)', async () => {
    server.reset();
    const file = await exampleEval(dir, server, (t) => t.replace('maxCalls: 2000', 'maxCalls: 100').replace('repeats: 3', 'repeats: 4'));
    const refused = await runCli(['run', file, '--work-dir', join(dir, 'work-budget'), '--out', join(dir, 'run3')], { env: { OPENAI_API_KEY: server.apiKey } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/needs 1,920 model calls, more than answers\.maxCalls 100; nothing was sent/);
    expect(server.requestsTo('/v1/chat/completions')).toHaveLength(0);
  });

  it('refuses few-shot examples taken from the scored questions', async () => {
    const scored = summary.answerMatrix && (await jsonLines<AnswerRecord>(join(dir, 'run', 'answers.jsonl')))[0]!.queryId;
    const file = await exampleEval(dir, server, (t) => t.replace('fewShot: { examples: 3 }', `fewShot: { examples: 1, ids: ["${scored}"] }`));
    const refused = await runCli(['run', file, '--work-dir', join(dir, 'work-leak'), '--out', join(dir, 'run4')], { env: { OPENAI_API_KEY: server.apiKey } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/example \d+ is one of the scored questions; few-shot examples must come from a held-out split/);
  });
});
