import { Status } from 'nice-grpc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnv } from '../../../../src/shared/env.js';
import { ServiceError, exitCodes } from '../../../../src/shared/errors.js';
import { manageStore } from '../../../../src/stores/managed-store.js';
import { stores } from '../../../../src/stores/registry.js';
import { uuidFor } from '../../../../src/stores/weaviate/store.js';
import type { VectorStore } from '../../../../src/stores/vector-store.js';
import { startWeaviateServer, type WeaviateServer } from '../../../doubles/weaviate-server.js';

let server: WeaviateServer;
const open: VectorStore[] = [];
const fastRetry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

async function create(env: Record<string, string> = {}, options: Record<string, unknown> = {}): Promise<VectorStore> {
  const parsed = stores.weaviate.options.parse({ grpcPort: server.grpcPort, ...options });
  const store = await stores.weaviate.create(parsed, {
    env: createEnv({ WEAVIATE_URL: server.url, WEAVIATE_API_KEY: server.apiKey ?? '', ...env }),
    workDir: '/tmp/unused',
  });
  open.push(store);
  return store;
}
const records = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, docId: `d${i}`, vector: Float32Array.from([1, i, 0]) }));
const spec = { name: 'idx', dimensions: 3, distance: 'cosine' as const };

beforeEach(async () => {
  server = await startWeaviateServer({ apiKey: 'wv-secret-key' });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await server.close();
});

describe('weaviate store against the wire-level double', () => {
  it('object ids are name-based UUIDs (v5, URL namespace) of the chunk id, as Python computes them', () => {
    // python3 -c "import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, 'doc1#0-800'))"
    expect(uuidFor('doc1#0-800')).toBe('877939eb-94ba-5297-9a4a-9c3cfba2d036');
  });

  it('talks REST for the schema and gRPC for data: BatchObjects, Search, Aggregate, Health', async () => {
    const store = await create();
    await store.open(spec);
    await store.upsert(records(3));
    expect(await store.count()).toBe(3);
    expect((await store.search(Float32Array.from([1, 2, 0]), 1))[0]).toMatchObject({ id: 'c2', docId: 'd2' });
    expect(server.calls).toEqual(expect.arrayContaining(['GET /v1/meta', 'POST /v1/schema', 'GET /v1/schema/Ragbench_idx', 'grpc BatchObjects', 'grpc Search', 'grpc Aggregate']));
  });

  it.each([
    ['RESOURCE_EXHAUSTED on a batch', { match: /BatchObjects/, grpcStatus: Status.RESOURCE_EXHAUSTED, times: 2 }],
    ['INTERNAL on a batch', { match: /BatchObjects/, grpcStatus: Status.INTERNAL, times: 1 }],
  ])('retries %s with backoff (managed store) and stores every record once', async (_, fault) => {
    const store = manageStore(await create(), { retry: fastRetry });
    await store.open(spec);
    server.inject(fault);
    await store.upsert(records(4));
    expect(await store.count()).toBe(4);
  });

  it('retries a 503 on schema creation; bounded: a search failing every time gives up after the attempts', async () => {
    const store = manageStore(await create(), { retry: fastRetry });
    server.inject({ match: /^POST \/v1\/schema$/, status: 503 });
    await store.open(spec);
    server.inject({ match: /grpc Search/, grpcStatus: Status.RESOURCE_EXHAUSTED, times: 100 });
    const error = await store.search(Float32Array.from([1, 0, 0]), 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_SERVICE', retryable: true });
    expect(server.calls.filter((c) => c === 'grpc Search')).toHaveLength(fastRetry.attempts);
  });

  it('a wrong API key fails at connect: one line naming WEAVIATE_API_KEY, never the key, exit code 3', async () => {
    const error = (await create({ WEAVIATE_API_KEY: 'wrong-key-123456' }).catch((e: unknown) => e)) as ServiceError;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toBe(`weaviate: 401 ${server.url} rejected the API key in WEAVIATE_API_KEY`);
    expect(error.message).not.toContain('wrong-key');
    expect(exitCodes[error.code]).toBe(3);
  });

  it('a server that wants a key when none is set says which variable to export', async () => {
    const error = (await create({ WEAVIATE_API_KEY: '' }).catch((e: unknown) => e)) as ServiceError;
    expect(error.message).toBe(`weaviate: 401 ${server.url} requires an API key and WEAVIATE_API_KEY is not set`);
  });

  it('an unreachable host is one ServiceError line naming the URL', async () => {
    const url = server.url;
    await server.close();
    server = await startWeaviateServer();
    const error = (await create({ WEAVIATE_URL: url }).catch((e: unknown) => e)) as ServiceError;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toBe(`weaviate: cannot reach ${url} for connect`);
  });

  it('WEAVIATE_GRPC=host:port overrides the gRPC endpoint; a malformed value is a config error', async () => {
    const store = await create({ WEAVIATE_GRPC: `127.0.0.1:${server.grpcPort}` }, { grpcPort: 1 });
    await store.open(spec);
    expect(await store.count()).toBe(0);
    await expect(create({ WEAVIATE_GRPC: 'nonsense' })).rejects.toMatchObject({ code: 'E_CONFIG' });
  });
});
