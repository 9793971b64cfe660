import { basename } from 'node:path';
import { z } from 'zod';
import { loadPretrained, locateModel, modelFileHashes, transformersModelOptions } from '../embedders/transformers-model.js';
import { chunkArray } from '../shared/batches.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import type { Reranker, RerankUsage } from './reranker.js';

const options = z.strictObject({
  ...transformersModelOptions,
  /** Query–document pairs per forward pass. */
  batchSize: z.int().min(1).max(1024).default(16),
  /** Tokens per pair before truncation; default the tokenizer's model_max_length. */
  maxTokens: z.int().min(2).max(8192).optional(),
  /** Which logit is the relevance score when the head has several (default: the last, "relevant"). */
  label: z.int().min(0).optional(),
});

type CrossEncoderOptions = z.output<typeof options>;

interface Loaded {
  readonly tokenizer: (texts: string[], options: Record<string, unknown>) => Record<string, unknown>;
  readonly model: (inputs: Record<string, unknown>) => Promise<{ logits: { dims: number[]; data: Float32Array } }>;
}

/**
 * A local cross-encoder (ms-marco-MiniLM, bge-reranker) through transformers.js on onnxruntime-node: each
 * (query, document) pair is tokenized together ([CLS] query [SEP] document [SEP]) and the classification head's
 * logit is the score. Free to run: usage counts pairs, and costs $0.
 */
export const crossEncoder = definePlugin({
  description: 'a local cross-encoder through transformers.js + onnxruntime-node (model id or folder)',
  options,
  async create(o, context): Promise<Reranker> {
    const label = 'cross-encoder reranker';
    const files = await locateModel(o, context.workDir, label);
    let loaded: Promise<Loaded> | undefined;
    const load = () => (loaded ??= loadPretrained(o, files, 'classifier', label) as Promise<Loaded>);
    if (!files.local) await load();
    const fileHashes = modelFileHashes(o, files, context.workDir);
    return new CrossEncoder(o, fingerprintOf('cross-encoder', { ...(files.local ? {} : { model: o.model, revision: o.revision }), files: fileHashes, quantized: o.quantized, maxTokens: o.maxTokens ?? null, label: o.label ?? null }), load);
  },
});

class CrossEncoder implements Reranker {
  readonly fingerprint: string;
  readonly label: string;
  readonly #o: CrossEncoderOptions;
  readonly #load: () => Promise<Loaded>;
  #requests = 0;
  #pairs = 0;

  constructor(o: CrossEncoderOptions, fingerprint: string, load: () => Promise<Loaded>) {
    this.#o = o;
    this.fingerprint = fingerprint;
    this.label = `cross-encoder ${basename(o.model)}`;
    this.#load = load;
  }

  async score(query: string, documents: readonly string[], signal?: AbortSignal): Promise<number[]> {
    const { tokenizer, model } = await this.#load();
    const scores: number[] = [];
    for (const batch of chunkArray(documents, this.#o.batchSize)) {
      signal?.throwIfAborted();
      const inputs = tokenizer(
        batch.map(() => query),
        { text_pair: [...batch], padding: true, truncation: true, ...(this.#o.maxTokens !== undefined ? { max_length: this.#o.maxTokens } : {}) },
      );
      const { logits } = await model(inputs);
      const [rows, labels] = logits.dims as [number, number];
      const column = this.#o.label ?? labels - 1;
      if (column >= labels) throw new RangeError(`cross-encoder reranker: label ${column} but the head has ${labels} logits`);
      for (let row = 0; row < rows; row++) scores.push(logits.data[row * labels + column]!);
      this.#requests++;
      this.#pairs += batch.length;
    }
    return scores;
  }

  usage(): RerankUsage {
    return { requests: this.#requests, pairs: this.#pairs, cachedPairs: 0, usd: 0 };
  }
}
