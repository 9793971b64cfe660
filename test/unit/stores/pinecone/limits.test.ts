/**
 * Pinecone's documented limits and filter language, through ragbench's own Pinecone code against the strict
 * double: the store cuts upserts under 1000 records and 2 MB of JSON as sent, what ignores a limit is refused
 * with the service's 400 and message, and an existing namespace is read with every filter operator.
 */
import { Pinecone } from '@pinecone-database/pinecone';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnv } from '../../../../src/shared/env.js';
import { pineconeExisting } from '../../../../src/stores/pinecone/existing.js';
import { upsertBatches } from '../../../../src/stores/pinecone/store.js';
import { stores } from '../../../../src/stores/registry.js';
import type { VectorStore } from '../../../../src/stores/vector-store.js';
import { listAllIds } from '../../../helpers/pinecone-ids.js';
import { pineconeLimits, startPineconeServer, type PineconeServer } from '../../../doubles/pinecone-server.js';

let server: PineconeServer;
let client: Pinecone;
const open: VectorStore[] = [];

/** Seeded float32 vectors: each value printed as a double takes ~20 bytes of JSON, the case a per-float guess misses. */
function seededRecords(n: number, dimensions: number, seed = 5) {
  let state = seed;
  const random = () => ((state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: n }, (_, i) => ({ id: `chunk-${i}`, docId: `doc-${i % 97}`, vector: Float32Array.from({ length: dimensions }, random) }));
}

beforeEach(async () => {
  server = await startPineconeServer();
  client = new Pinecone({ apiKey: server.apiKey, controllerHostUrl: server.url, maxRetries: 0 });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await server.close();
});

async function indexOf(name: string, dimension: number) {
  await client.indexes.create({ name, dimension, metric: 'cosine', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } } });
  return client.index({ name, host: (await client.indexes.describe(name)).host });
}

describe('upsert limits', () => {
  it('the store splits 1536-dimensional upserts into requests of ≤ 1000 records and ≤ 2 MB, and the double accepts them all', async () => {
    const records = seededRecords(300, 1536);
    for (const batch of upsertBatches(records)) {
      expect(batch.length).toBeLessThanOrEqual(pineconeLimits.upsertRecords);
      expect(Buffer.byteLength(JSON.stringify({ vectors: batch, namespace: 'rb_x' }))).toBeLessThanOrEqual(pineconeLimits.upsertBytes);
    }
    const store = await stores.pinecone.create(stores.pinecone.options.parse({ controllerHost: server.url, pollIntervalMs: 10 }), {
      env: createEnv({ PINECONE_API_KEY: server.apiKey }),
      workDir: '/tmp/unused',
    });
    open.push(store);
    await store.open({ name: 'big', dimensions: 1536, distance: 'cosine' });
    await store.upsert(records);
    expect(await store.count()).toBe(300);
    const upserts = server.requests.filter((r) => r.call === 'POST /vectors/upsert').length;
    // 300 × ~31 KB of JSON is ~9 MB: at least five requests under 2 MB each.
    expect(upserts).toBeGreaterThanOrEqual(5);
  });

  it('the old per-float estimate (12 bytes a value, 80 records of 1536) is over 2 MB: the double refuses it as Pinecone does', async () => {
    const index = await indexOf('raw', 1536);
    const batch = seededRecords(80, 1536).map((r) => ({ id: r.id, values: Array.from(r.vector), metadata: { docId: r.docId } }));
    await expect(index.upsert({ records: batch })).rejects.toMatchObject({
      name: 'PineconeBadRequestError',
      message: expect.stringMatching(/^Request size 2\.\dMB exceeds the maximum supported size of 2MB/),
    });
  });

  it('refuses 1001 records in one request, metadata over 40 KB, null metadata and an all-zero vector', async () => {
    const index = await indexOf('small', 2);
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `r${i}`, values: [1, 0] }));
    await expect(index.upsert({ records: many })).rejects.toThrow(/batch size 1001 exceeds the maximum of 1000 vectors/);
    await expect(index.upsert({ records: [{ id: 'big', values: [1, 0], metadata: { text: 'x'.repeat(41_000) } }] })).rejects.toThrow(
      /Metadata size is 41011 bytes, which exceeds the limit of 40960 bytes per vector/,
    );
    await expect(index.upsert({ records: [{ id: 'null', values: [1, 0], metadata: { lang: null as never } }] })).rejects.toThrow(/metadata value for field lang/);
    await expect(index.upsert({ records: [{ id: 'zero', values: [0, 0] }] })).rejects.toThrow(/at least one non-zero value/);
    expect((await index.describeIndexStats()).totalRecordCount).toBe(0);
  });
});

