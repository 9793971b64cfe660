import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkers } from '../../../../src/chunkers/registry.js';
import { ingest } from '../../../../src/pipeline/index/ingest.js';
import { retrievers } from '../../../../src/retrievers/registry.js';
import { createEnv } from '../../../../src/shared/env.js';
import { ServiceError, exitCodes } from '../../../../src/shared/errors.js';
import { manageStore } from '../../../../src/stores/managed-store.js';
import { pineconeApiVersion } from '../../../../src/stores/pinecone/definition.js';
import { stores } from '../../../../src/stores/registry.js';
import type { VectorStore } from '../../../../src/stores/vector-store.js';
import { startPineconeServer, type PineconeServer } from '../../../doubles/pinecone-server.js';

let server: PineconeServer;
const open: VectorStore[] = [];
const fastRetry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

async function create(options: Record<string, unknown> = {}, key?: string): Promise<VectorStore> {
  const parsed = stores.pinecone.options.parse({ controllerHost: server.url, pollIntervalMs: 10, consistencyTimeoutMs: 2_000, ...options });
  const store = await stores.pinecone.create(parsed, { env: createEnv({ PINECONE_API_KEY: key ?? server.apiKey }), workDir: '/tmp/unused' });
  open.push(store);
  return store;
}
const vector = (...values: number[]) => Float32Array.from(values);
const records = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, docId: `d${i}`, vector: vector(1, i, 0) }));
const spec = { name: 'idx', dimensions: 3, distance: 'cosine' as const };

beforeEach(async () => {
  server = await startPineconeServer();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await server.close();
});

