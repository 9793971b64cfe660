import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../../../src/rerankers/http.js';
import { createEnv } from '../../../src/shared/env.js';
import { ServiceError } from '../../../src/shared/errors.js';
import { startRerankServer, type RerankServer } from '../../doubles/rerank-server.js';

/** The http reranker against a strict local rerank server (test/doubles/rerank-server.ts), in both wire shapes. */
const key = 'sk-test-7f3a9c';
/** Shared words between query and document, over the document's words: known, so expected scores are exact. */
const overlap = (query: string, document: string) => {
  const q = new Set(query.toLowerCase().split(/\s+/));
  const words = document.toLowerCase().split(/\s+/);
  return words.filter((w) => q.has(w)).length / words.length;
};
let server: RerankServer;

const create = (options: Record<string, unknown>, env: Record<string, string> = { RERANK_KEY: key }) =>
  http.create(http.options.parse({ retryDelayMs: 0, ...options }), { env: createEnv(env), workDir: '/nonexistent' });

describe('http reranker', () => {
  beforeAll(async () => void (server = await startRerankServer(overlap, { apiKey: key, maxClientBatch: 4 })));
  afterAll(async () => server.close());

  const documents = ['heat transfer in flow', 'wing', 'the boundary layer heat', 'shock waves and heat transfer', 'flow'];
  const expected = documents.map((d) => overlap('heat transfer', d));

  it('cohere shape: scores by result index (the server answers best first), split at maxDocuments, search units priced', async () => {
    const reranker = await create({ url: `${server.url}/v2/rerank`, model: 'rerank-v3.5', apiKeyEnv: 'RERANK_KEY', maxDocuments: 2, price: { usdPerSearch: 0.002 } });
    server.requests.length = 0;
    expect(await reranker.score('heat transfer', documents)).toEqual(expected);
    expect(server.requests.map((r) => (r.body.documents as string[]).length)).toEqual([2, 2, 1]);
    expect(server.requests.every((r) => r.authorization === `Bearer ${key}` && r.body.model === 'rerank-v3.5' && r.body.top_n === (r.body.documents as string[]).length)).toBe(true);
    expect(reranker.usage()).toMatchObject({ requests: 3, pairs: 5, searchUnits: 3, usd: 0.006 });
    expect(reranker.fingerprint).not.toContain(key);
  });

  it('tei shape: {query, texts} → [{index, score}], no model, no key', async () => {
    const reranker = await create({ url: `${server.url}/rerank`, api: 'tei', maxDocuments: 4 });
    expect(await reranker.score('heat transfer', documents)).toEqual(expected);
    expect(reranker.usage()).toMatchObject({ requests: 2, pairs: 5, usd: null, reason: expect.stringMatching(/no price set/) });
  });

  it('a batch over TEI\'s limit is a 413 whose fix says to lower maxDocuments', async () => {
    const reranker = await create({ url: `${server.url}/rerank`, api: 'tei', maxDocuments: 5 });
    const error = await reranker.score('heat', documents).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ status: 413, retryable: false, message: expect.stringMatching(/HTTP 413 .*maximum allowed batch size 4/), fix: expect.stringMatching(/lower maxDocuments/) });
  });

  it('a wrong key is a 401 naming the variable, never its value', async () => {
    const reranker = await create({ url: `${server.url}/v2/rerank`, model: 'm', apiKeyEnv: 'RERANK_KEY' }, { RERANK_KEY: 'sk-wrong-1234' });
    const error = (await reranker.score('heat', ['heat']).catch((e: unknown) => e)) as ServiceError;
    expect(error).toMatchObject({ status: 401, fix: expect.stringContaining('RERANK_KEY') });
    expect(`${error.message} ${error.fix}`).not.toContain('sk-wrong-1234');
  });

  it('a 429 is retried, then the scores arrive', async () => {
    const reranker = await create({ url: `${server.url}/v2/rerank`, model: 'm', apiKeyEnv: 'RERANK_KEY', retries: 2 });
    server.fault = { status: 429, times: 2 };
    expect(await reranker.score('heat transfer', documents)).toEqual(expected);
    expect(reranker.usage().pairs).toBe(5);
  });

  it('an empty document is refused by the server (as Cohere does) with its message', async () => {
    const reranker = await create({ url: `${server.url}/v2/rerank`, model: 'm', apiKeyEnv: 'RERANK_KEY' });
    await expect(reranker.score('heat', ['heat', ' '])).rejects.toThrow(/HTTP 400 .*non-empty strings/);
  });

  it('config: the cohere shape needs a model; url or urlEnv, one of them', () => {
    expect(() => http.options.parse({ url: 'http://x/rerank' })).toThrow(/name it/);
    expect(() => http.options.parse({ model: 'm' })).toThrow(/give url or urlEnv/);
  });
});
