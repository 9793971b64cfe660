import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHashingEmbedder } from '../../src/embedders/hashing.js';
import type { RunSummary } from '../../src/report/run/summary.js';
import { startPineconeServer, type PineconeServer } from '../doubles/pinecone-server.js';
import { startWeaviateServer, type WeaviateServer } from '../doubles/weaviate-server.js';
import { repoRoot } from '../helpers/datasets.js';
import { runCli } from './cli.js';

/**
 * ANN recall of Pinecone and Weaviate HNSW arms as a user sees it. The doubles search an HNSW graph; a sparse one
 * (Pinecone double m 4, efConstruction 4, ef 1; Weaviate hnsw maxConnections 4, efConstruction 4, ef 1) misses
 * neighbours as a poorly configured service does. The expected recall is computed here, not by ragbench: every
 * sample query embedded, the service's answer read from the double, the exact top 4 by brute force over the
 * vectors the double holds.
 */
let pinecone: PineconeServer;
let weaviate: WeaviateServer;
let dir = '';
let env: Record<string, string> = {};

const arm = (name: string, store: string) => `  - { name: ${name}, kind: dense, embedder: { kind: hashing, dimensions: 128 }, cache: false, store: ${store} }`;

async function writeEval(pineconeStore: string, extra: string[], weaviateStore = '{ kind: weaviate }'): Promise<string> {
  const file = join(dir, `eval-${Math.random().toString(36).slice(2)}.yaml`);
  const lines = [
    'name: ann-recall-services',
    `corpus: ${join(repoRoot, 'corpora', 'sample.yaml')}`,
    `chunkers: [${join(repoRoot, 'chunkers', 'fixed-256.yaml')}]`,
    'metrics: [recall@10]',
    'retrievers:',
    arm('memory', '{ kind: memory }'),
    arm('pinecone', `{ kind: pinecone, controllerHostEnv: PINECONE_CONTROLLER_HOST, pollIntervalMs: 10${pineconeStore} }`),
    arm('weaviate', weaviateStore),
    ...extra,
    '',
  ];
  await writeFile(file, lines.join('\n'));
  return file;
}

