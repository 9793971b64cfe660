import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRerankCache } from '../../../src/rerankers/cache.js';
import { crossEncoder } from '../../../src/rerankers/cross-encoder.js';
import { createEnv } from '../../../src/shared/env.js';
import { classifier, embedded, tokenId, writeTinyBert } from '../../helpers/tiny-bert.js';

/**
 * The cross-encoder's real path (transformers.js pair tokenization → onnxruntime-node → logits) on a tiny BERT with
 * a one-logit head, built by the test. By hand: logit = Σ over the pair's tokens of (E[id] + T[type]) · C, where
 * [CLS] query [SEP] are type 0 and document [SEP] type 1.
 */
let root = '';
let folder = '';

function expectedLogit(query: string[], document: string[]): number {
  const tokens = [
    ...['[CLS]', ...query, '[SEP]'].map((t) => [tokenId(t), 0] as const),
    ...[...document, '[SEP]'].map((t) => [tokenId(t), 1] as const),
  ];
  return tokens.reduce((sum, [id, type]) => sum + embedded(id, type).reduce((s, v, d) => s + v * classifier[d]!, 0), 0);
}

describe('cross-encoder reranker on a tiny local BERT', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rb-cross-'));
    folder = await writeTinyBert(join(root, 'tiny-cross'), 'logits');
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  const create = () => crossEncoder.create(crossEncoder.options.parse({ model: folder, batchSize: 2 }), { env: createEnv({}), workDir: join(root, 'work') });

  it('scores each (query, document) pair by the head\'s logit, in document order, across padded batches', async () => {
    const reranker = await create();
    const scores = await reranker.score('shock wing', ['the boundary layer', 'heat', 'wing flows']);
    const want = [expectedLogit(['shock', 'wing'], ['the', 'boundary', 'layer']), expectedLogit(['shock', 'wing'], ['heat']), expectedLogit(['shock', 'wing'], ['wing', 'flow', '##s'])];
    scores.forEach((score, i) => expect(score).toBeCloseTo(want[i]!, 5));
    // The hand values differ, so the order test below can fail.
    expect(new Set(want.map((v) => v.toFixed(4))).size).toBe(3);
    expect(reranker.usage()).toMatchObject({ pairs: 3, requests: 2, usd: 0 });
  });

  it('is cached per (model, query, document): a repeated pair is not scored again', async () => {
    const cached = withRerankCache(await create(), { dir: join(root, 'rerank-cache') });
    const first = await cached.score('heat', ['wing flows', 'the heat']);
    const second = await cached.score('heat', ['the heat', 'shock']);
    expect(second[0]).toBe(first[1]);
    expect(cached.usage()).toMatchObject({ pairs: 3, cachedPairs: 1 });
    // A new process reads the scores back from disk.
    const reopened = withRerankCache(await create(), { dir: join(root, 'rerank-cache') });
    expect(await reopened.score('heat', ['wing flows', 'the heat', 'shock'])).toEqual([first[0], first[1], second[1]]);
    expect(reopened.usage()).toMatchObject({ pairs: 0, cachedPairs: 3 });
  });
});
