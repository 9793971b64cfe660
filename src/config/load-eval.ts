import { basename, dirname, join, resolve } from 'node:path';
import { chunkers } from '../chunkers/registry.js';
import { corpusConfigSchema } from '../corpus/corpus-config.js';
import { datasetDir } from '../datasets/location.js';
import { requireEntry } from '../datasets/store.js';
import { parseMetricName } from '../metrics/retrieval.js';
import { parseSpanMetricName } from '../metrics/spans.js';
import { ConfigError, RagbenchError } from '../shared/errors.js';
import { pluginConfigSchema, type PluginConfig } from '../shared/plugin.js';
import { evalConfigSchema, type EvalConfig } from './eval-config.js';
import { isDirectory } from '../shared/files/is-directory.js';
import { nameFromFile, resolveReference } from './references.js';
import { retrieverFileSchema, type RetrieverConfig } from './retriever-config.js';
import { loadYamlFile, loadYamlWithPlaces, parseYaml } from '../shared/files/yaml-file.js';

const chunkerFileSchema = pluginConfigSchema('chunker', chunkers);

export interface ResolvedCorpus {
  readonly name: string;
  /** Absolute path of the corpus folder. */
  readonly path: string;
  readonly layout?: 'beir' | 'files';
  readonly qrelsSplit: string;
  /** BEIR: absolute path of the documents file when it is not `<path>/corpus.jsonl`. */
  readonly documentsFile?: string;
  /** The corpus YAML it came from, if any. */
  readonly file?: string;
  /** Named datasets this corpus reads (`dataset:`, `documentsDataset:`); pulled before the corpus is opened. */
  readonly datasets?: readonly string[];
}

/** A chunker or retriever as an experiment arm sees it: a display name and a validated config. */
export interface NamedConfig {
  readonly name: string;
  readonly file?: string;
  readonly config: RetrieverConfig;
  /** Kind hybrid: its components, resolved like the eval's own retrievers (names, paths or inline configs). */
  readonly components?: readonly NamedConfig[];
}

export interface ResolvedEval extends Omit<EvalConfig, 'corpus' | 'chunkers' | 'retrievers' | 'name' | 'spanMetrics'> {
  readonly name: string;
  readonly file: string;
  readonly corpus: ResolvedCorpus;
  readonly chunkers: readonly NamedConfig[];
  readonly retrievers: readonly NamedConfig[];
  /**
   * Chunks retrieved per query: the configured depth (a fixed chunk budget), or the first pass of the automatic
   * depth (the largest cut-off, at least 10), which then deepens up to `maxDepth` toward `target`.
   */
  readonly depth: number;
  /** Present when the depth is automatic: the cap on chunks per query (`maxDepth`, default 1000). */
  readonly maxDepth?: number;
  /**
   * What each query's retrieval should hold: distinct documents for the largest document cut-off (10 when no metric
   * has a finite one) and, with token-budget metrics, the largest budget in tokens.
   */
  readonly target: { readonly documents: number; readonly tokens?: number };
  /** Canonical span metric labels (empty when none). */
  readonly spanMetrics: readonly string[];
}

/** The documented cap on automatic retrieval depth (chunks per query) when an eval sets no `maxDepth`. */
const defaultMaxDepth = 1000;