describe('pinecone store against the wire-level double', () => {
  it(`sends X-Pinecone-Api-Version ${pineconeApiVersion} on every control- and data-plane request`, async () => {
    const store = await create();
    await store.open(spec);
    await store.upsert(records(3));
    await store.search(vector(1, 0, 0), 2);
    await store.drop();
    const calls = server.requests.map((r) => r.call);
    expect(calls).toEqual(expect.arrayContaining(['POST /indexes', 'GET /indexes/ragbench-3-cosine', 'POST /vectors/upsert', 'POST /query', 'POST /describe_index_stats', 'POST /vectors/delete']));
    expect(new Set(server.requests.map((r) => r.apiVersion))).toEqual(new Set([pineconeApiVersion]));
  });

  it('one Pinecone index per dimensions × metric; each ragbench index is a namespace in it', async () => {
    const store = await create();
    await store.open(spec);
    await store.upsert(records(2));
    await store.open({ ...spec, name: 'other' });
    await store.upsert(records(3));
    expect(await store.count()).toBe(3);
    await store.open(spec);
    expect(await store.count()).toBe(2);
    expect(server.requests.filter((r) => r.call === 'POST /indexes')).toHaveLength(1);
  });

  it('waits until describeIndexStats shows its upserts before counting or searching (eventual consistency)', async () => {
    server.visibilityLagMs = 150;
    const store = await create();
    await store.open(spec);
    await store.upsert(records(4));
    const started = Date.now();
    expect(await store.count()).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect((await store.search(vector(1, 3, 0), 1))[0]?.id).toBe('c3');
  });

  it('a resumed upsert into a namespace that has records counts only the ids that are new', async () => {
    const first = await create();
    await first.open(spec);
    await first.upsert(records(3));
    await first.count();
    server.visibilityLagMs = 100;
    const second = await create();
    await second.open(spec);
    await second.upsert(records(5));
    expect(await second.count()).toBe(5);
    expect(server.requests.some((r) => r.call === 'GET /vectors/fetch')).toBe(true);
  });

  it('gives a clear ServiceError when the counts never match within consistencyTimeoutMs', async () => {
    server.visibilityLagMs = 60_000;
    const store = await create({ consistencyTimeoutMs: 100 });
    await store.open(spec);
    await store.upsert(records(2));
    const error = await store.count().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).message).toMatch(/shows 0 records, expected 2, after waiting 0\.1 s for Pinecone's eventual consistency/);
    expect((error as ServiceError).retryable).toBe(false);
  });

  it.each([429, 500, 503])('retries %i with backoff (managed store) and then succeeds', async (status) => {
    const store = manageStore(await create(), { retry: fastRetry });
    await store.open(spec);
    server.inject({ match: /upsert/, status, times: 2 });
    await store.upsert(records(3));
    expect(server.requests.filter((r) => r.call === 'POST /vectors/upsert')).toHaveLength(3);
    expect(await store.count()).toBe(3);
  });

  it('retries a timed-out or dropped request; the number of attempts is bounded', async () => {
    const store = manageStore(await create({ timeoutMs: 100 }), { retry: fastRetry });
    await store.open(spec);
    server.inject({ match: /query/, delayMs: 400, times: 1 });
    server.inject({ match: /query/, reset: true, times: 1 });
    expect(await store.search(vector(1, 0, 0), 1)).toEqual([]);
    server.inject({ match: /query/, status: 503, times: 100 });
    const error = await store.search(vector(1, 0, 0), 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_SERVICE', retryable: true, status: 503 });
    expect(server.requests.filter((r) => r.call === 'POST /query')).toHaveLength(2 + 1 + fastRetry.attempts);
  });

  it('a wrong API key is one line naming the env var, never the key, not retried, exit code 3', async () => {
    const store = manageStore(await create({}, 'wrong-key-123456'), { retry: fastRetry });
    const error = (await store.open(spec).catch((e: unknown) => e)) as ServiceError;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toBe(`pinecone: 401 ${server.url} rejected the API key in PINECONE_API_KEY`);
    expect(error.message).not.toContain('wrong-key');
    expect(server.requests).toHaveLength(1);
    expect(exitCodes[error.code]).toBe(3);
  });

  it('an unreachable host is a retryable ServiceError naming the host', async () => {
    const url = server.url;
    await server.close();
    server = await startPineconeServer();
    const store = await create({ controllerHost: url, timeoutMs: 500 });
    const error = (await store.open(spec).catch((e: unknown) => e)) as ServiceError;
    expect(error.message).toMatch(new RegExp(`^pinecone: cannot reach ${url.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\) for describe index`));
    expect(error.retryable).toBe(true);
  });

  it('drop with deleteEmptyIndex deletes the Pinecone index once its last namespace is gone', async () => {
    const store = await create({ deleteEmptyIndex: true });
    await store.open(spec);
    await store.upsert(records(2));
    await store.drop();
    expect(server.requests.map((r) => r.call)).toContain('DELETE /indexes/ragbench-3-cosine');
  });

  it('a store that goes away mid-ingest leaves a resumable state: the next run resumes and ends complete', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'rb-pinecone-resume-'));
    const context = { env: createEnv({ PINECONE_API_KEY: server.apiKey }), workDir };
    const documents = Array.from({ length: 40 }, (_, i) => ({ id: `doc${i}`, text: `document ${i} about wings and flow number ${i}` }));
    const chunker = chunkers.fixed.create(chunkers.fixed.options.parse({ sizeChars: 64, overlapChars: 0 }), context);
    const config = { embedder: { kind: 'hashing', dimensions: 16 }, store: { kind: 'pinecone', controllerHost: server.url, pollIntervalMs: 10 }, cache: false };
    const plan = async () => ({
      documents,
      chunker,
      retriever: await retrievers.dense.create(retrievers.dense.options.parse(config), context),
      identity: { corpus: { name: 'c', fingerprint: 'c' }, chunker: { name: 'f', fingerprint: chunker.fingerprint }, retriever: { name: 'p', fingerprint: 'p' } },
      workDir,
      batchSize: 10,
    });
    try {
      // The service goes away after two upserts and stays away through every retry.
      server.inject({ match: /upsert/, after: 2, status: 503, times: 1_000 });
      const first = await plan();
      await expect(ingest(first)).rejects.toMatchObject({ code: 'E_SERVICE', retryable: true });
      await first.retriever.close();
      // The service is back.
      server.clearFaults();
      const second = await plan();
      const result = await ingest(second);
      expect(result.mode).toBe('resumed');
      expect(await second.retriever.open(result.key)).toBe(result.chunks);
      await second.retriever.close();
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }, 30_000);
});
