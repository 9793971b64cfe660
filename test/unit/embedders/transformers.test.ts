import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmbeddingCache } from '../../../src/embedders/cache.js';
import { transformers } from '../../../src/embedders/transformers.js';
import { createEnv } from '../../../src/shared/env.js';
import { hiddenRow, tokenId, writeTinyBert } from '../../helpers/tiny-bert.js';

/**
 * The transformers embedder's real loading and inference path (transformers.js → onnxruntime-node) on a tiny BERT
 * built by the test (test/helpers/tiny-bert.ts), checked against vectors computed here by hand from its weights.
 */
let root = '';
let folder = '';
const context = () => ({ env: createEnv({}), workDir: join(root, 'work') });
const create = (options: Record<string, unknown>) => transformers.create(transformers.options.parse({ model: folder, ...options }), context());

/** Mean of the token rows (type 0), L2-normalised when asked: the expected sentence vector. */
function expected(tokens: string[], normalize = true): number[] {
  const rows = ['[CLS]', ...tokens, '[SEP]'].map((t) => hiddenRow(tokenId(t), 0));
  const mean = rows[0]!.map((_, d) => rows.reduce((sum, row) => sum + row[d]!, 0) / rows.length);
  const norm = Math.hypot(...mean);
  return normalize ? mean.map((v) => v / norm) : mean;
}

describe('transformers embedder on a tiny local BERT', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rb-transformers-'));
    folder = await writeTinyBert(join(root, 'tiny-bert'), 'hidden');
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('mean-pools last_hidden_state over the attention mask and L2-normalises, in a padded batch', async () => {
    const embedder = await create({});
    expect(embedder.dimensions).toBe(4);
    // "wing flows" → [CLS] wing flow ##s [SEP] (5 tokens); the second text is longer, so the first is padded.
    const [short, long] = await embedder.embed(['Wing flows', 'the boundary layer of heat'], 'document');
    expect([...short!].map((v) => Number(v.toFixed(6)))).toEqual(expected(['wing', 'flow', '##s']).map((v) => Number(v.toFixed(6))));
    expected(['the', 'boundary', 'layer', 'of', 'heat']).forEach((v, d) => expect(long![d]).toBeCloseTo(v, 6));
  });

  it('cls pooling without normalisation is the first token\'s row', async () => {
    const embedder = await create({ pooling: 'cls', normalize: false });
    const [vector] = await embedder.embed(['shock'], 'document');
    hiddenRow(tokenId('[CLS]'), 0).forEach((v, d) => expect(vector![d]).toBeCloseTo(v, 6));
  });

  it('prepends the query prefix to queries only', async () => {
    const embedder = await create({ queryPrefix: 'the ' });
    const [query] = await embedder.embed(['heat'], 'query');
    const [document] = await embedder.embed(['heat'], 'document');
    expected(['the', 'heat']).forEach((v, d) => expect(query![d]).toBeCloseTo(v, 6));
    expected(['heat']).forEach((v, d) => expect(document![d]).toBeCloseTo(v, 6));
  });

  it('an unknown word becomes [UNK], and an empty text is [CLS] [SEP]', async () => {
    const embedder = await create({ normalize: false });
    const [unknown, empty] = await embedder.embed(['zeppelin', ''], 'document');
    expected(['[UNK]'], false).forEach((v, d) => expect(unknown![d]).toBeCloseTo(v, 6));
    expected([], false).forEach((v, d) => expect(empty![d]).toBeCloseTo(v, 6));
  });

  it('the fingerprint holds the files\' hashes: a changed model file changes it, a moved folder does not', async () => {
    const before = await create({});
    const moved = join(root, 'moved-bert');
    await cp(folder, moved, { recursive: true });
    const same = await transformers.create(transformers.options.parse({ model: moved }), context());
    expect(same.fingerprint).toBe(before.fingerprint);
    await writeFile(join(moved, 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: 4, vocab_size: 13, note: 'changed' }));
    const changed = await transformers.create(transformers.options.parse({ model: moved }), context());
    expect(changed.fingerprint).not.toBe(before.fingerprint);
    expect(before.fingerprint).toMatch(/"onnx\/model\.onnx":"[0-9a-f]{16}"/);
  });

  it('is cached like every embedder: a second pass embeds nothing', async () => {
    const cached = withEmbeddingCache(await create({}), { dir: join(root, 'cache') });
    const first = await cached.embed(['wing flows', 'heat'], 'document');
    const again = await cached.embed(['wing flows', 'heat'], 'document');
    expect(cached.stats).toMatchObject({ hits: 2, misses: 2 });
    expect(again).toEqual(first);
  });

  it('a folder without the ONNX file is refused, saying how to get the model (and never reaches the network)', async () => {
    const empty = join(root, 'not-a-model');
    await writeTinyBert(empty, 'hidden');
    await rm(join(empty, 'onnx'), { recursive: true });
    await expect(transformers.create(transformers.options.parse({ model: empty }), context())).rejects.toThrow(/has no onnx\/model\.onnx/);
    await expect(transformers.create(transformers.options.parse({ model: empty, quantized: true }), context())).rejects.toMatchObject({
      fix: expect.stringMatching(/optimum-cli export onnx/),
    });
  });
});
