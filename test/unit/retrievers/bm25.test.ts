import { describe, expect, it } from 'vitest';
import { makeChunk, type Chunk } from '../../../src/chunkers/chunker.js';
import { bm25, bm25Options, type Bm25Options } from '../../../src/retrievers/bm25.js';
import type { Retriever } from '../../../src/retrievers/retriever.js';
import { createEnv } from '../../../src/shared/env.js';
import { tokenizeAlnumLower } from '../../../src/retrievers/tokenize.js';

const context = { env: createEnv({}), workDir: '/tmp' };

function whole(id: string, text: string): Chunk {
  return makeChunk({ id, text }, 0, text.length);
}

async function indexed(chunks: readonly Chunk[], options: Partial<Bm25Options> = {}): Promise<Retriever> {
  const retriever = await bm25.create(bm25Options.parse(options), context);
  expect(await retriever.open('test')).toBe(0);
  await retriever.add(chunks);
  await retriever.finish();
  return retriever;
}

const query = (text: string) => ({ id: 'q', text });

describe('bm25 retriever', () => {
  it('scores a 3-document toy corpus as computed by hand', async () => {
    // N = 3, lengths 3, 2, 4 tokens → avgdl 3; "cat" is in a (tf 1) and c (tf 2) → df 2.
    // idf = ln(1 + (3 − 2 + 0.5) / (2 + 0.5)) = ln 1.6
    // a: tf 1, |d| 3: 1·1.9 / (1 + 0.9·(0.6 + 0.4·3/3)) = 1.9 / 1.9 = 1        → ln 1.6
    // c: tf 2, |d| 4: 2·1.9 / (2 + 0.9·(0.6 + 0.4·4/3)) = 3.8 / (2 + 1.02)    → ln 1.6 · 3.8 / 3.02
    const retriever = await indexed([whole('a', 'The cat sat'), whole('b', 'the dog'), whole('c', 'cat CAT dog bird')]);
    const hits = await retriever.retrieve(query('cat'), 10);
    expect(hits.map((h) => h.id)).toEqual(['c#0-16', 'a#0-11']);
    expect(hits[0]!.score).toBeCloseTo((Math.log(1.6) * 3.8) / 3.02, 12);
    expect(hits[1]!.score).toBeCloseTo(Math.log(1.6), 12);
    expect(hits[0]!.docId).toBe('c');
  });

  it('sums over distinct query terms: a repeated query word counts once', async () => {
    const retriever = await indexed([whole('a', 'The cat sat'), whole('b', 'the dog'), whole('c', 'cat cat dog bird')]);
    const once = await retriever.retrieve(query('cat dog'), 10);
    const twice = await retriever.retrieve(query('cat dog cat'), 10);
    expect(twice).toEqual(once);
  });

  it('breaks score ties by chunk id ascending', async () => {
    const retriever = await indexed([whole('z', 'red apple'), whole('m', 'red apple'), whole('a', 'red apple')]);
    const hits = await retriever.retrieve(query('apple'), 10);
    expect(hits.map((h) => h.docId)).toEqual(['a', 'm', 'z']);
    expect(new Set(hits.map((h) => h.score)).size).toBe(1);
  });

  it('keeps the best k, ties at the cut resolved by id', async () => {
    const chunks = [whole('d', 'apple apple'), whole('c', 'apple pear'), whole('b', 'apple pear'), whole('a', 'pear')];
    const retriever = await indexed(chunks);
    const hits = await retriever.retrieve(query('apple'), 2);
    expect(hits.map((h) => h.docId)).toEqual(['d', 'b']);
  });

  it('gives, for every k, the first k of the full ranking (many ties, random corpus)', async () => {
    // A fixed linear congruential generator: the same "random" corpus on every run.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const words = ['lift', 'drag', 'wing', 'flow', 'mach', 'shock', 'heat', 'slab'];
    const chunks = Array.from({ length: 300 }, (_, i) =>
      whole(`d${i}`, Array.from({ length: 1 + Math.floor(next() * 6) }, () => words[Math.floor(next() * 8)]).join(' ')),
    );
    const retriever = await indexed(chunks);
    for (const text of ['lift', 'wing flow', 'mach shock heat slab']) {
      const full = await retriever.retrieve(query(text), 1000);
      for (const k of [1, 2, 7, 50, 299]) expect(await retriever.retrieve(query(text), k)).toEqual(full.slice(0, k));
    }
  });

  it('returns only matching chunks when k exceeds the corpus', async () => {
    const retriever = await indexed([whole('a', 'alpha'), whole('b', 'beta'), whole('c', 'alpha beta')]);
    const hits = await retriever.retrieve(query('alpha'), 100);
    expect(hits.map((h) => h.docId).sort()).toEqual(['a', 'c']);
  });

  it('returns [] for a query with no indexed terms, for an empty query and for k = 0', async () => {
    const retriever = await indexed([whole('a', 'alpha'), whole('b', 'beta')]);
    expect(await retriever.retrieve(query('gamma delta'), 10)).toEqual([]);
    expect(await retriever.retrieve(query('?!'), 10)).toEqual([]);
    expect(await retriever.retrieve(query('alpha'), 0)).toEqual([]);
  });

  it('returns chunks of one document as separate hits', async () => {
    const doc = { id: 'doc', text: 'wind tunnel tests. later, more wind tunnel tests.' };
    const retriever = await indexed([makeChunk(doc, 0, 18), makeChunk(doc, 19, 49), whole('other', 'water')]);
    const hits = await retriever.retrieve(query('wind tunnel'), 10);
    expect(hits.map((h) => h.id).sort()).toEqual(['doc#0-18', 'doc#19-49']);
    expect(hits.every((h) => h.docId === 'doc')).toBe(true);
  });

  it('is idempotent by chunk id: adding a chunk again replaces it', async () => {
    const chunks = [whole('a', 'The cat sat'), whole('b', 'the dog'), whole('c', 'cat cat dog bird')];
    const once = await indexed(chunks);
    const again = await indexed([...chunks, chunks[0]!, chunks[2]!]);
    expect(await again.retrieve(query('cat'), 10)).toEqual(await once.retrieve(query('cat'), 10));
  });

  it('scores large frequencies and large term ids exactly (the compact index codes both in varints)', async () => {
    // 20,000 distinct filler words push term ids past two varint bytes; "cat" 300 times needs a 16-bit tf.
    const filler = Array.from({ length: 20_000 }, (_, i) => `w${i}`).join(' ');
    const chunks = [whole('a', filler), whole('b', `${'cat '.repeat(300)}w19999`), whole('c', 'cat w19999 w5')];
    const retriever = await indexed(chunks);
    const lengths = [20_000, 301, 3];
    const avg = (20_000 + 301 + 3) / 3;
    const norm = (len: number) => 0.9 * (1 - 0.4 + (0.4 * len) / avg);
    const idfOf = (df: number) => Math.log(1 + (3 - df + 0.5) / (df + 0.5));
    const weight = (df: number, tf: number, len: number) => (idfOf(df) * tf * 1.9) / (tf + norm(len));
    const hits = await retriever.retrieve(query('cat w19999'), 10);
    expect(hits.map((h) => h.id)).toEqual(['b#0-1206', 'c#0-13', 'a#0-' + filler.length]);
    expect(hits[0]!.score).toBe(weight(2, 300, lengths[1]!) + weight(3, 1, lengths[1]!));
    expect(hits[1]!.score).toBe(weight(2, 1, lengths[2]!) + weight(3, 1, lengths[2]!));
    expect(hits[2]!.score).toBe(weight(3, 1, lengths[0]!));
  });

  it('returns chunk ids as added: derived ids (docId#start-end, also with # in the doc id) and ids of any other shape', async () => {
    const doc = { id: 'notes/a#1.md', text: 'alpha beta. gamma alpha.' };
    const custom = { id: 'my-own-id', docId: 'x', start: 0, end: 5, text: 'alpha' };
    const retriever = await indexed([makeChunk(doc, 0, 11), makeChunk(doc, 12, 24), custom, whole('b', 'alpha')]);
    const hits = await retriever.retrieve(query('alpha'), 10);
    expect(hits.map((h) => [h.id, h.docId]).sort()).toEqual([
      ['b#0-5', 'b'],
      ['my-own-id', 'x'],
      ['notes/a#1.md#0-11', 'notes/a#1.md'],
      ['notes/a#1.md#12-24', 'notes/a#1.md'],
    ]);
  });

  it('refuses add() after finish(): the build buffers are released, so re-indexing starts with open()', async () => {
    const retriever = await indexed([whole('a', 'alpha')]);
    await expect(retriever.add([whole('b', 'beta')])).rejects.toThrow(/after finish/);
    await retriever.open('test');
    await retriever.add([whole('b', 'beta')]);
    await retriever.finish();
    expect((await retriever.retrieve(query('beta alpha'), 10)).map((h) => h.id)).toEqual(['b#0-4']);
  });

  it('does not leak scores from one query into the next', async () => {
    const retriever = await indexed([whole('a', 'alpha beta'), whole('b', 'beta')]);
    const first = await retriever.retrieve(query('beta'), 10);
    await retriever.retrieve(query('alpha'), 10);
    expect(await retriever.retrieve(query('beta'), 10)).toEqual(first);
  });

  it('refuses to retrieve before finish()', async () => {
    const retriever = await bm25.create(bm25Options.parse({}), context);
    await retriever.open('test');
    await retriever.add([whole('a', 'alpha')]);
    await expect(retriever.retrieve(query('alpha'), 1)).rejects.toThrow(/before finish/);
  });

  it('has defaults k1 0.9, b 0.4, unicode tokenizer; rejects unknown options; fingerprints its options', async () => {
    expect(bm25Options.parse({})).toEqual({ k1: 0.9, b: 0.4, tokenizer: 'unicode' });
    expect(() => bm25Options.parse({ k1: 1.2, stemmer: 'porter' })).toThrow();
    expect(() => bm25Options.parse({ b: 1.5 })).toThrow();
    const retriever = await bm25.create(bm25Options.parse({ k1: 1.2 }), context);
    expect(retriever.fingerprint).toBe('bm25:{"b":0.4,"k1":1.2,"tokenizer":"unicode"}');
    expect(retriever.persistent).toBe(false);
  });
});

describe('alnum-lower tokenizer', () => {
  it.each([
    ['Mach 5.2 flow, M=3', ['mach', '5', '2', 'flow', 'm', '3']],
    ['lift-drag ratio', ['lift', 'drag', 'ratio']],
    ['café naïve', ['caf', 'na', 've']],
    ['', []],
  ])('tokenizes %j', (text, tokens) => {
    expect(tokenizeAlnumLower(text)).toEqual(tokens);
  });
});
