import { z } from 'zod';
import type { Document } from '../corpus/types.js';
import { embeddingCacheDir, withEmbeddingCache } from '../embedders/cache.js';
import type { Embedder } from '../embedders/embedder.js';
import { embedders } from '../embedders/registry.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin, pluginConfigSchema, type PluginContext } from '../shared/plugin.js';
import type { Chunk, Chunker } from './chunker.js';
import { addCapped } from './recursive-split.js';
import { isValidLocale, segmentSentences } from './sentences.js';
import { ChunkCollector, smallerThan } from './spans.js';

const thresholdTypes = ['percentile', 'standard_deviation', 'interquartile', 'gradient'] as const;
type ThresholdType = (typeof thresholdTypes)[number];

/** LangChain's SemanticChunker defaults per threshold type (langchain_experimental.text_splitter). */
const defaultAmounts = { percentile: 95, standard_deviation: 3, interquartile: 1.5, gradient: 95 } as const;

const options = z
  .strictObject({
    /** Any configured embedder; the offline hashing embedder by default. */
    embedder: pluginConfigSchema('embedder', embedders).prefault({ kind: 'hashing' }),
    /** Sentences on each side embedded with each sentence (LangChain's buffer_size), smoothing the distances. */
    bufferSize: z.number().int().nonnegative().default(1),
    thresholdType: z.enum(thresholdTypes).default('percentile'),
    /** Default per type: percentile 95, standard_deviation 3, interquartile 1.5, gradient 95. */
    thresholdAmount: z.number().nonnegative().optional(),
    /** A breakpoint is skipped while the chunk it would close is shorter (LangChain's min_chunk_size). */
    minChars: z.number().int().nonnegative().default(0),
    /** Longer groups are split with the recursive algorithm (no overlap). */
    maxChars: z.number().int().positive().default(2000),
    locale: z.string().refine(isValidLocale, { message: 'locale must be a BCP 47 language tag such as "en"' }).default('en'),
    spacedTerminators: z.boolean().default(true),
    /** Cache sentence embeddings on disk (worth it for paid embedders; hashing is faster than the disk). */
    cache: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    smallerThan('minChars', 'maxChars')(o, ctx);
    const percentileLike = o.thresholdType === 'percentile' || o.thresholdType === 'gradient';
    if (percentileLike && o.thresholdAmount !== undefined && o.thresholdAmount > 100) {
      ctx.addIssue({ code: 'custom', path: ['thresholdAmount'], message: `a ${o.thresholdType} threshold is a percentile in [0, 100]` });
    }
  });

type SemanticOptions = z.output<typeof options>;

/** What `prepare` leaves for one distinct document text: its sentences and the distances between neighbours. */
interface Prepared {
  /** Flat `start, end` pairs, as `segmentSentences` returns them. */
  readonly sentences: readonly number[];
  /** `distances[i]`: cosine distance between the windows around sentences i and i + 1. */
  readonly distances: Float64Array;
}

/**
 * Semantic chunking (Kamradt's idea as LangChain's SemanticChunker implements it), with exact offsets:
 * 1. sentences as the `sentences` chunker finds them;
 * 2. each sentence is embedded together with `bufferSize` neighbours on each side — the window is the document
 *    slice from the first to the last of those sentences (LangChain joins them with one space);
 * 3. cosine distance between adjacent windows; a break follows sentence i when distance i is above the
 *    threshold (`thresholdType`/`thresholdAmount`, see semantic-breakpoints.ts), unless the chunk it would
 *    close is shorter than `minChars`;
 * 4. a group longer than `maxChars` is split by the recursive algorithm (sizeChars = maxChars, no overlap).
 * Chunks run from a group's first sentence's first character to its last sentence's last one.
 *
 * Embedding is async, so the work happens in `prepare` (batched to the embedder) and `chunk` reads the result.
 * A document with fewer than two sentences needs no embeddings and can be chunked without `prepare`.
 */
export class SemanticChunker implements Chunker {
  readonly fingerprint: string;
  readonly #options: SemanticOptions;
  readonly #context: PluginContext;
  readonly #segmenter: Intl.Segmenter;
  #embedder: Promise<Embedder> | undefined;
  /** Keyed by document text: ids repeat across corpora, and equal texts chunk equally. */
  #prepared = new Map<string, Prepared>();

  /**
   * `embedder`, when given, is used instead of creating the configured one (library use, tests); the
   * fingerprint still names the configured embedder, so pass one whose vectors match that config.
   */
  constructor(options: SemanticOptions, context: PluginContext, embedder?: Embedder) {
    this.#options = options;
    this.#context = context;
    this.#embedder = embedder ? Promise.resolve(embedder) : undefined;
    this.fingerprint = fingerprintOf('semantic', options);
    this.#segmenter = new Intl.Segmenter(options.locale, { granularity: 'sentence' });
  }

