/**
 * A Weaviate collection written by the user's code through the official client (into the wire-level double),
 * then evaluated read-only by `kind: existing`: same metrics as ragbench's own exact index of the same chunks.
 */
import weaviate, { ApiKey, configure, type WeaviateClient } from 'weaviate-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHashingEmbedder } from '../../../src/embedders/hashing.js';
import { startWeaviateServer, type WeaviateServer } from '../../doubles/weaviate-server.js';
import { annRecallOf, maxDifference, runSample, sampleChunks, type EvalRun } from '../../helpers/external-index.js';

const ownExactMemory = { kind: 'dense', embedder: { kind: 'hashing' }, store: { kind: 'memory' }, cache: false };

describe('kind: existing, source weaviate', () => {
  let server: WeaviateServer;
  let client: WeaviateClient;
  let reference: EvalRun;
  let written = 0;

  beforeAll(async () => {
    server = await startWeaviateServer({ apiKey: 'wv-key' });
    const url = new URL(server.url);
    client = await weaviate.connectToCustom({
      httpHost: url.hostname,
      httpPort: Number(url.port),
      grpcHost: url.hostname,
      grpcPort: server.grpcPort,
      authCredentials: new ApiKey('wv-key'),
    });
    await client.collections.create({
      name: 'ProdDocs',
      properties: [
        { name: 'source', dataType: 'text' },
        { name: 'body', dataType: 'text' },
      ],
      vectorizers: configure.vectors.selfProvided({ vectorIndexConfig: configure.vectorIndex.flat({ distanceMetric: 'cosine' }) }),
    });
    const { chunks } = await sampleChunks();
    const vectors = await createHashingEmbedder({ dimensions: 384, wordNgrams: [1, 2], charNgrams: [3, 4, 5], lowercase: true }).embed(chunks.map((c) => c.text), 'document');
    const result = await client.collections.use('ProdDocs').data.insertMany(chunks.map((c, i) => ({ properties: { source: c.docId, body: c.text }, vectors: Array.from(vectors[i]!) })));
    expect(result.hasErrors).toBe(false);
    written = chunks.length;
    reference = await runSample(ownExactMemory);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  const config = (extra: Record<string, unknown> = {}) => ({
    kind: 'existing',
    embedder: { kind: 'hashing' },
    cache: false,
    source: { kind: 'weaviate', grpcPort: server.grpcPort, collection: 'ProdDocs', docIdProperty: 'source', textProperty: 'body', ...extra },
  });
  const env = () => ({ WEAVIATE_URL: server.url, WEAVIATE_API_KEY: 'wv-key' });

  it('scores as ragbench’s own exact index to 1e-9 with nearVector, records the count, writes nothing', async () => {
    const before = await client.collections.use('ProdDocs').length();
    const writes = () => server.calls.filter((c) => /BatchObjects|POST \/v1\/schema|DELETE/.test(c)).length;
    const writesBefore = writes();
    const run = await runSample(config(), { env: env() });
    expect(maxDifference(run, reference)).toBeLessThanOrEqual(1e-9);
    const evaluated = run.manifest.arms[0]!.retriever.evaluated as Record<string, unknown>;
    expect(evaluated).toMatchObject({ store: 'weaviate', collection: 'ProdDocs', search: 'nearVector', records: written, matched: { unmatchedDocIds: 0, unlocated: 0 } });
    expect(evaluated.checksum).toMatch(/^[0-9a-f]{32}$/);
    expect(writes()).toBe(writesBefore);
    expect(await client.collections.use('ProdDocs').length()).toBe(before);
    expect(JSON.stringify(run.manifest)).not.toContain('wv-key');
    // A flat vector index is a brute-force scan: exact, so no ANN recall to report.
    expect(await annRecallOf(run)).toEqual({ ann: undefined, cell: undefined });
  }, 60_000);

  it('an HNSW collection is approximate: its ANN recall says "not measured", never "exact"', async () => {
    await client.collections.create({
      name: 'ProdDocsHnsw',
      properties: [{ name: 'source', dataType: 'text' }],
      vectorizers: configure.vectors.selfProvided({ vectorIndexConfig: configure.vectorIndex.hnsw({ distanceMetric: 'cosine', ef: 64 }) }),
    });
    await client.collections.use('ProdDocsHnsw').data.insertMany([{ properties: { source: '1' }, vectors: Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0)) }]);
    const run = await runSample(config({ collection: 'ProdDocsHnsw', textProperty: undefined }), { env: env() });
    expect(await annRecallOf(run)).toEqual({
      ann: expect.objectContaining({ index: 'existing Weaviate hnsw collection ProdDocsHnsw (ef 64)', recall: null, warning: expect.stringContaining('not measured') }),
      cell: 'not measured',
    });
  }, 60_000);

  it('a collection rebuilt with other vectors (same count) gets another checksum', async () => {
    const first = (await runSample(config(), { env: env() })).manifest.arms[0]!.retriever.evaluated as { checksum: string; records: number };
    const collection = client.collections.use('ProdDocs');
    const [one] = (await collection.query.fetchObjects({ limit: 1, includeVector: true, returnProperties: ['source', 'body'] })).objects;
    const vector = (one!.vectors as { default: number[] }).default.map((v, i) => (i === 0 ? v + 1 : v));
    await collection.data.insertMany([{ id: one!.uuid, properties: one!.properties as Record<string, string>, vectors: vector }]);
    const second = (await runSample(config(), { env: env() })).manifest.arms[0]!.retriever.evaluated as { checksum: string; records: number };
    expect(second.records).toBe(first.records);
    expect(second.checksum).not.toBe(first.checksum);
  }, 60_000);

  it('refuses a wrong id property, a missing collection, and an embedder with nearText', async () => {
    await expect(runSample(config({ docIdProperty: 'doc' }), { env: env() })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('has no property doc') });
    await expect(runSample(config({ collection: 'Nope' }), { env: env() })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('does not exist') });
    await expect(runSample(config({ search: 'nearText' }), { env: env() })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('embeds queries itself') });
  }, 60_000);
});

