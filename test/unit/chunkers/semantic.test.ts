import { describe, expect, it } from 'vitest';
import { createChunker } from '../../../src/chunkers/registry.js';
import {
  breakpointsOf,
  cosineDistance,
  gradientOf,
  percentile,
  semantic,
  SemanticChunker,
} from '../../../src/chunkers/semantic.js';
import type { Embedder } from '../../../src/embedders/embedder.js';
import { createEnv } from '../../../src/shared/env.js';
import { ConfigError } from '../../../src/shared/errors.js';
import { readCorpus, spansOf } from './corpus.js';
import { lacks } from '../../helpers/datasets.js';

/**
 * A toy embedder whose vectors are hand-computable: the sum of a 2-d vector per keyword found in the text.
 * alpha = (1, 0), beta = (0.8, 0.6), gamma = (0, 1): cos(alpha, beta) = 0.8, cos(beta, gamma) = 0.6.
 */
function toyEmbedder(seen: string[] = [], maxBatchSize = 3): Embedder {
  const table: Record<string, [number, number]> = { alpha: [1, 0], beta: [0.8, 0.6], gamma: [0, 1] };
  return {
    fingerprint: 'toy',
    dimensions: 2,
    maxBatchSize, // small by default, so a batch spans several embed calls
    async embed(texts) {
      seen.push(...texts);
      return texts.map((text) => {
        const v = new Float32Array(2);
        for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
          const [x, y] = table[word] ?? [0, 0];
          v[0]! += x;
          v[1]! += y;
        }
        return v;
      });
    },
  };
}

// Sentences s0..s5 at 0-11, 12-23, 24-35, 36-48, 49-61, 62-74; with bufferSize 0 the adjacent distances are
// d = [0, 0.2, 0.4, 0, 1] (alpha→alpha, alpha→beta, beta→gamma, gamma→gamma, gamma→alpha).
const text = 'Alpha zero. Alpha once. Beta twice. Gamma three. Gamma fours. Alpha fives.';
const doc = { id: 'd', text };
const context = { env: createEnv({}), workDir: '.ragbench-test' };

async function chunkWith(options: object, embedder = toyEmbedder()) {
  const chunker = new SemanticChunker(semantic.options.parse({ bufferSize: 0, ...options }), context, embedder);
  await chunker.prepare([doc]);
  return spansOf(chunker.chunk(doc));
}

describe('semantic chunker: thresholds', () => {
  it('computes numpy-style percentiles and gradients', () => {
    expect(percentile([0, 0.2, 0.4, 0, 1], 50)).toBeCloseTo(0.2);
    expect(percentile([0, 0.2, 0.4, 0, 1], 95)).toBeCloseTo(0.88); // 0.4 + 0.8 × (1 − 0.4)
    expect(gradientOf([0, 0.2, 0.4, 0, 1]).map((g) => Number(g.toFixed(6)))).toEqual([0.2, 0.2, -0.1, 0.3, 1]);
    expect(cosineDistance(Float32Array.of(1, 0), Float32Array.of(0.8, 0.6))).toBeCloseTo(0.2);
    expect(cosineDistance(Float32Array.of(0, 0), Float32Array.of(1, 0))).toBe(1);
  });

  it.each([
    ['percentile', 50, [2, 4]], // threshold 0.2
    ['percentile', 95, [4]], // threshold 0.88
    ['standard_deviation', 1, [4]], // mean 0.32 + std 0.371 = 0.691
    ['interquartile', 0.5, [4]], // 0.32 + 0.5 × (0.4 − 0) = 0.52
    ['interquartile', 0, [2, 4]], // the mean, 0.32
    ['gradient', 50, [3, 4]], // gradient [0.2, 0.2, −0.1, 0.3, 1], threshold 0.2
  ] as const)('%s %d breaks after sentences %j', (type, amount, expected) => {
    expect(breakpointsOf([0, 0.2, 0.4, 0, 1], type, amount)).toEqual(expected);
  });

  it('never breaks on a single distance (two sentences)', () => {
    expect(breakpointsOf([0.9], 'percentile', 0)).toEqual([]);
    expect(breakpointsOf([0.9], 'gradient', 0)).toEqual([]);
  });
});

