import { z } from 'zod';
import { chunkArray } from '../shared/batches.js';
import { DimensionError } from '../shared/errors.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import type { Embedder, EmbedRole } from './embedder.js';
import { loadPretrained, locateModel, modelFileHashes, transformersModelOptions, type LoadedModelFiles } from './transformers-model.js';

const options = z.strictObject({
  ...transformersModelOptions,
  /** How token vectors become one text vector: the attention-masked mean (sentence-transformers) or the first token. */
  pooling: z.enum(['mean', 'cls']).default('mean'),
  /** L2-normalise the pooled vector (what MiniLM, bge and e5 are used with). */
  normalize: z.boolean().default(true),
  /** Prepended by role, for models trained with them (e5: 'query: ' / 'passage: ', bge: a query instruction). */
  queryPrefix: z.string().default(''),
  documentPrefix: z.string().default(''),
  /** Texts per forward pass. */
  batchSize: z.int().min(1).max(1024).default(32),
  /** Tokens per text before truncation; default the tokenizer's model_max_length (512 for BERT models). */
  maxTokens: z.int().min(2).max(8192).optional(),
});

type TransformersOptions = z.output<typeof options>;

/**
 * A local embedding model through transformers.js on onnxruntime-node (CPU): tokenize, one forward pass per
 * batch, pool `last_hidden_state`, normalise. The fingerprint holds the model's file hashes (and, for a hub id, the
 * revision), so a changed model file never reuses cached vectors.
 */
export const transformers = definePlugin({
  description: 'a local model through transformers.js + onnxruntime-node (model id or folder, mean/cls pooling)',
  options,
  async create(o, context): Promise<Embedder> {
    const label = 'transformers embedder';
    const files = await locateModel(o, context.workDir, label);
    const runner = new ModelRunner(o, files, label);
    // A hub model is loaded now: its size and file hashes are known only once it is downloaded.
    if (!files.local) await runner.load();
    const fileHashes = modelFileHashes(o, files, context.workDir);
    const dimensions = hiddenSize(files.local ? files.config : await runner.config(), o.model);
    return {
      fingerprint: fingerprintOf('transformers', {
        ...(files.local ? {} : { model: o.model, revision: o.revision }),
        files: fileHashes,
        quantized: o.quantized,
        pooling: o.pooling,
        normalize: o.normalize,
        queryPrefix: o.queryPrefix,
        documentPrefix: o.documentPrefix,
        maxTokens: o.maxTokens ?? null,
        dimensions,
      }),
      dimensions,
      maxBatchSize: o.batchSize * 8,
      local: true,
      embed: (texts, role, signal) => runner.embed(texts, role, dimensions, signal),
    };
  },
});

function hiddenSize(config: Record<string, unknown>, model: string): number {
  const size = config.hidden_size ?? config.dim ?? config.d_model;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new DimensionError(`transformers embedder: ${model}'s config.json has no hidden_size`, 'use a BERT-style encoder model (hidden_size in config.json)');
  }
  return size;
}

interface Loaded {
  readonly tokenizer: (texts: string[], options: Record<string, unknown>) => Record<string, unknown>;
  readonly model: ((inputs: Record<string, unknown>) => Promise<Record<string, { dims: number[]; data: Float32Array }>>) & { config: Record<string, unknown> };
}

class ModelRunner {
  readonly #o: TransformersOptions;
  readonly #files: LoadedModelFiles;
  readonly #label: string;
  #loaded: Promise<Loaded> | undefined;

  constructor(o: TransformersOptions, files: LoadedModelFiles, label: string) {
    this.#o = o;
    this.#files = files;
    this.#label = label;
  }

  load(): Promise<Loaded> {
    this.#loaded ??= loadPretrained(this.#o, this.#files, 'encoder', this.#label) as Promise<Loaded>;
    return this.#loaded;
  }

  async config(): Promise<Record<string, unknown>> {
    return (await this.load()).model.config;
  }

  async embed(texts: readonly string[], role: EmbedRole, dimensions: number, signal?: AbortSignal): Promise<Float32Array[]> {
    const { tokenizer, model } = await this.load();
    const prefix = role === 'query' ? this.#o.queryPrefix : this.#o.documentPrefix;
    const vectors: Float32Array[] = [];
    for (const batch of chunkArray(texts, this.#o.batchSize)) {
      signal?.throwIfAborted();
      const inputs = tokenizer(
        batch.map((text) => prefix + text),
        { padding: true, truncation: true, ...(this.#o.maxTokens !== undefined ? { max_length: this.#o.maxTokens } : {}) },
      );
      const output = await model(inputs);
      const hidden = output.last_hidden_state;
      if (!hidden) throw new DimensionError(`${this.#label}: the model has no last_hidden_state output`, 'use an encoder exported for feature extraction');
      const [rows, length, width] = hidden.dims as [number, number, number];
      if (width !== dimensions) {
        throw new DimensionError(`${this.#label}: the model outputs ${width} dimensions where its config says ${dimensions}`, 'check the model folder: config.json and onnx/model.onnx disagree');
      }
      const mask = (inputs.attention_mask as { data: BigInt64Array }).data;
      for (let row = 0; row < rows; row++) {
        vectors.push(pool(hidden.data, mask, { row, length, width, pooling: this.#o.pooling, normalize: this.#o.normalize }));
      }
    }
    return vectors;
  }
}

/**
 * One text's vector from `last_hidden_state` ([rows, length, width], row-major): the mean of the token vectors the
 * attention mask keeps (padding excluded), or the first token's; then L2-normalised when asked (a zero vector stays 0).
 */
export function pool(
  hidden: Float32Array,
  mask: BigInt64Array,
  at: { row: number; length: number; width: number; pooling: 'mean' | 'cls'; normalize: boolean },
): Float32Array {
  const { row, length, width } = at;
  const vector = new Float32Array(width);
  const base = row * length * width;
  if (at.pooling === 'cls') {
    vector.set(hidden.subarray(base, base + width));
  } else {
    let kept = 0;
    for (let t = 0; t < length; t++) {
      if (mask[row * length + t] === 0n) continue;
      kept++;
      for (let d = 0; d < width; d++) vector[d]! += hidden[base + t * width + d]!;
    }
    if (kept > 0) for (let d = 0; d < width; d++) vector[d]! /= kept;
  }
  if (at.normalize) {
    let norm = 0;
    for (let d = 0; d < width; d++) norm += vector[d]! * vector[d]!;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < width; d++) vector[d]! /= norm;
  }
  return vector;
}