/**
 * Searches where the collection embeds the query itself (nearText, hybrid), tenants and a wrong-length query
 * vector, through ragbench's `kind: existing` reader. The double's text2vec module is ragbench's hashing
 * embedder (384 dimensions), so a nearText over the chunk text must score as ragbench's own exact index.
 */
describe('kind: existing, source weaviate: nearText, hybrid, tenants, dimension mismatch', () => {
  let server: WeaviateServer;
  let client: WeaviateClient;
  let reference: EvalRun;

  beforeAll(async () => {
    server = await startWeaviateServer();
    const url = new URL(server.url);
    client = await weaviate.connectToCustom({ httpHost: url.hostname, httpPort: Number(url.port), grpcHost: url.hostname, grpcPort: server.grpcPort });
    const { chunks } = await sampleChunks();
    // The collection vectorizes `body` only (sourceProperties), without its own name: exactly the chunk text.
    await client.collections.create({
      name: 'Vectorized',
      properties: [
        { name: 'source', dataType: 'text' },
        { name: 'body', dataType: 'text' },
      ],
      vectorizers: configure.vectors.text2VecTransformers({
        // The client types source properties by the collection's generic, which an untyped create leaves as never.
        sourceProperties: ['body'] as never[],
        vectorIndexConfig: configure.vectorIndex.flat({ distanceMetric: 'cosine' }),
      }),
    });
    const inserted = await client.collections.use('Vectorized').data.insertMany(chunks.map((c) => ({ properties: { source: c.docId, body: c.text } })));
    expect(inserted.hasErrors).toBe(false);
    await client.collections.create({
      name: 'Tenanted',
      multiTenancy: configure.multiTenancy({ enabled: true }),
      properties: [{ name: 'source', dataType: 'text' }, { name: 'body', dataType: 'text' }],
      vectorizers: configure.vectors.selfProvided({ vectorIndexConfig: configure.vectorIndex.flat({ distanceMetric: 'cosine' }) }),
    });
    await client.collections.use('Tenanted').tenants.create([{ name: 'acme' }, { name: 'empty' }]);
    const vectors = await createHashingEmbedder({ dimensions: 384, wordNgrams: [1, 2], charNgrams: [3, 4, 5], lowercase: true }).embed(chunks.map((c) => c.text), 'document');
    const tenantInsert = await client.collections
      .use('Tenanted')
      .withTenant('acme')
      .data.insertMany(chunks.map((c, i) => ({ properties: { source: c.docId, body: c.text }, vectors: Array.from(vectors[i]!) })));
    expect(tenantInsert.hasErrors).toBe(false);
    reference = await runSample(ownExactMemory);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  const config = (source: Record<string, unknown>, embedder: boolean) => ({
    kind: 'existing',
    ...(embedder ? { embedder: { kind: 'hashing' } } : {}),
    cache: false,
    source: { kind: 'weaviate', grpcPort: server.grpcPort, docIdProperty: 'source', textProperty: 'body', ...source },
  });
  const env = () => ({ WEAVIATE_URL: server.url });

  it('nearText through the collection’s vectorizer scores as ragbench’s own exact index to 1e-9', async () => {
    const run = await runSample(config({ collection: 'Vectorized', search: 'nearText' }, false), { env: env() });
    expect(maxDifference(run, reference)).toBeLessThanOrEqual(1e-9);
    expect(run.manifest.arms[0]!.retriever.evaluated).toMatchObject({ search: 'nearText', records: inserted() });
  }, 60_000);

  it('hybrid: alpha 1 ranks as the vector search; alpha 0 (BM25 only) ranks otherwise', async () => {
    const vectorOnly = await runSample(config({ collection: 'Vectorized', search: 'hybrid', alpha: 1 }, false), { env: env() });
    expect(maxDifference(vectorOnly, reference)).toBeLessThanOrEqual(1e-9);
    const keywordOnly = await runSample(config({ collection: 'Vectorized', search: 'hybrid', alpha: 0 }, false), { env: env() });
    expect(maxDifference(keywordOnly, reference)).toBeGreaterThan(0);
    expect(server.calls.filter((c) => c === 'grpc Search').length).toBeGreaterThan(0);
  }, 60_000);

  it('a tenant’s objects are searched with tenant:, and a missing or unknown tenant is refused with the server’s message', async () => {
    const run = await runSample(config({ collection: 'Tenanted', tenant: 'acme' }, true), { env: env() });
    expect(maxDifference(run, reference)).toBeLessThanOrEqual(1e-9);
    await expect(runSample(config({ collection: 'Tenanted' }, true), { env: env() })).rejects.toThrow(/multi-tenancy enabled, but request was without tenant/);
    await expect(runSample(config({ collection: 'Tenanted', tenant: 'nope' }, true), { env: env() })).rejects.toThrow(/tenant not found: "nope"/);
    await expect(runSample(config({ collection: 'Vectorized', tenant: 'acme', search: 'nearText' }, false), { env: env() })).rejects.toThrow(/multi-tenancy disabled/);
  }, 60_000);

  it('a query vector of another length than the collection’s is a DimensionError naming the embedder', async () => {
    await expect(runSample({ ...config({ collection: 'Tenanted', tenant: 'acme' }, true), embedder: { kind: 'hashing', dimensions: 128 } }, { env: env() })).rejects.toMatchObject({
      code: 'E_DIMENSION',
      message: "Weaviate collection Tenanted: the collection holds 384-dimensional vectors, the query has 128 (vector lengths don't match)",
    });
  }, 60_000);

  function inserted(): number {
    return server.objects('Vectorized').length;
  }
});
