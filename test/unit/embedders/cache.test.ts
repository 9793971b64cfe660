import { mkdtemp, open, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddingCacheDir, withEmbeddingCache } from '../../../src/embedders/cache.js';
import type { EmbedRole, Embedder } from '../../../src/embedders/embedder.js';
import { createHashingEmbedder } from '../../../src/embedders/hashing.js';
import { DimensionError } from '../../../src/shared/errors.js';

/** A real embedder that counts the texts it was asked for (no mock: it still computes real vectors). */
function countingHashing(dimensions = 32): Embedder & { calls: string[][] } {
  const inner = createHashingEmbedder({ dimensions, wordNgrams: [1, 2], charNgrams: [3, 4, 5], lowercase: true });
  const calls: string[][] = [];
  return {
    fingerprint: inner.fingerprint,
    dimensions: inner.dimensions,
    maxBatchSize: inner.maxBatchSize,
    calls,
    embed(texts: readonly string[], role: EmbedRole, signal?: AbortSignal) {
      calls.push([...texts]);
      return inner.embed(texts, role, signal);
    },
  };
}

const corpus = ['wing flutter at transonic speeds', 'heat transfer in laminar flow', 'boundary layer suction'];
let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'ragbench-cache-'));
});
afterEach(() => rm(workDir, { recursive: true, force: true }));
const dir = () => embeddingCacheDir(workDir);