describe('query, fetch and list limits', () => {
  it('topK 1…10,000, ≤ 1000 ids a fetch, list limit ≤ 100 with opaque pagination tokens', async () => {
    const index = await indexOf('limits', 2);
    await index.upsert({ records: Array.from({ length: 250 }, (_, i) => ({ id: `r${String(i).padStart(3, '0')}`, values: [1, i + 1] })) });
    await expect(index.query({ vector: [1, 1], topK: 10_001 })).rejects.toThrow(/topK must be an integer between 1 and 10000/);
    expect((await index.query({ vector: [1, 1], topK: 10_000 })).matches).toHaveLength(250);
    await expect(index.fetch({ ids: Array.from({ length: 1001 }, (_, i) => `r${i}`) })).rejects.toThrow(/1001 ids exceed the maximum of 1000 per fetch/);
    await expect(index.listPaginated({ limit: 101 })).rejects.toThrow(/limit must be between 1 and 100/);
    const ids = await listAllIds(index);
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
  });
});

describe('metadata filters through the existing-namespace reader', () => {
  const metadata = (i: number) => ({
    docId: `d${i}`,
    year: 2000 + i,
    lang: i % 2 === 0 ? 'en' : 'de',
    tags: i % 3 === 0 ? ['a', 'b'] : ['c'],
    ...(i < 5 ? { draft: true } : {}),
  });
  /** Documents the reader returns with `filter`, sorted; the double holds 12 records d0…d11. */
  async function docsWith(filter: Record<string, unknown>): Promise<string[]> {
    const reader = await pineconeExisting.create(pineconeExisting.options.parse({ controllerHost: server.url, index: 'filters', filter }), {
      env: createEnv({ PINECONE_API_KEY: server.apiKey }),
      workDir: '/tmp/unused',
    });
    const hits = await reader.search({ text: 'q', vector: Float32Array.from([1, 0.5]) }, 12);
    return hits.map((h) => h.docId).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  }
  /** The same filter applied here by hand, as the expectation. */
  const where = (keep: (m: ReturnType<typeof metadata>) => boolean) => Array.from({ length: 12 }, (_, i) => metadata(i)).filter(keep).map((m) => m.docId);

  beforeEach(async () => {
    const index = await indexOf('filters', 2);
    await index.upsert({ records: Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, values: [1, i + 1], metadata: metadata(i) })) });
  });

  it('every documented operator, on scalars and lists, combined with $and / $or', async () => {
    expect(await docsWith({ lang: 'en' })).toEqual(where((m) => m.lang === 'en'));
    expect(await docsWith({ lang: { $ne: 'en' } })).toEqual(where((m) => m.lang !== 'en'));
    expect(await docsWith({ year: { $gt: 2008 } })).toEqual(where((m) => m.year > 2008));
    expect(await docsWith({ year: { $gte: 2008, $lt: 2010 } })).toEqual(where((m) => m.year >= 2008 && m.year < 2010));
    expect(await docsWith({ year: { $lte: 2001 } })).toEqual(where((m) => m.year <= 2001));
    expect(await docsWith({ tags: { $in: ['b'] } })).toEqual(where((m) => m.tags.includes('b')));
    expect(await docsWith({ tags: { $nin: ['a', 'c'] } })).toEqual([]);
    expect(await docsWith({ tags: 'c' })).toEqual(where((m) => m.tags.includes('c')));
    expect(await docsWith({ draft: { $exists: false } })).toEqual(where((m) => !('draft' in m)));
    expect(await docsWith({ $or: [{ lang: 'de' }, { $and: [{ draft: { $eq: true } }, { year: { $gte: 2002 } }] }] })).toEqual(
      where((m) => m.lang === 'de' || ('draft' in m && m.year >= 2002)),
    );
  });

  it('an unknown operator or a wrong operand is the service’s 400, named in one line', async () => {
    await expect(docsWith({ lang: { $regex: 'e.*' } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('unknown operator $regex') });
    await expect(docsWith({ year: { $gt: '2005' } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('year.$gt: invalid operand "2005"') });
  });
});