/** Loads `evals/*.yaml` and everything it references, so later stages never see an invalid config. */
export async function loadEval(file: string): Promise<ResolvedEval> {
  const path = resolve(file);
  const loaded = await loadYamlWithPlaces(path, evalConfigSchema);
  const config = loaded.value;
  // Canonical names (`NDCG@10` → `ndcg@10`, `success@5` → `hit@5`) key every table and result file.
  const metrics = config.metrics.map((metric, i) => {
    try {
      return parseMetricName(metric).label;
    } catch (error) {
      const message = error instanceof RagbenchError ? error.message : String(error);
      throw new ConfigError(message, { place: loaded.placeOf(['metrics', i]), fix: 'e.g. recall@10, mrr@10, ndcg@10, map@100' });
    }
  });
  // `ndcg@10` twice (or `NDCG@10` and `ndcg@10`) would be scored and Holm-corrected twice: say so at its line.
  const duplicate = metrics.findIndex((label, i) => metrics.indexOf(label) !== i);
  if (duplicate >= 0) {
    throw new ConfigError(`metric ${config.metrics[duplicate]} is listed twice (as ${metrics[duplicate]})`, {
      place: loaded.placeOf(['metrics', duplicate]),
      fix: 'list each metric once',
    });
  }
  const spanMetrics = (config.spanMetrics ?? []).map((metric, i) => {
    try {
      return parseSpanMetricName(metric).label;
    } catch (error) {
      throw new ConfigError((error as Error).message, { place: loaded.placeOf(['spanMetrics', i]), fix: 'e.g. span-recall@5, span-iou@5, context-tokens@5' });
    }
  });
  const corpus =
    typeof config.corpus === 'string'
      ? await loadCorpusReference(config.corpus, path, loaded.placeOf(['corpus']))
      : await resolveCorpusConfig(parseInline(config.corpus, path, corpusConfigSchema), path);
  const chunkerList = await Promise.all(
    config.chunkers.map((ref, i) => loadPluginReference(ref, 'chunkers', path, loaded.placeOf(['chunkers', i]))),
  );
  const retrieverList = await Promise.all(
    config.retrievers.map((ref, i) => loadPluginReference(ref, 'retrievers', path, loaded.placeOf(['retrievers', i]))),
  );
  assertUniqueNames(chunkerList, 'chunkers', path);
  assertUniqueNames(retrieverList, 'retrievers', path);
  const baselineArm = config.compare.baseline;
  const armNames = chunkerList.flatMap((chunker) => retrieverList.map((retriever) => `${chunker.name} × ${retriever.name}`));
  if (baselineArm !== undefined && !armNames.includes(baselineArm)) {
    throw new ConfigError(`compare.baseline ${JSON.stringify(baselineArm)} is not an arm of this eval`, {
      place: loaded.placeOf(['compare', 'baseline']),
      fix: `name one of: ${armNames.join(', ')}`,
    });
  }
  const specs = [...metrics.map(parseMetricName), ...spanMetrics.map(parseSpanMetricName)];
  const maxCut = Math.max(10, ...specs.map((spec) => spec.k).filter(Number.isFinite));
  const documentCuts = metrics.map((m) => parseMetricName(m).k).filter(Number.isFinite);
  const budgets = specs.flatMap((spec) => (spec.tokens === undefined ? [] : [spec.tokens]));
  const target = { documents: documentCuts.length > 0 ? Math.max(...documentCuts) : 10, ...(budgets.length > 0 ? { tokens: Math.max(...budgets) } : {}) };
  return {
    ...config,
    metrics,
    spanMetrics,
    name: config.name ?? nameFromFile(path),
    file: path,
    corpus,
    chunkers: chunkerList,
    retrievers: retrieverList,
    depth: config.depth ?? maxCut,
    ...(config.depth === undefined ? { maxDepth: Math.max(maxCut, config.maxDepth ?? defaultMaxDepth) } : {}),
    target,
  };
}

/** A corpus reference: a corpus YAML (by name or path) or a folder of data used as is. */
export async function loadCorpusReference(reference: string, fromFile: string, place = { file: fromFile }) {
  const direct = resolve(dirname(fromFile), reference);
  if (isDirectory(direct)) return { name: basename(direct), path: direct, qrelsSplit: 'test' } satisfies ResolvedCorpus;
  const file = resolveReference(reference, 'corpora', fromFile, place);
  if (isDirectory(file)) return { name: basename(file), path: file, qrelsSplit: 'test' } satisfies ResolvedCorpus;
  return resolveCorpusConfig(await loadYamlFile(file, corpusConfigSchema), file);
}

async function resolveCorpusConfig(
  config: {
    name?: string | undefined;
    path?: string | undefined;
    dataset?: string | undefined;
    layout?: 'beir' | 'files' | undefined;
    qrels?: string | undefined;
    documents?: string | undefined;
    documentsDataset?: string | undefined;
  },
  file: string,
): Promise<ResolvedCorpus> {
  const datasets = [config.dataset, config.documentsDataset].filter((name): name is string => name !== undefined);
  for (const name of datasets) {
    try {
      requireEntry(name);
    } catch (error) {
      throw new ConfigError((error as Error).message, { place: { file }, fix: (error as RagbenchError).fix ?? 'see ragbench datasets list' });
    }
  }
  // A named dataset may not be pulled yet: its folder is checked (and pulled) when the corpus is loaded.
  const path = config.dataset !== undefined ? datasetDir(config.dataset) : resolve(dirname(file), config.path ?? '.');
  if (config.dataset === undefined && !isDirectory(path)) {
    throw new ConfigError(`corpus path ${config.path} is not a folder (resolved to ${path})`, {
      place: { file },
      fix: 'paths are relative to the YAML file; for a published dataset write `dataset: <name>` (see ragbench datasets list)',
    });
  }
  const documentsFile =
    config.documentsDataset !== undefined
      ? join(datasetDir(config.documentsDataset), 'corpus.jsonl')
      : config.documents !== undefined
        ? resolve(dirname(file), config.documents)
        : undefined;
  return {
    name: config.name ?? nameFromFile(file),
    path,
    qrelsSplit: config.qrels ?? 'test',
    file,
    ...(config.layout ? { layout: config.layout } : {}),
    ...(documentsFile ? { documentsFile } : {}),
    ...(datasets.length > 0 ? { datasets } : {}),
  };
}