const queryTexts = async () =>
  (await readFile(join(repoRoot, 'corpora', 'sample', 'queries.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { text: string }).text);
const embed = async (texts: string[]) => createHashingEmbedder({ dimensions: 128, wordNgrams: [1, 2], charNgrams: [3, 4, 5], lowercase: true }).embed(texts, 'query');
const cosine = (a: Float32Array, b: Float32Array) => {
  let [dot, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) [dot, aa, bb] = [dot + a[i]! * b[i]!, aa + a[i]! ** 2, bb + b[i]! ** 2];
  return aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb);
};
/** Best first by score, ties by id, first k: the order ragbench documents for every retriever. */
const topIds = (hits: { id: string; score: number }[], k: number) =>
  [...hits].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, k).map((h) => h.id);
/** Mean over queries of |service top-k ∩ exact top-k| / k; the service asked for overFetch(k) = k + 4 (k ≤ 40). */
async function expectedRecall(service: (q: Float32Array, n: number) => { id: string; score: number }[], stored: { id: string; vector: Float32Array }[], k: number) {
  const vectors = await embed(await queryTexts());
  let total = 0;
  for (const q of vectors) {
    const exact = new Set(topIds(stored.map((r) => ({ id: r.id, score: cosine(q, r.vector) })), k));
    total += topIds(service(q, k + 4), k).filter((id) => exact.has(id)).length / k;
  }
  return total / vectors.length;
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

  it('measures each service arm against exact search over its own vectors: below 1 for a sparse Pinecone graph, as computed here', async () => {
    pinecone.ann = { m: 4, efConstruction: 4, ef: 1 };
    const out = join(dir, 'run');
    const evalFile = await writeEval('', ['annRecall: { queries: 15, k: 4 }']);
    const result = await runCli(['run', evalFile, '--work-dir', join(dir, 'work'), '--out', out], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { index, namespace } = pinecone.namespaces()[0]!;
    const stored = pinecone.records(index, namespace).map((r) => ({ id: r.id, vector: r.values }));
    const expected = await expectedRecall((q, n) => pinecone.nearest(index, namespace, q, n), stored, 4);
    console.info(`sparse Pinecone graph: ANN recall@4 over 15 queries ${expected.toFixed(3)} (computed by the test)`);
    expect(expected).toBeLessThan(0.95);
    const shown = expected.toFixed(3);
    expect(result.stdout).toMatch(/ann-recall@4/);
    expect(result.stdout).toMatch(/fixed-256 +memory .*\sexact\n/);
    expect(result.stdout).toContain(` ${shown} (!)\n`);
    expect(result.stdout).toContain(
      `warning: fixed-256 × pinecone: ANN recall@4 ${shown} < 0.95 on 15 queries (Pinecone serverless (ANN, no recall setting)): ` +
        'the metrics describe the index more than the retriever; it has no setting to raise: search exactly (store: memory, or pgvector with index: none, over the same embedder)',
    );
    expect(result.stdout).not.toMatch(/warning: fixed-256 × weaviate/);
    const summary = await summaryOf(out);
    expect(annOf(summary, 'memory')).toBeUndefined();
    expect(annOf(summary, 'pinecone')).toMatchObject({ index: 'Pinecone serverless (ANN, no recall setting)', k: 4, queries: 15, minRecall: 0.95 });
    expect(annOf(summary, 'pinecone')!.recall).toBeCloseTo(expected, 12);
    expect(annOf(summary, 'pinecone')!.raise).toBeUndefined();
    // Weaviate's defaults (maxConnections 32, ef dynamic ≥ 100) over a hundred-odd chunks find every neighbour.
    const [collection] = weaviate.collectionNames();
    const objects = weaviate.objects(collection!).map((o) => ({ id: o.uuid, vector: o.vector }));
    const weaviateExpected = await expectedRecall((q, n) => weaviate.nearest(collection!, q, n).map((h) => ({ id: h.id, score: 1 - h.distance })), objects, 4);
    expect(annOf(summary, 'weaviate')).toMatchObject({ index: 'Weaviate hnsw (maxConnections 32, efConstruction 128, ef dynamic)', raise: 'hnsw.ef' });
    expect(annOf(summary, 'weaviate')!.recall).toBeCloseTo(weaviateExpected, 12);
    expect(annOf(summary, 'weaviate')!.warning).toBeUndefined();
    const report = await readFile(join(out, 'report.md'), 'utf8');
    expect(report).toContain(`| fixed-256 × pinecone | Pinecone serverless (ANN, no recall setting) | 15 | ${shown} @4 | 0.95 | ⚠ no setting to raise: search exactly |`);
    expect(report).toMatch(/\| fixed-256 × weaviate \| Weaviate hnsw .* \| 15 \| 1\.000 @4 \| 0\.95 \|  \|/);
  });

  it('a sparse Weaviate graph below the threshold names hnsw.ef; over exactMaxRecords Pinecone says "not measured", and the gate fails', async () => {
    const out = join(dir, 'gated');
    const evalFile = await writeEval(', exactMaxRecords: 10', ['annRecall: { queries: 15, k: 4, gate: true }'], '{ kind: weaviate, hnsw: { maxConnections: 4, efConstruction: 4, ef: 1 } }');
    const result = await runCli(['run', evalFile, '--work-dir', join(dir, 'work'), '--out', out], { env });
    expect(result.code).toBe(1);
    const collection = weaviate.collectionNames().find((name) => weaviate.objects(name).length > 0 && name !== weaviate.collectionNames()[0])!;
    const objects = weaviate.objects(collection).map((o) => ({ id: o.uuid, vector: o.vector }));
    const expected = await expectedRecall((q, n) => weaviate.nearest(collection, q, n).map((h) => ({ id: h.id, score: 1 - h.distance })), objects, 4);
    console.info(`sparse Weaviate graph: ANN recall@4 over 15 queries ${expected.toFixed(3)} (computed by the test)`);
    expect(expected).toBeLessThan(0.95);
    const shown = expected.toFixed(3);
    expect(result.stdout).toMatch(/fixed-256 +pinecone .*\snot measured\n/);
    expect(result.stdout).toContain(`warning: fixed-256 × weaviate: ANN recall@4 ${shown} < 0.95 on 15 queries (Weaviate hnsw (maxConnections 4, efConstruction 4, ef 1)): `);
    expect(result.stdout).toMatch(/raise hnsw\.ef, or search exactly \(index: flat\)/);
    expect(result.stdout).toMatch(/warning: fixed-256 × pinecone: ANN recall not measured: index rb_\w+ holds \d+ records > exactMaxRecords 10 .*; raise exactMaxRecords/);
    expect(result.stderr).toContain(`ANN recall gate failed (2): fixed-256 × pinecone not measured < 0.95 | fixed-256 × weaviate ${shown} < 0.95`);
    const summary = await summaryOf(out);
    expect(annOf(summary, 'pinecone')).toMatchObject({ recall: null, warning: expect.stringContaining('raise exactMaxRecords') });
    expect(annOf(summary, 'weaviate')).toMatchObject({ raise: 'hnsw.ef' });
    expect(annOf(summary, 'weaviate')!.recall).toBeCloseTo(expected, 12);
    // exactMaxRecords bounds the measurement only: the Pinecone index of the first run was reused, not rebuilt.
    expect(summary.arms.find((a) => a.retriever === 'pinecone')!.ingest.mode).toBe('reused');
    expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/\| fixed-256 × pinecone \| .* \| not measured \| 0\.95 \| ⚠ index rb_\w+ holds \d+ records > exactMaxRecords 10/);
  });
});
