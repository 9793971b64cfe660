import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chunk } from '../../../src/chunkers/chunker.js';
import { createEnv } from '../../../src/shared/env.js';
import { retrievers } from '../../../src/retrievers/registry.js';
import type { Retriever } from '../../../src/retrievers/retriever.js';
import { startRetrievalServer, type RetrievalServer } from '../../doubles/retrieval-server.js';
import { annRecallOf, maxDifference, runSample, sampleChunks, type EvalRun } from '../../helpers/external-index.js';

const token = 's3cret-token-value';
const env = { SEARCH_TOKEN: token };

describe('kind: http retriever against a retrieval service', () => {
  let server: RetrievalServer;
  let bm25: Retriever;
  let reference: EvalRun;

  beforeAll(async () => {
    // The "service" is ragbench's own BM25 over the same chunks, so its metrics are the reference.
    const { chunks } = await sampleChunks();
    const byId = new Map<string, Chunk>(chunks.map((c) => [c.id, c]));
    bm25 = await retrievers.bm25.create(retrievers.bm25.options.parse({}), { env: createEnv({}), workDir: '.ragbench' });
    await bm25.open('service');
    await bm25.add(chunks);
    await bm25.finish();
    server = await startRetrievalServer(
      async (query, k) => (await bm25.retrieve({ id: 'q', text: query }, k)).map((hit) => ({ doc_id: hit.docId, text: byId.get(hit.id)!.text, score: hit.score })),
      { token },
    );
    reference = await runSample({ kind: 'bm25' }, { metrics: ['recall@10', 'ndcg@10', 'mrr@10'] });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await bm25?.close();
  });

  const config = (extra: Record<string, unknown> = {}) => ({
    kind: 'http',
    url: server.url,
    secretHeaders: { Authorization: { env: 'SEARCH_TOKEN', prefix: 'Bearer ' } },
    fields: { docId: 'doc_id', text: 'text', score: 'score' },
    concurrency: 3,
    retries: 2,
    retryDelayMs: 1,
    timeoutMs: 2_000,
    ...extra,
  });

  it('scores exactly as the same retrieval run in-process, sends the secret header, records the URL without it', async () => {
    server.delayMs = 15;
    const run = await runSample(config(), { env });
    server.delayMs = 0;
    expect(maxDifference(run, reference)).toBeLessThanOrEqual(1e-9);
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${token}`);
    expect(server.requests.at(-1)!.body).toMatchObject({ query: expect.any(String), k: expect.any(Number) });
    // Bounded concurrency: several requests at once, never more than asked.
    expect(server.inFlight.max).toBeGreaterThan(1);
    expect(server.inFlight.max).toBeLessThanOrEqual(3);
    const manifest = JSON.stringify(run.manifest);
    expect(manifest).not.toContain(token);
    expect(run.manifest.arms[0]!.retriever.evaluated).toMatchObject({ service: 'http', url: server.url, matched: { unmatchedDocIds: 0, unlocated: 0 } });
    // The service may search through an ANN index ragbench cannot see: "not measured", never "exact".
    const { ann, cell } = await annRecallOf(run);
    expect(cell).toBe('not measured');
    expect(ann!.warning).toContain(`the retrieval service at ${server.url}`);
    expect(JSON.stringify(ann)).not.toContain(token);
  }, 60_000);

  it('retries 429 and 500 answers and then succeeds', async () => {
    server.fault = { status: 429, times: 1, retryAfter: 0 };
    const first = await runSample(config({ concurrency: 1 }), { env });
    server.fault = { status: 500, times: 2 };
    const second = await runSample(config({ concurrency: 1 }), { env });
    expect(maxDifference(first, second)).toBe(0);
    expect(server.requests.filter((r) => r.status === 429)).toHaveLength(1);
    expect(server.requests.filter((r) => r.status === 500)).toHaveLength(2);
  }, 60_000);

  const failures: [string, () => void, Record<string, unknown>, { code: string; message: RegExp }][] = [
    ['a 500 that persists', () => (server.fault = { status: 500, times: 100 }), {}, { code: 'E_SERVICE', message: /HTTP 500/ }],
    ['a 429 that persists', () => (server.fault = { status: 429, times: 100 }), {}, { code: 'E_SERVICE', message: /HTTP 429/ }],
    ['a service that never answers', () => (server.fault = 'hang'), { timeoutMs: 200, retries: 0 }, { code: 'E_SERVICE', message: /no answer within 200 ms/ }],
    ['a body that is not JSON', () => (server.fault = 'malformed'), {}, { code: 'E_SERVICE', message: /not JSON/ }],
    ['results without the id field', () => (server.fault = 'no-id'), {}, { code: 'E_CONFIG', message: /no document id at "doc_id"/ }],
    ['a wrong results path', () => (server.fault = undefined), { results: 'hits' }, { code: 'E_CONFIG', message: /no array at "hits"/ }],
    ['a wrong token', () => (server.fault = undefined), { secretHeaders: { Authorization: 'WRONG_TOKEN' } }, { code: 'E_SERVICE', message: /HTTP 401/ }],
  ];
  it.each(failures)('%s is a clear error (service: exit 3, mapping: exit 2), never a score', async (_name, arrange, extra, expected) => {
    arrange();
    try {
      const error = await runSample(config(extra), { env: { ...env, WRONG_TOKEN: 'nope' }, extra: { queryLimit: 2 } }).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(error?.code).toBe(expected.code);
      expect(error?.message).toMatch(expected.message);
      expect(error?.message).not.toContain(token);
    } finally {
      server.fault = undefined;
    }
  }, 30_000);
});
