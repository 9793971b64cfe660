/**
 * A Pinecone namespace written by the user's code through the official client (into the wire-level double), then
 * evaluated read-only by `kind: existing`: same metrics as ragbench's own exact index of the same chunks.
 */
import { Pinecone } from '@pinecone-database/pinecone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHashingEmbedder } from '../../../src/embedders/hashing.js';
import { startPineconeServer, type PineconeServer } from '../../doubles/pinecone-server.js';
import { listAllIds } from '../../helpers/pinecone-ids.js';
import { annRecallOf, maxDifference, runSample, sampleChunks, type EvalRun } from '../../helpers/external-index.js';

const ownExactMemory = { kind: 'dense', embedder: { kind: 'hashing' }, store: { kind: 'memory' }, cache: false };

describe('kind: existing, source pinecone', () => {
  let server: PineconeServer;
  let client: Pinecone;
  let reference: EvalRun;
  let written = 0;

  /** Every record of the namespace, as the official client fetches it: the read-only proof's before/after. */
  async function state(): Promise<string> {
    const index = client.index({ name: 'prod-docs', host: (await client.indexes.describe('prod-docs')).host, namespace: 'v2' });
    const stats = await index.describeIndexStats();
    const ids = (await listAllIds(index)).sort();
    const fetched = await index.fetch({ ids: ids.slice(0, 100) });
    return JSON.stringify([stats.namespaces, ids, fetched.records]);
  }

  beforeAll(async () => {
    server = await startPineconeServer();
    client = new Pinecone({ apiKey: server.apiKey, controllerHostUrl: server.url, maxRetries: 0 });
    await client.indexes.create({ name: 'prod-docs', dimension: 384, metric: 'cosine', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } } });
    const host = (await client.indexes.describe('prod-docs')).host;
    const index = client.index({ name: 'prod-docs', host, namespace: 'v2' });
    const { chunks } = await sampleChunks();
    const vectors = await createHashingEmbedder({ dimensions: 384, wordNgrams: [1, 2], charNgrams: [3, 4, 5], lowercase: true }).embed(chunks.map((c) => c.text), 'document');
    for (let start = 0; start < chunks.length; start += 200) {
      await index.upsert({
        records: chunks.slice(start, start + 200).map((c, i) => ({
          id: `chunk-${start + i}`,
          values: Array.from(vectors[start + i]!),
          metadata: { source: c.docId, text: c.text, lang: Number(c.docId) % 2 === 0 ? 'even' : 'odd' },
        })),
      });
    }
    written = chunks.length;
    reference = await runSample(ownExactMemory);
  }, 60_000);
  afterAll(async () => server?.close());

  const config = (extra: Record<string, unknown> = {}) => ({
    kind: 'existing',
    embedder: { kind: 'hashing' },
    cache: false,
    source: { kind: 'pinecone', controllerHost: server.url, index: 'prod-docs', namespace: 'v2', docIdField: 'source', textField: 'text', ...extra },
  });
  const env = () => ({ PINECONE_API_KEY: server.apiKey });

  it('scores as ragbench’s own exact index to 1e-9, records count and checksum, writes nothing', async () => {
    const before = await state();
    const writes = () => server.requests.filter((r) => /upsert|delete|POST \/indexes/.test(r.call)).length;
    const writesBefore = writes();
    const run = await runSample(config(), { env: env() });
    expect(maxDifference(run, reference)).toBeLessThanOrEqual(1e-9);
    const evaluated = run.manifest.arms[0]!.retriever.evaluated as Record<string, unknown>;
    expect(evaluated).toMatchObject({ store: 'pinecone', index: 'prod-docs', namespace: 'v2', records: written, matched: { unmatchedDocIds: 0, unlocated: 0 } });
    expect(evaluated.checksum).toMatch(/^[0-9a-f]{32}$/);
    expect(writes()).toBe(writesBefore);
    expect(await state()).toBe(before);
    expect(JSON.stringify(run.manifest)).not.toContain(server.apiKey);
    // Pinecone searches approximately and ragbench does not search an existing namespace exactly: "not measured", never "exact".
    expect(await annRecallOf(run)).toEqual({
      ann: expect.objectContaining({ index: 'existing Pinecone index (ANN, no recall setting)', recall: null, warning: expect.stringContaining('not measured') }),
      cell: 'not measured',
    });
  }, 60_000);

  it('sends a metadata filter as data, and refuses a wrong embedder or a missing docId field', async () => {
    const filtered = await runSample(config({ filter: { lang: { $eq: 'even' } } }), { env: env() });
    expect(maxDifference(filtered, reference)).toBeGreaterThan(0);
    await expect(runSample({ ...config(), embedder: { kind: 'hashing', dimensions: 128 } }, { env: env() })).rejects.toMatchObject({ code: 'E_DIMENSION' });
    await expect(runSample(config({ docIdField: 'doc_id' }), { env: env() })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('has no metadata doc_id') });
    await expect(runSample(config({ index: 'nope' }), { env: env() })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('does not exist') });
  }, 60_000);
});
