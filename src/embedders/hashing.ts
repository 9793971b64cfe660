import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import { createWorkerPool, type WorkerPool } from '../shared/worker-pool.js';
import type { Embedder } from './embedder.js';
import { createFeaturizer, type FeatureOptions } from './hashing/featurize.js';

const hashingOptions = z
  .strictObject({
    dimensions: z.int().min(2).max(65_536).default(384),
    /** Word n-gram lengths; [1, 2] = unigrams and bigrams. */
    wordNgrams: z.array(z.int().min(1).max(5)).default([1, 2]),
    /** Character n-gram lengths inside each word, with `<` `>` boundary markers (fastText style). */
    charNgrams: z.array(z.int().min(1).max(10)).default([3, 4, 5]),
    lowercase: z.boolean().default(true),
    /** Words dropped before any n-gram is formed (compared after lowercasing when `lowercase`). */
    stopwords: z.array(z.string().min(1)).optional(),
    /**
     * Worker threads that featurize large batches (≥ 64 texts) off the main thread, so an ingest's chunking and
     * writes run meanwhile; 0 = in-process. Default: one fewer than the cores, at most 4. The vectors are the
     * same either way (the same code), so this is not part of the fingerprint.
     */
    workers: z.int().min(0).max(64).optional(),
  })
  .refine((o) => o.wordNgrams.length + o.charNgrams.length > 0, {
    message: 'wordNgrams and charNgrams cannot both be empty (every text would embed to zero)',
    path: ['wordNgrams'],
  });

type HashingOptions = z.output<typeof hashingOptions>;

/**
 * Offline, deterministic feature-hashing embedder (the embedded default: no service, no model download).
 * Features: word n-grams and in-word character n-grams, each counted per text, weighted by `log1p(tf)`
 * (sublinear tf) and added to bucket `hash % dimensions` with a sign from the hash's top bit (signed hashing,
 * Weinberger et al. 2009, so collisions cancel in expectation). The output is L2-normalised; a text with no
 * word characters (e.g. `''`) embeds to the zero vector, which has cosine similarity 0 with everything.
 * The role is ignored: queries and documents share one feature space.
 */
export const hashing = definePlugin({
  description: 'Offline feature hashing of word and character n-grams (no service, deterministic)',
  options: hashingOptions,
  async create(options): Promise<Embedder> {
    return createHashingEmbedder(options);
  },
});

/** Below this many texts a batch is featurized in-process: a worker's round trip would cost more than it saves. */
const minWorkerBatch = 64;

export function createHashingEmbedder(options: HashingOptions): Embedder {
  const normalised = normaliseOptions(options);
  const featurize = createFeaturizer(normalised);
  const workers = options.workers ?? Math.min(4, availableParallelism() - 1);
  let pool: WorkerPool<readonly string[], Float32Array> | undefined;
  const onWorkers = async (texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> => {
    pool ??= createWorkerPool({ source: workerSource, workerData: { module: featurizerModule(), options: normalised }, size: workers, name: 'hashing embedder' });
    const { dimensions } = normalised;
    const per = Math.max(minWorkerBatch, Math.ceil(texts.length / workers));
    const parts: Promise<Float32Array>[] = [];
    for (let at = 0; at < texts.length; at += per) parts.push(pool.run(texts.slice(at, at + per), signal));
    const vectors: Float32Array[] = [];
    for (const flat of await Promise.all(parts)) {
      for (let at = 0; at < flat.length; at += dimensions) vectors.push(flat.subarray(at, at + dimensions));
    }
    return vectors;
  };
  return {
    fingerprint: fingerprintOf('hashing', normalised),
    dimensions: normalised.dimensions,
    // Pure CPU work: any batch size is fine; this bounds the work between abort checks.
    maxBatchSize: 1024,
    async embed(texts, _role, signal) {
      signal?.throwIfAborted();
      if (workers > 0 && texts.length >= minWorkerBatch) return onWorkers(texts, signal);
      return texts.map((text) => featurize(text));
    },
    async close() {
      await pool?.close();
      pool = undefined;
    },
  };
}

/** The featurizer's own file: `.js` when built, the `.ts` source when the tests run from src/. */
function featurizerModule(): string {
  return new URL(`./hashing/featurize${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
}

/** Each message: texts in; one Float32Array of texts × dimensions out (its buffer transferred, not copied). */
const workerSource = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.module).then(({ createFeaturizer }) => {
  const featurize = createFeaturizer(workerData.options);
  const dimensions = workerData.options.dimensions;
  parentPort.on('message', ({ id, input }) => {
    try {
      const output = new Float32Array(input.length * dimensions);
      for (let i = 0; i < input.length; i++) output.set(featurize(input[i]), i * dimensions);
      parentPort.postMessage({ id, output }, [output.buffer]);
    } catch (error) {
      parentPort.postMessage({ id, error: String((error && error.message) || error) });
    }
  });
}, (error) => { throw error; });
`;

function normaliseOptions(options: HashingOptions): FeatureOptions {
  const sortedUnique = (values: readonly number[]) => [...new Set(values)].sort((a, b) => a - b);
  const stopwords = options.stopwords?.map((w) => (options.lowercase ? w.toLowerCase() : w));
  return {
    dimensions: options.dimensions,
    wordNgrams: sortedUnique(options.wordNgrams),
    charNgrams: sortedUnique(options.charNgrams),
    lowercase: options.lowercase,
    stopwords: stopwords && stopwords.length > 0 ? [...new Set(stopwords)].sort() : undefined,
  };
}