export async function loadPluginReference(
  reference: string | Record<string, unknown>,
  folder: 'chunkers' | 'retrievers',
  fromFile: string,
  place: { file: string; line?: number; column?: number },
  /** Hybrid files being resolved above this one, to refuse a hybrid that contains itself. */
  within: readonly string[] = [],
): Promise<NamedConfig> {
  const schema = folder === 'chunkers' ? chunkerFileSchema : retrieverFileSchema;
  let named: NamedConfig;
  if (typeof reference !== 'string') {
    const config = withModulePathsFrom(parseInline(reference, fromFile, schema, place), fromFile);
    named = { name: config.name ?? `${config.kind}`, config };
  } else {
    const file = resolveReference(reference, folder, fromFile, place);
    const config = withModulePathsFrom(await loadYamlFile(file, schema), file);
    named = { name: config.name ?? nameFromFile(file), file, config };
  }
  if (folder === 'chunkers' || named.config.kind !== 'hybrid') return named;
  return { ...named, components: await loadComponents(named, fromFile, place, within) };
}

/** A hybrid's `retrievers:` resolved relative to its own file (or the eval's, inline), refusing cycles. */
async function loadComponents(hybrid: NamedConfig, fromFile: string, place: { file: string; line?: number }, within: readonly string[]): Promise<NamedConfig[]> {
  const here = hybrid.file ?? fromFile;
  const chain = hybrid.file ? [...within, hybrid.file] : within;
  if (hybrid.file && within.includes(hybrid.file)) {
    throw new ConfigError(`hybrid retriever ${hybrid.name} contains itself (${[...chain].map((f) => nameFromFile(f)).join(' → ')})`, { place, fix: 'a hybrid may list other hybrids, but not one of its own ancestors' });
  }
  const refs = hybrid.config.options.retrievers as Array<string | Record<string, unknown>>;
  const components: NamedConfig[] = [];
  for (const ref of refs) components.push(await loadPluginReference(ref, 'retrievers', here, { file: here }, chain));
  assertUniqueNames(components, `hybrid ${hybrid.name}'s retrievers`, here);
  const weights = hybrid.config.options.weights;
  if (weights !== undefined && !Array.isArray(weights)) {
    const unknown = Object.keys(weights as Record<string, number>).filter((name) => !components.some((c) => c.name === name));
    if (unknown.length > 0) {
      throw new ConfigError(`hybrid ${hybrid.name}: weights name ${unknown.join(', ')}, not one of its retrievers (${components.map((c) => c.name).join(', ')})`, { place, fix: 'key weights by the component names, or give a list in the order of retrievers' });
    }
  }
  return components;
}

/**
 * `module: ./retrieval.ts` (a `kind: module` retriever, a `kind: langchain` embedder, at any depth) is a path
 * relative to the YAML file that says it, like every other path in a config; package names stay as they are.
 */
function withModulePathsFrom<T>(config: T, file: string): T {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === 'module' && typeof inner === 'string' && /^\.\.?[/\\]/.test(inner) ? resolve(dirname(file), inner) : visit(inner),
      ]),
    );
  };
  return visit(config) as T;
}

/** Validates an inline object by re-parsing it as YAML so its errors read like a file's. */
function parseInline<T extends import('zod').ZodType>(value: unknown, file: string, schema: T, place?: { line?: number }) {
  try {
    return parseYaml(JSON.stringify(value), file, schema).value;
  } catch (error) {
    if (error instanceof ConfigError && place?.line !== undefined) {
      throw new ConfigError(error.message.replace(/^\S+ /, ''), { place: { file, line: place.line }, fix: error.fix ?? '' });
    }
    throw error;
  }
}

function assertUniqueNames(list: readonly NamedConfig[], folder: string, file: string): void {
  const seen = new Set<string>();
  for (const item of list) {
    if (seen.has(item.name)) {
      throw new ConfigError(`${folder} lists "${item.name}" twice`, { place: { file }, fix: 'give each entry a distinct name' });
    }
    seen.add(item.name);
  }
}