describe('embedding cache', () => {
  it('stores under <workDir>/cache/embeddings/<hash of the fingerprint> and keeps the inner fingerprint', async () => {
    const inner = countingHashing();
    const cached = withEmbeddingCache(inner, { dir: dir() });
    expect(cached.fingerprint).toBe(inner.fingerprint);
    expect(cached.dimensions).toBe(inner.dimensions);
    expect(cached.path.startsWith(join(workDir, 'cache', 'embeddings'))).toBe(true);
  });

  it('embeds nothing on a second call with the same texts, and returns the same vectors', async () => {
    const inner = countingHashing();
    const cached = withEmbeddingCache(inner, { dir: dir() });
    const first = await cached.embed(corpus, 'document');
    const second = await cached.embed(corpus, 'document');
    expect(inner.calls).toEqual([corpus]);
    expect(second.map((v) => Array.from(v))).toEqual(first.map((v) => Array.from(v)));
    expect(cached.stats).toEqual({ hits: 3, misses: 3, corrupt: 0 });
  });

  it('sends only the misses, each distinct text once', async () => {
    const inner = countingHashing();
    const cached = withEmbeddingCache(inner, { dir: dir() });
    await cached.embed([corpus[0]!], 'document');
    const vectors = await cached.embed([corpus[0]!, corpus[1]!, corpus[1]!], 'document');
    expect(inner.calls).toEqual([[corpus[0]], [corpus[1]]]);
    expect(Array.from(vectors[1]!)).toEqual(Array.from(vectors[2]!));
  });

  it('keys on the role as well as the text', async () => {
    const inner = countingHashing();
    const cached = withEmbeddingCache(inner, { dir: dir() });
    await cached.embed(['same text'], 'document');
    await cached.embed(['same text'], 'query');
    expect(inner.calls).toHaveLength(2);
  });

  it('survives a reopen: a new wrapper on the same folder embeds nothing', async () => {
    await withEmbeddingCache(countingHashing(), { dir: dir() }).embed(corpus, 'document');
    const inner = countingHashing();
    const reopened = withEmbeddingCache(inner, { dir: dir() });
    const vectors = await reopened.embed(corpus, 'document');
    const [fresh] = await countingHashing().embed([corpus[2]!], 'document');
    expect(inner.calls).toEqual([]);
    expect(Array.from(vectors[2]!)).toEqual(Array.from(fresh!));
    expect(reopened.stats).toEqual({ hits: 3, misses: 0, corrupt: 0 });
  });

  it('ignores a truncated last record and appends cleanly after it', async () => {
    const first = withEmbeddingCache(countingHashing(), { dir: dir() });
    await first.embed(corpus, 'document');
    const file = join(first.path, 'vectors-v2.bin');
    const recordBytes = 16 + 32 * 4 + 4;
    expect((await stat(file)).size).toBe(3 * recordBytes);
    await truncate(file, 3 * recordBytes - 10); // a crash in the middle of the last record

    const inner = countingHashing();
    const reopened = withEmbeddingCache(inner, { dir: dir() });
    await reopened.embed(corpus, 'document');
    expect(inner.calls).toEqual([[corpus[2]]]);
    expect((await stat(file)).size).toBe(3 * recordBytes);

    const third = countingHashing();
    await withEmbeddingCache(third, { dir: dir() }).embed(corpus, 'document');
    expect(third.calls).toEqual([]);
  });

  it('does not share entries between embedders with different fingerprints', async () => {
    const small = countingHashing(32);
    const large = countingHashing(64);
    await withEmbeddingCache(small, { dir: dir() }).embed(corpus, 'document');
    const vectors = await withEmbeddingCache(large, { dir: dir() }).embed(corpus, 'document');
    expect(large.calls).toEqual([corpus]);
    expect(vectors[0]!.length).toBe(64);
  });

  it('returns copies, so changing a returned vector does not change the cache', async () => {
    const cached = withEmbeddingCache(countingHashing(), { dir: dir() });
    const [a] = await cached.embed([corpus[0]!], 'document');
    a!.fill(7);
    const [b] = await cached.embed([corpus[0]!], 'document');
    expect(b!.some((x) => x !== 7)).toBe(true);
  });

  it('stores nothing when the inner embedder returns a vector of the wrong length', async () => {
    const liar: Embedder = { fingerprint: 'liar', dimensions: 4, maxBatchSize: 10, embed: async (t) => t.map(() => new Float32Array(3)) };
    const cached = withEmbeddingCache(liar, { dir: dir() });
    await expect(cached.embed(['x'], 'document')).rejects.toBeInstanceOf(DimensionError);
    await expect(stat(join(cached.path, 'vectors-v2.bin'))).rejects.toThrow();
  });

  it('keeps concurrent calls consistent on disk', async () => {
    const cached = withEmbeddingCache(countingHashing(), { dir: dir() });
    await Promise.all(corpus.map((text) => cached.embed([text], 'document')));
    const inner = countingHashing();
    await withEmbeddingCache(inner, { dir: dir() }).embed(corpus, 'document');
    expect(inner.calls).toEqual([]);
  });

  it('issue 11 #8: vectors overwritten in place (keys intact) fail their checksum, are recomputed, and a warning counts them', async () => {
    const first = countingHashing();
    const expected = await withEmbeddingCache(first, { dir: dir() }).embed(corpus, 'document');
    const file = join(withEmbeddingCache(first, { dir: dir() }).path, 'vectors-v2.bin');
    const recordBytes = 16 + 32 * 4 + 4;
    // The red-team fault: overwrite the vector bytes of record 2, leaving its key untouched.
    const handle = await open(file, 'r+');
    await handle.write(Buffer.alloc(32 * 4, 0x3f), 0, 32 * 4, recordBytes + 16);
    await handle.close();
    const warnings: string[] = [];
    const inner = countingHashing();
    const reopened = withEmbeddingCache(inner, { dir: dir(), warn: (m) => warnings.push(m) });
    const vectors = await reopened.embed(corpus, 'document');
    expect(vectors.map((v) => Array.from(v))).toEqual(expected.map((v) => Array.from(v)));
    expect(inner.calls).toEqual([[corpus[1]]]);
    expect(reopened.stats).toEqual({ hits: 2, misses: 1, corrupt: 1 });
    expect(warnings).toEqual([expect.stringMatching(/1 record\(s\) failed their checksum and will be recomputed/)]);
    expect(warnings[0]).toContain(file);
    // The recomputed record was appended, so the next open is clean.
    const again = countingHashing();
    const clean = withEmbeddingCache(again, { dir: dir() });
    await clean.embed(corpus, 'document');
    expect(again.calls).toEqual([]);
    expect(clean.stats.corrupt).toBe(0); // the damaged record was dropped from the file when it was found
    expect((await readFile(file)).byteLength).toBe(3 * recordBytes);
  });

  it('keeps vectors on disk, not in memory: a record damaged after it was loaded is recomputed, never returned', async () => {
    const inner = countingHashing();
    const cached = withEmbeddingCache(inner, { dir: dir() });
    const expected = await cached.embed(corpus, 'document');
    const recordBytes = 16 + 32 * 4 + 4;
    const handle = await open(join(cached.path, 'vectors-v2.bin'), 'r+');
    await handle.write(Buffer.alloc(8, 0x3f), 0, 8, 2 * recordBytes + 16); // record 3's vector, while in use
    await handle.close();
    const again = await cached.embed(corpus, 'document');
    expect(again.map((v) => Array.from(v))).toEqual(expected.map((v) => Array.from(v)));
    expect(inner.calls).toEqual([corpus, [corpus[2]]]);
    expect(cached.stats).toEqual({ hits: 2, misses: 4, corrupt: 1 });
  });
});