describe('semantic chunker: chunks', () => {
  it.each([
    [{ thresholdType: 'percentile', thresholdAmount: 50 }, [[0, 35], [36, 61], [62, 74]]],
    [{ thresholdType: 'percentile' }, [[0, 61], [62, 74]]], // default amount 95
    [{ thresholdType: 'gradient', thresholdAmount: 50 }, [[0, 48], [49, 61], [62, 74]]],
    [{ thresholdType: 'standard_deviation', thresholdAmount: 1 }, [[0, 61], [62, 74]]],
  ])('with %j gives spans %j', async (options, expected) => {
    expect(await chunkWith(options)).toEqual(expected);
  });

  it('skips a break that would close a chunk shorter than minChars', async () => {
    // Breaks after s2 and s4; the chunk s3..s4 (36-61, 25 chars) is shorter than 30, so it runs on to the end.
    expect(await chunkWith({ thresholdAmount: 50, minChars: 30 })).toEqual([[0, 35], [36, 74]]);
  });

  it('splits a group longer than maxChars with the recursive algorithm', async () => {
    // No break at the 95th percentile before s5; s0..s4 (61 chars) is packed word by word into ≤ 30-char pieces.
    const spans = await chunkWith({ maxChars: 30 });
    expect(spans).toEqual([[0, 28], [29, 54], [55, 61], [62, 74]]);
    for (const [s, e] of spans) expect(e! - s!).toBeLessThanOrEqual(30);
  });

  it('embeds each sentence with bufferSize neighbours, as the document slice', async () => {
    const seen: string[] = [];
    await chunkWith({ bufferSize: 1 }, toyEmbedder(seen));
    expect(seen[0]).toBe('Alpha zero. Alpha once.');
    expect(seen[1]).toBe('Alpha zero. Alpha once. Beta twice.');
    expect(seen.at(-1)).toBe('Gamma fours. Alpha fives.');
    expect(seen).toHaveLength(6);
  });

  it('embeds a repeated window once per embedder batch', async () => {
    const seen: string[] = [];
    const chunker = new SemanticChunker(semantic.options.parse({ bufferSize: 0 }), context, toyEmbedder(seen, 100));
    await chunker.prepare([{ id: 'r', text: 'Alpha a. Alpha a. Alpha a. Beta b.' }, { id: 'r2', text: 'Alpha a. Beta b.' }]);
    expect(seen.sort()).toEqual(['Alpha a.', 'Beta b.']);
  });

  it('throws when a multi-sentence document was not in the prepared batch, and needs no prepare for one sentence', async () => {
    const chunker = new SemanticChunker(semantic.options.parse({}), context, toyEmbedder());
    expect(() => chunker.chunk(doc)).toThrow(/not prepared/);
    expect(spansOf(chunker.chunk({ id: 'one', text: '  Just one sentence.  ' }))).toEqual([[2, 20]]);
    await chunker.prepare([doc]);
    expect(chunker.chunk(doc).length).toBeGreaterThan(0);
    await chunker.prepare([{ id: 'other', text: 'Beta one. Gamma two.' }]);
    expect(() => chunker.chunk(doc)).toThrow(/not prepared/); // state is the last batch's only
  });

  it('keeps exact offsets on repeated passages', async () => {
    // Every distance is 1, so nothing is above any threshold: the 439 characters are split by maxChars alone.
    const repeated = { id: 'rep', text: 'Alpha one. Gamma two. '.repeat(20) };
    const chunker = new SemanticChunker(semantic.options.parse({ bufferSize: 0, maxChars: 100 }), context, toyEmbedder());
    await chunker.prepare([repeated]);
    const chunks = chunker.chunk(repeated);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(repeated.text.slice(c.start, c.end)).toBe(c.text);
    expect(new Set(chunks.map((c) => c.start)).size).toBe(chunks.length);
  });
});

describe('semantic chunker: config and the hashing embedder', () => {
  it('defaults to the hashing embedder and names it in the fingerprint', () => {
    const chunker = createChunker('semantic', {});
    expect(chunker.fingerprint).toContain('"embedder":{"kind":"hashing"');
  });

  it.each([
    [{ embedder: { kind: 'nope' } }, /unknown embedder kind "nope"/],
    [{ embedder: { kind: 'hashing', dims: 3 } }, /unknown option "dims"/],
    [{ minChars: 500, maxChars: 400 }, /minChars \(500\) must be smaller than maxChars \(400\)/],
    [{ thresholdType: 'gradient', thresholdAmount: 150 }, /percentile in \[0, 100\]/],
    [{ thresholdType: 'median' }, /thresholdType/],
  ])('rejects %j', (options, message) => {
    expect(() => createChunker('semantic', options)).toThrow(ConfigError);
    expect(() => createChunker('semantic', options)).toThrow(message);
  });

  it.skipIf(lacks('cranfield'))('breaks a real Cranfield document into several chunks with the hashing embedder, deterministically', async () => {
    const docs = readCorpus('cranfield').slice(0, 50);
    const chunker = createChunker('semantic', { thresholdAmount: 80 });
    await chunker.prepare!(docs);
    const first = docs.map((d) => chunker.chunk(d));
    expect(first.flat().length).toBeGreaterThan(docs.length);
    const again = createChunker('semantic', { thresholdAmount: 80 });
    await again.prepare!(docs);
    expect(docs.map((d) => again.chunk(d))).toEqual(first);
  });
});
