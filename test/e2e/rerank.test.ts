import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/report/run/summary.js';
import { startRerankServer, type RerankServer } from '../doubles/rerank-server.js';
import { repoRoot } from '../helpers/datasets.js';
import { writeTinyBert } from '../helpers/tiny-bert.js';
import { runCli } from './cli.js';

/**
 * Everything switched on from YAML, offline, through the real code paths: a dense retriever on the transformers
 * embedder (a tiny BERT the test builds), a BM25 arm reranked by a local cross-encoder (another tiny BERT), and a
 * hybrid of the two reranked by an HTTP rerank API (the strict local double, Cohere shape, priced per search).
 */
let dir = '';
let server: RerankServer;
const key = 'sk-e2e-51c0';

async function run(): Promise<{ summary: RunSummary; stdout: string; rows: Array<{ arm: string; queryId: string; chunks: Array<{ id: string; score: number }> }> }> {
  const out = join(dir, `run-${Math.random().toString(36).slice(2)}`);
  const result = await runCli(['run', join(dir, 'eval.yaml'), '--work-dir', join(dir, 'work'), '--out', out, '--verbose'], { env: { RERANK_KEY: key } });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as RunSummary;
  const rows = (await readFile(join(out, 'results.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  expect(await readFile(join(out, 'manifest.json'), 'utf8')).not.toContain(key);
  return { summary, stdout: result.stdout, rows };
}

describe('rerank stages and the transformers embedder from YAML', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rb-rerank-'));
    const embedder = await writeTinyBert(join(dir, 'tiny-embedder'), 'hidden');
    const cross = await writeTinyBert(join(dir, 'tiny-cross'), 'logits');
    server = await startRerankServer((query, document) => {
      const words = new Set(query.toLowerCase().match(/\w+/g) ?? []);
      const tokens = document.toLowerCase().match(/\w+/g) ?? [];
      return tokens.filter((t) => words.has(t)).length / Math.max(1, tokens.length);
    }, { apiKey: key });
    const dense = `{ name: tiny-dense, kind: dense, embedder: { kind: transformers, model: ${embedder} }, store: { kind: memory } }`;
    await writeFile(
      join(dir, 'eval.yaml'),
      [
        'name: rerank-e2e',
        `corpus: ${join(repoRoot, 'corpora', 'sample.yaml')}`,
        `chunkers: [${join(repoRoot, 'chunkers', 'fixed-256.yaml')}]`,
        'metrics: [recall@5, ndcg@10]',
        'depth: 10',
        'retrievers:',
        `  - ${join(repoRoot, 'retrievers', 'bm25.yaml')}`,
        `  - ${dense}`,
        `  - { name: bm25-cross, kind: bm25, rerank: { kind: cross-encoder, model: ${cross}, candidates: 20 } }`,
        `  - { name: hybrid-api, kind: hybrid, retrievers: [${join(repoRoot, 'retrievers', 'bm25.yaml')}, ${dense}], depth: 20,`,
        `      rerank: { kind: http, url: "${server.url}/v2/rerank", model: rerank-v3.5, apiKeyEnv: RERANK_KEY, price: { usdPerSearch: 0.002 } } }`,
        '',
      ].join('\n'),
    );
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs every arm; reranked arms report their stage seconds, pairs and cost; a second run reads the rerank cache', async () => {
    const first = await run();
    const [bm25, dense, cross, hybrid] = first.summary.arms;
    expect(dense!.metrics['ndcg@10']!.mean).toBeGreaterThanOrEqual(0);
    expect(bm25!.rerank).toBeUndefined();
    // 15 queries × 20 candidates each, scored once.
    expect(cross!.rerank).toMatchObject({ candidates: 20, usage: { pairs: 300, cachedPairs: 0, usd: 0 } });
    expect(cross!.stages!.rerank).toBeGreaterThan(0);
    // The hybrid fuses up to 2 × 20 chunks; the API is called once per query (≤ 100 documents = 1 search unit).
    expect(hybrid!.rerank!.usage).toMatchObject({ requests: 15, searchUnits: 15, usd: 0.03 });
    expect(hybrid!.components).toEqual([
      { retriever: 'bm25', approximate: null },
      { retriever: 'tiny-dense', approximate: null },
    ]);
    expect(first.stdout).toMatch(/reranked: fixed-256 × bm25-cross by cross-encoder tiny-cross, top 20 candidates: 300 pairs scored \(0 from cache\)/);
    expect(first.stdout).toMatch(/reranked: fixed-256 × hybrid-api by http rerank-v3.5 at http:\/\/127\.0\.0\.1:\d+, top 50 candidates: .* 15 requests, \$0\.0300/);
    expect(first.stdout).toMatch(/\nrerank\s+–\s+–\s+\d/);
    // Reranked rankings are the reranker's order: scores never increase down the list, chunks come from BM25's top 20.
    for (const row of first.rows.filter((r) => r.arm === 'fixed-256 × bm25-cross')) {
      row.chunks.forEach((chunk, i) => i > 0 && expect(chunk.score).toBeLessThanOrEqual(row.chunks[i - 1]!.score));
    }
    const second = await run();
    expect(second.summary.arms[2]!.rerank!.usage).toMatchObject({ pairs: 0, cachedPairs: 300 });
    expect(second.summary.arms[3]!.rerank!.usage).toMatchObject({ requests: 0, usd: 0 });
    expect(second.summary.arms.map((a) => a.metrics)).toEqual(first.summary.arms.map((a) => a.metrics));
  }, 300_000);
});
