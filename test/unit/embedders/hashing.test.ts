import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashing } from '../../../src/embedders/hashing.js';
import { createFeaturizer } from '../../../src/embedders/hashing/featurize.js';
import { createEnv } from '../../../src/shared/env.js';
import { datasetPath, lacks, repoRoot } from '../../helpers/datasets.js';

const context = { env: createEnv({}), workDir: '/nonexistent' };
const make = (options: Record<string, unknown> = {}) => hashing.create(hashing.options.parse(options), context);

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}
const norm = (v: Float32Array) => Math.sqrt(cosine(v, v));

describe('hashing embedder', () => {
  it('defaults to 384 dimensions and returns one vector of that length per text', async () => {
    const embedder = await make();
    expect(embedder.dimensions).toBe(384);
    const vectors = await embedder.embed(['one text', 'another text', 'a third'], 'document');
    expect(vectors).toHaveLength(3);
    for (const v of vectors) expect(v).toBeInstanceOf(Float32Array);
    for (const v of vectors) expect(v.length).toBe(384);
  });

  it('honours the dimensions option', async () => {
    const [vector] = await (await make({ dimensions: 64 })).embed(['boundary layer flow'], 'document');
    expect(vector!.length).toBe(64);
  });

  it('is deterministic across calls and instances', async () => {
    const text = 'The boundary layer separates at high angles of attack.';
    const [a] = await (await make()).embed([text], 'document');
    const [b] = await (await make()).embed([text], 'document');
    expect(Array.from(a!)).toEqual(Array.from(b!));
  });

  it('returns L2-normalised vectors', async () => {
    const vectors = await (await make()).embed(['short', 'a much longer text with many many words in it, repeated words words words'], 'document');
    for (const v of vectors) expect(norm(v)).toBeCloseTo(1, 5);
  });

  it('embeds empty and punctuation-only text to the zero vector', async () => {
    const vectors = await (await make()).embed(['', '  ?! -- '], 'document');
    for (const v of vectors) expect(v.every((x) => x === 0)).toBe(true);
  });

  it('ignores the role: a query and a document with the same text get the same vector', async () => {
    const embedder = await make();
    const [q] = await embedder.embed(['heat transfer'], 'query');
    const [d] = await embedder.embed(['heat transfer'], 'document');
    expect(Array.from(q!)).toEqual(Array.from(d!));
  });

  it('puts similar texts closer than unrelated ones', async () => {
    const embedder = await make();
    const [query, related, unrelated] = await embedder.embed(
      [
        'supersonic flow over a flat plate boundary layer',
        'boundary layers on flat plates in supersonic flows',
        'the recipe calls for two eggs and a cup of sugar',
      ],
      'document',
    );
    expect(cosine(query!, related!)).toBeGreaterThan(cosine(query!, unrelated!) + 0.2);
  });

  it('lowercases by default and is case-sensitive when lowercase is false', async () => {
    const [a, b] = await (await make()).embed(['Heat Transfer', 'heat transfer'], 'document');
    expect(cosine(a!, b!)).toBeCloseTo(1, 6);
    const [c, d] = await (await make({ lowercase: false })).embed(['Heat Transfer', 'heat transfer'], 'document');
    expect(cosine(c!, d!)).toBeLessThan(0.9);
  });

  it('drops stopwords before forming n-grams', async () => {
    const embedder = await make({ stopwords: ['The', 'of'] });
    const [a, b] = await embedder.embed(['the theory of wings', 'theory wings'], 'document');
    expect(cosine(a!, b!)).toBeCloseTo(1, 6);
  });

  it('fingerprints kind and normalised options, so equal settings share a fingerprint', async () => {
    const a = await make({ wordNgrams: [2, 1] });
    const b = await make({ wordNgrams: [1, 2, 2] });
    const c = await make({ dimensions: 128 });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint.startsWith('hashing:')).toBe(true);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it.each([
    [{ dimensions: 0 }],
    [{ dimensions: 1.5 }],
    [{ wordNgrams: [0] }],
    [{ charNgrams: [11] }],
    [{ wordNgrams: [], charNgrams: [] }],
    [{ stopwords: [''] }],
    [{ unknownOption: true }],
  ])('rejects invalid options %j', (options) => {
    expect(hashing.options.safeParse(options).success).toBe(false);
  });

  it('handles non-ASCII text and astral characters', async () => {
    const [a, b] = await (await make()).embed(['Über Strömungslehre 🚀 𝒳', 'über strömungslehre'], 'document');
    expect(norm(a!)).toBeCloseTo(1, 5);
    expect(cosine(a!, b!)).toBeGreaterThan(0.5);
  });

  it.skipIf(lacks('cranfield'))('featurizes large batches on worker threads to the very same vectors, in order, with the same fingerprint', async () => {
    const texts = readFileSync(datasetPath('cranfield', 'corpus.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .slice(0, 600)
      .map((line) => (JSON.parse(line) as { text: string }).text);
    texts.push('', 'ünïcödé 🚀 astral', texts[0]!);
    const options = { dimensions: 96, stopwords: ['the', 'of'] };
    const inProcess = await make({ ...options, workers: 0 });
    const onWorkers = await make({ ...options, workers: 2 });
    expect(onWorkers.fingerprint).toBe(inProcess.fingerprint);
    // Two batches per worker: the next waits in the worker's own queue while it featurizes one.
    expect(onWorkers.concurrency).toBe(4);
    const expected = await inProcess.embed(texts, 'document');
    // The first large batches run in-process while the workers load; wait until they have, then compare again.
    expect(await onWorkers.embed(texts, 'document')).toEqual(expected);
    for (let tries = 0; tries < 200; tries++) {
      const vectors = await onWorkers.embed(texts, 'document');
      expect(vectors).toEqual(expected);
      if (vectors[0]!.buffer !== vectors[vectors.length - 1]!.buffer && vectors[0]!.buffer.byteLength > 96 * 4) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const fromWorkers = await onWorkers.embed(texts, 'document');
    // Views into the workers' transferred buffers (one per worker's share), not per-text arrays made here.
    expect(fromWorkers[0]!.buffer.byteLength).toBeGreaterThan(96 * 4);
    expect(fromWorkers).toEqual(expected);
  });
  it('gives the very vectors it always gave (an index built earlier keeps its fingerprint only if they never change)', () => {
    // SHA-256 of the little-endian float32 bytes over the committed sample's 56 abstracts and three edge texts,
    // recorded from the featurizer before its arithmetic was made cheaper (2026-12-07).
    const texts = readFileSync(join(repoRoot, 'corpora', 'sample', 'corpus.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { text: string }).text);
    texts.push('word '.repeat(300), 'ünïcödé 𝒜𝒷𝒸 Words words', '');
    const digests = [7, 384, 4096].map((dimensions) => {
      const featurize = createFeaturizer({ dimensions, wordNgrams: [1, 2], charNgrams: [3, 4, 5], lowercase: true });
      const hash = createHash('sha256');
      for (const text of texts) hash.update(new Uint8Array(featurize(text).buffer));
      return hash.digest('hex');
    });
    expect(digests).toEqual([
      '3a86b774401ce677793659f75a714ba1c57f250cc4e2ab10142670c7b466dfb0',
      '41931a0a3b1beaa722729462bf190a789906e08dc45680f5c09bd1ab04652d75',
      'a3b734c402e6c4fda29d21121b21cdea6fb2e7055d72facc08f0ec87e691ae48',
    ]);
  });
});
