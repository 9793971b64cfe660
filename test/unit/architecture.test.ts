import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/datasets.js';

/**
 * The import rules of STYLE.md §9, checked on every run: which folder of src/ may import which, no import cycles
 * between files, and nothing imports the CLI or the library entry point.
 */
const allowed: Record<string, readonly string[]> = {
  shared: [],
  corpus: ['shared'],
  embedders: ['shared'],
  stores: ['shared'],
  llms: ['shared'],
  stats: ['shared'],
  // catalog, download, checksum and conversion of named datasets into the BEIR layout
  datasets: ['shared'],
  // the semantic chunker embeds sentences
  chunkers: ['corpus', 'embedders', 'shared'],
  // faithfulness is validated with ROC statistics; the LLM judge takes a ChatModel
  metrics: ['corpus', 'llms', 'stats', 'shared'],
  // the cross-encoder loads its model through the transformers embedder's loader
  rerankers: ['embedders', 'shared'],
  // a rerank stage wraps any retriever
  retrievers: ['chunkers', 'corpus', 'embedders', 'rerankers', 'stores', 'shared'],
  answers: ['chunkers', 'corpus', 'llms', 'metrics', 'shared'],
  report: ['metrics', 'stats', 'shared'],
  // config builds the eval schema from the registries and section schemas
  config: ['answers', 'chunkers', 'corpus', 'datasets', 'llms', 'metrics', 'rerankers', 'retrievers', 'shared'],
  synth: ['chunkers', 'config', 'corpus', 'datasets', 'llms', 'retrievers', 'stats', 'shared'],
  pipeline: ['answers', 'chunkers', 'config', 'corpus', 'datasets', 'embedders', 'llms', 'metrics', 'report', 'rerankers', 'retrievers', 'stats', 'stores', 'synth', 'shared'],
  // the local web viewer serves run folders (pipeline reads them, report renders them)
  viewer: ['pipeline', 'report', 'shared'],
  cli: ['viewer', 'answers', 'chunkers', 'config', 'corpus', 'datasets', 'embedders', 'llms', 'metrics', 'pipeline', 'report', 'rerankers', 'retrievers', 'stats', 'stores', 'synth', 'shared'],
};

const srcDir = join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** file (relative to src, .ts) → the src files it imports at run time or for types. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    // Static imports and re-exports, bare side-effect imports, and lazy `import('./x.js')` (the CLI loads its actions so).
    const pattern = /^(?:import|export)[^'"]*?from '(\.{1,2}\/[^']+)'|^import '(\.{1,2}\/[^']+)'|\bimport\('(\.{1,2}\/[^']+)'\)/gm;
    const targets = [...text.matchAll(pattern)].map((match) =>
      relative(srcDir, normalize(join(dirname(file), (match[1] ?? match[2] ?? match[3])!))).replace(/\.js$/, '.ts'),
    );
    graph.set(relative(srcDir, file), targets);
  }
  return graph;
}

const familyOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : file);

describe('architecture', () => {
  const graph = importGraph();

  it('every folder imports only the folders it may', () => {
    const violations: string[] = [];
    for (const [file, targets] of graph) {
      const family = familyOf(file);
      if (family === 'index.ts') continue;
      for (const target of targets) {
        const other = familyOf(target);
        if (other !== family && !(allowed[family] ?? []).includes(other)) violations.push(`${file} → ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('nothing imports the CLI or the library entry point', () => {
    const offenders = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => (t === 'index.ts' || t.startsWith('cli/')) && !file.startsWith('cli/')).map((t) => `${file} → ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it('has no import cycles between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps each store backend in its own room: only stores/registry.ts reaches into one, no backend imports another', () => {
    // A backend room (stores/pgvector/, stores/pinecone/, stores/weaviate/) shares only the interface and helpers at
    // stores/; the registry is the one place that names the backends, so adding or removing one touches one file.
    const backendOf = (file: string) => /^stores\/([^/]+)\//.exec(file)?.[1];
    const leaks = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => backendOf(target) !== undefined && backendOf(target) !== backendOf(file) && file !== 'stores/registry.ts')
        .map((target) => `${file} → ${target}`),
    );
    expect(leaks).toEqual([]);
  });

  it('keeps every folder a room: at most 14 files directly inside, no three sharing a name prefix (STYLE §8)', () => {
    const crowded: string[] = [];
    const walk = (dir: string) => {
      const entries = readdirSync(dir, { withFileTypes: true });
      const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => entry.name);
      const where = relative(srcDir, dir) || 'src';
      if (files.length > 14) crowded.push(`${where}: ${files.length} files`);
      // The prefix is the name up to its first '-': pgvector-sql.ts, pgvector-lock.ts, pgvector-build.ts are a room.
      const byPrefix = new Map<string, string[]>();
      for (const file of files) {
        const prefix = file.replace(/\.ts$/, '').split('-')[0]!;
        byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), file]);
      }
      for (const [prefix, group] of byPrefix) if (group.length >= 3) crowded.push(`${where}: ${prefix}-* (${group.join(', ')})`);
      for (const entry of entries) if (entry.isDirectory()) walk(join(dir, entry.name));
    };
    walk(srcDir);
    expect(crowded).toEqual([]);
  });

  it('keeps functions in src/cli short: at most 80 lines (commands register themselves from cli/commands/)', () => {
    const long: string[] = [];
    for (const file of [...graph.keys()].filter((name) => name.startsWith('cli/'))) {
      const lines = readFileSync(join(srcDir, file), 'utf8').split('\n');
      // Top-level functions (declarations and arrow functions bound to a const) end at the first column-0 brace.
      lines.forEach((line, start) => {
        if (!/^(export )?(async )?function |^(export )?const \w+ = (async )?\(.*=> \{$/.test(line)) return;
        const end = lines.findIndex((text, index) => index > start && /^\}/.test(text));
        const length = (end === -1 ? lines.length : end) - start + 1;
        if (length > 80) long.push(`${file}:${start + 1} ${length} lines`);
      });
    }
    expect(long).toEqual([]);
  });

  it('keeps source files small (STYLE: split before 500 lines)', () => {
    const large = [...graph.keys()].filter((file) => readFileSync(join(srcDir, file), 'utf8').split('\n').length > 500);
    expect(large).toEqual([]);
  });
});
