import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../../src/pipeline/parity/parity.js';
import { startPgliteServer, type PgliteServer } from '../doubles/pglite-server.js';
import { startPineconeServer, type PineconeServer } from '../doubles/pinecone-server.js';
import { startWeaviateServer, type WeaviateServer } from '../doubles/weaviate-server.js';
import { repoRoot } from '../helpers/datasets.js';
import { cliPath, runCli } from './cli.js';

/** `ragbench parity` as a user runs it, against PGlite, pgvector over pglite-socket and the two service doubles. */
const registered = spawnSync(process.execPath, [cliPath, '--help'], { encoding: 'utf8' }).stdout?.includes('parity');
const reason = registered ? undefined : 'the parity command is not registered in dist/cli/main.js (build, or register it)';

let pg: PgliteServer;
let pinecone: PineconeServer;
let weaviate: WeaviateServer;
let dir = '';
let env: Record<string, string> = {};

const arm = (name: string, store: string) =>
  `  - { name: ${name}, kind: dense, embedder: { kind: hashing, dimensions: 128 }, store: ${store} }`;

async function writeEval(retrievers: string[]): Promise<string> {
  const file = join(dir, `eval-${retrievers.length}-${Math.random().toString(36).slice(2)}.yaml`);
  const lines = [
    `corpus: ${join(repoRoot, 'corpora', 'sample.yaml')}`,
    `chunkers: [${join(repoRoot, 'chunkers', 'fixed-256.yaml')}]`,
    'metrics: [recall@10, ndcg@10]',
    'retrievers:',
    ...retrievers,
    '',
  ];
  await writeFile(file, lines.join('\n'));
  return file;
}

describe.skipIf(reason !== undefined)(`ragbench parity${reason ? ` (skipped: ${reason})` : ''}`, () => {
  beforeAll(async () => {
    [pg, pinecone, weaviate] = await Promise.all([startPgliteServer(), startPineconeServer(), startWeaviateServer()]);
    dir = await mkdtemp(join(tmpdir(), 'rb-parity-'));
    env = {
      PARITY_PG_URL: pg.url,
      PINECONE_API_KEY: pinecone.apiKey,
      PINECONE_CONTROLLER_HOST: pinecone.url,
      WEAVIATE_URL: weaviate.url,
      WEAVIATE_GRPC: `127.0.0.1:${weaviate.grpcPort}`,
    };
  });
  afterAll(async () => {
    await Promise.all([pg?.close(), pinecone?.close(), weaviate?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exact search agrees across PGlite, pgvector over a socket, Pinecone and Weaviate: Jaccard@10 = RBO = recall = 1', async () => {
    const evalFile = await writeEval([
      arm('pglite-exact', '{ kind: pgvector, memory: true, exact: true }'),
      arm('pgsocket-exact', '{ kind: pgvector, mode: server, urlEnv: PARITY_PG_URL, exact: true }'),
      arm('pinecone', '{ kind: pinecone, controllerHostEnv: PINECONE_CONTROLLER_HOST, pollIntervalMs: 10 }'),
      arm('weaviate-flat', '{ kind: weaviate, index: flat }'),
    ]);
    const out = join(dir, 'parity.json');
    const result = await runCli(['parity', evalFile, '--work-dir', join(dir, 'work'), '--out', out, '--min-jaccard', '1'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pglite-exact\s+pinecone\s+1\.000\s+1\.000\s+1\.000\s+0/);
    const report = JSON.parse(await readFile(out, 'utf8')) as ParityReport;
    const [chunker] = report.chunkers;
    expect(chunker!.pairs).toHaveLength(6);
    for (const pair of chunker!.pairs) expect(pair).toMatchObject({ jaccard: 1, minJaccard: 1, rbo: expect.closeTo(1, 9), differing: [] });
    for (const store of chunker!.stores) {
      expect(store.annRecall).toBe(1);
      expect(store.chunks).toBe(chunker!.stores[0]!.chunks);
      expect(store.chunksPerSecond).toBeGreaterThan(0);
    }
  });

  it('HNSW is reported against exact search, and differing queries are listed one by one', async () => {
    const evalFile = await writeEval([
      arm('exact', '{ kind: pgvector, memory: true, exact: true }'),
      arm('hnsw', '{ kind: pgvector, memory: true, index: hnsw, hnsw: { m: 2, efConstruction: 4, efSearch: 1 } }'),
    ]);
    const result = await runCli(['parity', evalFile, '--work-dir', join(dir, 'work'), '--json'], { env });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ParityReport;
    const [pair] = report.chunkers[0]!.pairs;
    const hnsw = report.chunkers[0]!.stores[1]!;
    expect(hnsw.annRecall).toBeLessThanOrEqual(1);
    expect(pair!.jaccard).toBeLessThanOrEqual(1);
    for (const query of pair!.differing) {
      expect(query.jaccard).toBeLessThan(1);
      expect(query.onlyA.length).toBe(query.onlyB.length);
    }
  });

  it('a wrong Pinecone API key is one line and exit code 3', async () => {
    const evalFile = await writeEval([
      arm('pglite-exact', '{ kind: pgvector, memory: true, exact: true }'),
      arm('pinecone', '{ kind: pinecone, controllerHostEnv: PINECONE_CONTROLLER_HOST }'),
    ]);
    const result = await runCli(['parity', evalFile, '--work-dir', join(dir, 'work')], { env: { ...env, PINECONE_API_KEY: 'not-the-key' } });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ragbench: pinecone: 401 http:\/\/127\.0\.0\.1:\d+ rejected the API key in PINECONE_API_KEY \(fix: /)]);
    expect(result.stderr).not.toContain('not-the-key');
  });

  it('an unreachable Weaviate is one line and exit code 3', async () => {
    const evalFile = await writeEval([arm('pglite-exact', '{ kind: pgvector, memory: true }'), arm('weaviate', '{ kind: weaviate }')]);
    const result = await runCli(['parity', evalFile, '--work-dir', join(dir, 'work')], { env: { ...env, WEAVIATE_URL: 'http://127.0.0.1:9' } });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toEqual(['ragbench: weaviate: cannot reach http://127.0.0.1:9 for connect (fix: check that Weaviate is running, the URL env var and grpcPort)']);
  });

  it('refuses retrievers that differ in more than their store', async () => {
    const evalFile = await writeEval([
      arm('a', '{ kind: pgvector, memory: true }'),
      '  - { name: b, kind: dense, embedder: { kind: hashing, dimensions: 64 }, store: { kind: pgvector, memory: true } }',
    ]);
    const result = await runCli(['parity', evalFile, '--work-dir', join(dir, 'work')], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/retrievers a and b differ in more than their store/);
  });
});
