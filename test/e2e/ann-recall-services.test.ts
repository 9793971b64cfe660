import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/report/run/summary.js';
import { startPineconeServer, type PineconeServer } from '../doubles/pinecone-server.js';
import { startWeaviateServer, type WeaviateServer } from '../doubles/weaviate-server.js';
import { repoRoot } from '../helpers/datasets.js';
import { runCli } from './cli.js';

/**
 * ANN recall of Pinecone and Weaviate HNSW arms as a user sees it. The doubles search exactly unless told to
 * leave out each query's nearest `dropNearest` chunks, as a poor ANN index may: with dropNearest 1 the service's
 * top 4 shares 3 chunks with the exact top 4 (read back from the service), so ANN recall@4 is 0.750 by hand.
 */
let pinecone: PineconeServer;
let weaviate: WeaviateServer;
let dir = '';
let env: Record<string, string> = {};

const arm = (name: string, store: string) => `  - { name: ${name}, kind: dense, embedder: { kind: hashing, dimensions: 128 }, cache: false, store: ${store} }`;

async function writeEval(pineconeStore: string, extra: string[]): Promise<string> {
  const file = join(dir, `eval-${Math.random().toString(36).slice(2)}.yaml`);
  const lines = [
    'name: ann-recall-services',
    `corpus: ${join(repoRoot, 'corpora', 'sample.yaml')}`,
    `chunkers: [${join(repoRoot, 'chunkers', 'fixed-256.yaml')}]`,
    'metrics: [recall@10]',
    'retrievers:',
    arm('memory', '{ kind: memory }'),
    arm('pinecone', `{ kind: pinecone, controllerHostEnv: PINECONE_CONTROLLER_HOST, pollIntervalMs: 10${pineconeStore} }`),
    arm('weaviate', '{ kind: weaviate }'),
    ...extra,
    '',
  ];
  await writeFile(file, lines.join('\n'));
  return file;
}

const summaryOf = async (out: string) => JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as RunSummary;
const annOf = (summary: RunSummary, name: string) => summary.arms.find((a) => a.retriever === name)!.annRecall;

describe('ANN recall of Pinecone and Weaviate arms', () => {
  beforeAll(async () => {
    [pinecone, weaviate] = await Promise.all([startPineconeServer(), startWeaviateServer()]);
    dir = await mkdtemp(join(tmpdir(), 'rb-ann-services-'));
    env = {
      PINECONE_API_KEY: pinecone.apiKey,
      PINECONE_CONTROLLER_HOST: pinecone.url,
      WEAVIATE_URL: weaviate.url,
      WEAVIATE_GRPC: `127.0.0.1:${weaviate.grpcPort}`,
    };
  });
  afterAll(async () => {
    await Promise.all([pinecone?.close(), weaviate?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('measures each service arm against exact search over its own vectors: 0.750 when it misses the nearest, 1.000 when exact', async () => {
    pinecone.dropNearest = 1;
    weaviate.dropNearest = 0;
    const out = join(dir, 'run');
    const evalFile = await writeEval('', ['annRecall: { queries: 5, k: 4 }']);
    const result = await runCli(['run', evalFile, '--work-dir', join(dir, 'work'), '--out', out], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ann-recall@4/);
    expect(result.stdout).toMatch(/fixed-256 +memory .*\sexact\n/);
    expect(result.stdout).toMatch(/fixed-256 +pinecone .*\s0\.750 \(!\)\n/);
    expect(result.stdout).toMatch(/fixed-256 +weaviate .*\s1\.000\n/);
    expect(result.stdout).toContain(
      'warning: fixed-256 × pinecone: ANN recall@4 0.750 < 0.95 on 5 queries (Pinecone serverless (ANN, no recall setting)): ' +
        'the metrics describe the index more than the retriever; it has no setting to raise: search exactly (store: memory, or pgvector with index: none, over the same embedder)',
    );
    expect(result.stdout).not.toMatch(/warning: fixed-256 × weaviate/);
    const summary = await summaryOf(out);
    expect(annOf(summary, 'memory')).toBeUndefined();
    expect(annOf(summary, 'pinecone')).toMatchObject({ index: 'Pinecone serverless (ANN, no recall setting)', k: 4, queries: 5, recall: 0.75, minRecall: 0.95 });
    expect(annOf(summary, 'pinecone')!.raise).toBeUndefined();
    expect(annOf(summary, 'weaviate')).toMatchObject({ index: 'Weaviate hnsw (maxConnections 32, efConstruction 128, ef dynamic)', raise: 'hnsw.ef', recall: 1 });
    expect(annOf(summary, 'weaviate')!.warning).toBeUndefined();
    const report = await readFile(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| fixed-256 × pinecone \| Pinecone serverless \(ANN, no recall setting\) \| 5 \| 0\.750 @4 \| 0\.95 \| ⚠ no setting to raise: search exactly \|/);
    expect(report).toMatch(/\| fixed-256 × weaviate \| Weaviate hnsw .* \| 5 \| 1\.000 @4 \| 0\.95 \|  \|/);
  });

  it('a Weaviate arm below the threshold names hnsw.ef; over exactMaxRecords Pinecone says "not measured", and the gate fails', async () => {
    pinecone.dropNearest = 0;
    weaviate.dropNearest = 2;
    const out = join(dir, 'gated');
    const evalFile = await writeEval(', exactMaxRecords: 10', ['annRecall: { queries: 5, k: 4, gate: true }']);
    const result = await runCli(['run', evalFile, '--work-dir', join(dir, 'work'), '--out', out], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/fixed-256 +pinecone .*\snot measured\n/);
    expect(result.stdout).toMatch(/fixed-256 +weaviate .*\s0\.500 \(!\)\n/);
    expect(result.stdout).toMatch(/warning: fixed-256 × weaviate: ANN recall@4 0\.500 < 0\.95 on 5 queries \(Weaviate hnsw .*\): .*raise hnsw\.ef, or search exactly \(index: flat\)/);
    expect(result.stdout).toMatch(/warning: fixed-256 × pinecone: ANN recall not measured: index rb_\w+ holds \d+ records > exactMaxRecords 10 .*; raise exactMaxRecords/);
    expect(result.stderr).toMatch(/ANN recall gate failed \(2\): fixed-256 × pinecone not measured < 0\.95 \| fixed-256 × weaviate 0\.500 < 0\.95/);
    const summary = await summaryOf(out);
    expect(annOf(summary, 'pinecone')).toMatchObject({ recall: null, warning: expect.stringContaining('raise exactMaxRecords') });
    expect(annOf(summary, 'weaviate')).toMatchObject({ recall: 0.5, raise: 'hnsw.ef' });
    // exactMaxRecords bounds the measurement only: the Pinecone index of the first run was reused, not rebuilt.
    expect(summary.arms.find((a) => a.retriever === 'pinecone')!.ingest.mode).toBe('reused');
    expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/\| fixed-256 × pinecone \| .* \| not measured \| 0\.95 \| ⚠ index rb_\w+ holds \d+ records > exactMaxRecords 10/);
  });
});