  async prepare(docs: readonly Document[], signal?: AbortSignal): Promise<void> {
    const embedder = await (this.#embedder ??= this.#createEmbedder());
    const next = new Map<string, Prepared>();
    let pending = new Map<string, number[]>(); // text → sentences, waiting for one embedder batch
    let pendingWindows = 0;
    const flush = async () => {
      await this.#embedDistances(embedder, pending, next, signal);
      pending = new Map();
      pendingWindows = 0;
    };
    for (const doc of docs) {
      if (next.has(doc.text) || pending.has(doc.text)) continue;
      const known = this.#prepared.get(doc.text);
      if (known) {
        next.set(doc.text, known);
        continue;
      }
      const sentences = segmentSentences(doc.text, this.#segmenter, this.#options.spacedTerminators);
      if (sentences.length < 4) continue; // fewer than two sentences: nothing to embed
      pending.set(doc.text, sentences);
      // Flushing per embedder batch keeps memory at one batch of vectors, whatever the number of documents.
      pendingWindows += sentences.length / 2;
      if (pendingWindows >= embedder.maxBatchSize) await flush();
    }
    if (pending.size > 0) await flush();
    this.#prepared = next;
  }

  chunk(doc: Document): Chunk[] {
    const text = doc.text;
    const prepared = this.#prepared.get(text);
    const sentences = prepared?.sentences ?? segmentSentences(text, this.#segmenter, this.#options.spacedTerminators);
    const count = sentences.length / 2;
    if (count >= 2 && !prepared) {
      throw new Error(`semantic chunker: document ${doc.id} was not prepared; await chunker.prepare(batch) before chunk()`);
    }
    const { thresholdType, minChars, maxChars } = this.#options;
    const amount = this.#options.thresholdAmount ?? defaultAmounts[thresholdType];
    const breaks = prepared ? breakpointsOf(prepared.distances, thresholdType, amount) : [];
    const collector = new ChunkCollector(doc);
    const emit = (first: number, last: number) => {
      addCapped(collector, text, { start: sentences[first * 2]!, end: sentences[last * 2 + 1]! }, maxChars);
    };
    let first = 0;
    for (const i of breaks) {
      // LangChain's min_chunk_size: a break that would close a too-short chunk is skipped.
      if (sentences[i * 2 + 1]! - sentences[first * 2]! < minChars) continue;
      emit(first, i);
      first = i + 1;
    }
    if (first < count) emit(first, count - 1);
    return collector.chunks;
  }

  async #createEmbedder(): Promise<Embedder> {
    const config = this.#options.embedder;
    const inner = await embedders[config.kind as keyof typeof embedders].create(config.options as never, this.#context);
    return this.#options.cache ? withEmbeddingCache(inner, { dir: embeddingCacheDir(this.#context.workDir), ...(this.#context.warn ? { warn: this.#context.warn } : {}) }) : inner;
  }

  /** Embeds the sentence windows of `docs` (each distinct window once) and stores their adjacent distances. */
  async #embedDistances(
    embedder: Embedder,
    docs: ReadonlyMap<string, number[]>,
    into: Map<string, Prepared>,
    signal?: AbortSignal,
  ): Promise<void> {
    const { bufferSize } = this.#options;
    const unique = new Map<string, number>();
    const windowIds = [...docs].map(([text, sentences]) => {
      const count = sentences.length / 2;
      return Array.from({ length: count }, (_, i) => {
        const start = sentences[Math.max(0, i - bufferSize) * 2]!;
        const end = sentences[Math.min(count - 1, i + bufferSize) * 2 + 1]!;
        const window = text.slice(start, end);
        let id = unique.get(window);
        if (id === undefined) unique.set(window, (id = unique.size));
        return id;
      });
    });
    const texts = [...unique.keys()];
    const vectors: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += embedder.maxBatchSize) {
      signal?.throwIfAborted();
      vectors.push(...(await embedder.embed(texts.slice(i, i + embedder.maxBatchSize), 'document', signal)));
    }
    [...docs].forEach(([text, sentences], d) => {
      const ids = windowIds[d]!;
      const distances = new Float64Array(ids.length - 1);
      for (let i = 0; i + 1 < ids.length; i++) distances[i] = cosineDistance(vectors[ids[i]!]!, vectors[ids[i + 1]!]!);
      into.set(text, { sentences, distances });
    });
  }
}

export const semantic = definePlugin({
  description: 'breaks where the embedding distance between adjacent sentences jumps (embedder, thresholdType, thresholdAmount, minChars, maxChars)',
  options,
  create(options, context) {
    return new SemanticChunker(options, context);
  },
});

/**
 * Sentence indices i after which a chunk breaks: those whose distance to the next sentence (for `gradient`,
 * the distances' gradient) is strictly above the threshold, ascending. Thresholds as LangChain computes them:
 * - `percentile`: the `amount`-th percentile of the distances (numpy's linear interpolation);
 * - `standard_deviation`: mean + amount × population standard deviation;
 * - `interquartile`: mean + amount × (75th − 25th percentile);
 * - `gradient`: the `amount`-th percentile of `gradientOf(distances)`, compared with that gradient.
 * One distance (two sentences) never breaks: a statistic over one value says nothing (LangChain returns two
 * chunks for `gradient` there and one for the others).
 */
export function breakpointsOf(distances: ArrayLike<number>, type: ThresholdType, amount: number): number[] {
  if (distances.length < 2) return [];
  const values = type === 'gradient' ? gradientOf(distances) : Array.from(distances);
  const threshold = thresholdOf(values, type, amount);
  const out: number[] = [];
  values.forEach((value, i) => {
    if (value > threshold) out.push(i);
  });
  return out;
}

function thresholdOf(values: readonly number[], type: ThresholdType, amount: number): number {
  if (type === 'percentile' || type === 'gradient') return percentile(values, amount);
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  if (type === 'standard_deviation') {
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
    return mean + amount * Math.sqrt(variance);
  }
  return mean + amount * (percentile(values, 75) - percentile(values, 25));
}

/** numpy.percentile's default ('linear'): interpolate between the two order statistics around (n − 1)·q/100. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = ((sorted.length - 1) * q) / 100;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

/** numpy.gradient with unit spacing: central differences inside, one-sided at both ends (≥ 2 values). */
export function gradientOf(values: ArrayLike<number>): number[] {
  const n = values.length;
  return Array.from({ length: n }, (_, i) =>
    i === 0 ? values[1]! - values[0]! : i === n - 1 ? values[n - 1]! - values[n - 2]! : (values[i + 1]! - values[i - 1]!) / 2,
  );
}

/** 1 − cosine similarity; a zero vector (a text with no features) has similarity 0 with everything. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
}
