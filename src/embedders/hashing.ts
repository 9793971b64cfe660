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
  const onWorkers = async (pool: HashingPool, texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> => {
    const { dimensions } = normalised;
    const per = Math.max(minWorkerBatch, Math.ceil(texts.length / workers));
    const parts: Promise<Float32Array>[] = [];
    for (let at = 0; at < texts.length; at += per) parts.push(pool.run({ options: normalised, texts: texts.slice(at, at + per) }, signal));
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
    // Two batches per worker in flight: the pool posts a worker its next batch before it finishes the current one.
    concurrency: Math.max(1, 2 * workers),
    local: true,
    async embed(texts, _role, signal) {
      signal?.throwIfAborted();
      if (workers > 0 && texts.length >= minWorkerBatch) {
        const pool = hashingPool(workers);
        // Until a worker has loaded, batches are featurized here, so the start-up is hidden behind real work.
        if (pool.ready) return onWorkers(pool, texts, signal);
        pool.start();
      }
      return texts.map((text) => featurize(text));
    },
  };
}

type HashingPool = WorkerPool<{ readonly options: FeatureOptions; readonly texts: readonly string[] }, Float32Array>;

/**
 * One pool per worker count for the whole process, shared by every hashing embedder (each arm of a run creates its
 * own): a worker's start (~0.1 s of a core, then a cold JIT) per embedder would cost more than a small index's
 * featurizing. Idle workers do not keep the process alive. The one piece of module state here, for that reason.
 */
const pools = new Map<number, HashingPool>();
function hashingPool(workers: number): HashingPool {
  let pool = pools.get(workers);
  if (pool === undefined || pool.closed) {
    pool = createWorkerPool({ source: workerSource, workerData: { module: featurizerModule() }, size: workers, name: 'hashing embedder' });
    pools.set(workers, pool);
  }
  return pool;
}

/** The featurizer's own file: `.js` when built, the `.ts` source when the tests run from src/. */
function featurizerModule(): string {
  return new URL(`./hashing/featurize${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
}

/**
 * Each message: featurizer options and texts in; one Float32Array of texts × dimensions out (its buffer
 * transferred, not copied). A featurizer is built once per distinct options.
 */
const workerSource = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.module).then(({ createFeaturizer }) => {
  const featurizers = new Map();
  parentPort.postMessage({ ready: true });
  parentPort.on('message', ({ id, input }) => {
    try {
      const key = JSON.stringify(input.options);
      let featurize = featurizers.get(key);
      if (!featurize) featurizers.set(key, (featurize = createFeaturizer(input.options)));
      const dimensions = input.options.dimensions;
      const output = new Float32Array(input.texts.length * dimensions);
      for (let i = 0; i < input.texts.length; i++) featurize(input.texts[i], output, i * dimensions);
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

