import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../shared/errors.js';

/**
 * Options every transformers.js model takes (the `transformers` embedder and the `cross-encoder` reranker):
 * which model, which of its ONNX files, and how many threads.
 */
export const transformersModelOptions = {
  /**
   * A Hugging Face model id (`Xenova/all-MiniLM-L6-v2`, downloaded once into `<work dir>/cache/transformers`), or a
   * local folder (a path starting with `/`, `./` or `../`, relative to the working directory) holding config.json,
   * tokenizer.json, tokenizer_config.json and onnx/model.onnx (onnx/model_quantized.onnx when quantized).
   */
  model: z.string().min(1).describe('Hugging Face model id, or a local folder (/…, ./…, ../…) with config.json, tokenizer.json, onnx/model.onnx'),
  /** Hub models only: a branch, tag or commit; recorded in the fingerprint. */
  revision: z.string().min(1).default('main'),
  /** onnx/model_quantized.onnx (int8) instead of onnx/model.onnx (fp32). */
  quantized: z.boolean().default(false),
  /** onnxruntime intra-op threads; default: onnxruntime's own choice (the machine's cores). */
  threads: z.int().min(1).max(256).optional(),
};

export interface TransformersModelSpec {
  readonly model: string;
  readonly revision: string;
  readonly quantized: boolean;
  readonly threads?: number | undefined;
}

export interface LoadedModelFiles {
  /** What to hand transformers.js: an absolute folder, or the hub id. */
  readonly location: string;
  readonly local: boolean;
  /** The parsed config.json. */
  readonly config: Record<string, unknown>;
  /** file (relative to the model folder) → sha256 (first 16 hex digits) of the files the model is made of. */
  readonly fileHashes: Readonly<Record<string, string>>;
}

const modelFiles = (quantized: boolean) => ['config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/model${quantized ? '_quantized' : ''}.onnx`];

export function isLocalModel(model: string): boolean {
  return isAbsolute(model) || model.startsWith('./') || model.startsWith('../');
}

/**
 * Configures transformers.js (its `env` is process-wide: set here, in one place, before every load) and returns
 * where the model's files are. A local folder is read with remote models disabled, so nothing reaches the network;
 * a hub id is downloaded into `<workDir>/cache/transformers` on first use (the only network access).
 */
export async function locateModel(spec: TransformersModelSpec, workDir: string, label: string): Promise<LoadedModelFiles> {
  const { env } = await import('@huggingface/transformers');
  env.cacheDir = join(workDir, 'cache', 'transformers');
  env.allowLocalModels = true;
  if (isLocalModel(spec.model)) {
    env.allowRemoteModels = false;
    const folder = resolve(spec.model);
    const files = modelFiles(spec.quantized);
    const missing = files.filter((file) => !existsSync(join(folder, file)));
    if (missing.length > 0) {
      throw new ConfigError(`${label}: model folder ${folder} has no ${missing.join(', ')}`, {
        fix:
          'export the model to ONNX (e.g. `optimum-cli export onnx --model <id> <folder>`, then move model.onnx into <folder>/onnx/), ' +
          'or copy a transformers.js model such as Xenova/all-MiniLM-L6-v2 from a machine with internet; or give the hub id instead of a folder',
      });
    }
    return { location: folder, local: true, config: readConfig(join(folder, 'config.json'), label), fileHashes: hashFiles(folder, files) };
  }
  env.allowRemoteModels = true;
  return { location: spec.model, local: false, config: {}, fileHashes: {} };
}

/**
 * The files' hashes for the fingerprint: a local folder's, hashed by `locateModel`; a hub model's once loaded (from
 * where transformers.js cached them under cacheDir).
 */
export function modelFileHashes(spec: TransformersModelSpec, files: LoadedModelFiles, workDir: string): Readonly<Record<string, string>> {
  return files.local ? files.fileHashes : hashCachedModel(spec, workDir);
}

/** The tokenizer and the model (a bare encoder, or one with a sequence-classification head) from where `locateModel` found them. */
export async function loadPretrained(spec: TransformersModelSpec, files: LoadedModelFiles, head: 'encoder' | 'classifier', label: string): Promise<{ tokenizer: unknown; model: unknown }> {
  const library = await import('@huggingface/transformers');
  const opts = loadOptions(spec, files.local);
  try {
    const tokenizer = await library.AutoTokenizer.from_pretrained(files.location, opts);
    const model = await (head === 'encoder' ? library.AutoModel : library.AutoModelForSequenceClassification).from_pretrained(files.location, opts);
    return { tokenizer, model };
  } catch (error) {
    throw modelLoadError(spec, label, error);
  }
}

function hashCachedModel(spec: TransformersModelSpec, workDir: string): Record<string, string> {
  const folder = join(workDir, 'cache', 'transformers', spec.model);
  if (!existsSync(folder)) return {};
  const files = modelFiles(spec.quantized).filter((file) => existsSync(join(folder, file)));
  return hashFiles(folder, files);
}

/** transformers.js loading options for this spec (CPU, onnxruntime-node, fp32 or q8, threads). */
function loadOptions(spec: TransformersModelSpec, local: boolean) {
  return {
    dtype: spec.quantized ? ('q8' as const) : ('fp32' as const),
    device: 'cpu' as const,
    local_files_only: local,
    ...(local ? {} : { revision: spec.revision }),
    // Severity 3 (errors only): onnxruntime's graph-optimisation warnings would otherwise land on the user's stderr.
    session_options: { logSeverityLevel: 3 as const, ...(spec.threads !== undefined ? { intraOpNumThreads: spec.threads, interOpNumThreads: 1 } : {}) },
  };
}

/** A failed load as a ConfigError that says how to get the model, instead of transformers.js's fetch trace. */
function modelLoadError(spec: TransformersModelSpec, label: string, error: unknown): ConfigError {
  const why = error instanceof Error ? error.message : String(error);
  return new ConfigError(`${label}: cannot load model ${spec.model}: ${why.split('\n')[0]}`, {
    fix: isLocalModel(spec.model)
      ? 'check that the folder holds a transformers.js model (config.json, tokenizer.json, onnx/model.onnx)'
      : 'a hub model is downloaded on first use and needs internet (huggingface.co); offline, download it elsewhere and give its folder as model: ./path',
  });
}

function readConfig(file: string, label: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ConfigError(`${label}: ${file} is not a JSON object`, { fix: 'the model folder needs the config.json the model was exported with' });
}

function hashFiles(folder: string, files: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    files
      .filter((file) => statSync(join(folder, file)).isFile())
      .map((file) => [relative(folder, join(folder, file)), createHash('sha256').update(readFileSync(join(folder, file))).digest('hex').slice(0, 16)]),
  );
}
