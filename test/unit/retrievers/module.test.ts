import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEval } from '../../../src/config/load-eval.js';
import { annRecallOf, maxDifference, runSample, sampleCorpusFile, type EvalRun } from '../../helpers/external-index.js';
import { repoRoot } from '../../helpers/datasets.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'langchain', 'memory-retriever.ts');
const ownExactMemory = { kind: 'dense', embedder: { kind: 'hashing' }, store: { kind: 'memory' }, cache: false };

describe('kind: module retriever', () => {
  let reference: EvalRun;
  beforeAll(async () => {
    reference = await runSample(ownExactMemory);
  }, 60_000);

  it('wraps a LangChain retriever (factory → MemoryVectorStore.asRetriever) and scores as ragbench’s own index', async () => {
    // k covers the deepest retrieval ragbench asks for here (it deepens until 10 distinct documents; a fixed k 10
    // would stop short on queries whose top chunks share documents, and the run would count them short).
    const run = await runSample({ kind: 'module', module: fixture, options: { k: 1000 } });
    expect(maxDifference(run, reference)).toBeLessThanOrEqual(1e-9);
    const evaluated = run.manifest.arms[0]!.retriever.evaluated as Record<string, unknown>;
    expect(evaluated).toMatchObject({ module: fixture, export: 'default', matched: { unmatchedDocIds: 0, unlocated: 0 } });
    expect(evaluated.sha256).toMatch(/^[0-9a-f]{64}$/);
    // What the chain does inside is unknown to ragbench: its ANN recall is "not measured", never "exact".
    const { ann, cell } = await annRecallOf(run);
    expect(cell).toBe('not measured');
    expect(ann).toMatchObject({ recall: null, warning: expect.stringMatching(/not measured: the module retriever .* cannot tell whether its search is exact/) });
  }, 60_000);

  it('calls a plain retrieve(query, k) export', async () => {
    const run = await runSample({ kind: 'module', module: fixture, export: 'retrieve' });
    expect(maxDifference(run, reference)).toBeLessThanOrEqual(1e-9);
  }, 60_000);

  it('a changed module file changes the fingerprint and the recorded hash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-module-'));
    const file = join(dir, 'retriever.mjs');
    await writeFile(file, 'export function retrieve() { return [{ id: "1" }]; }\n');
    const first = await runSample({ kind: 'module', module: file, export: 'retrieve' }, { metrics: ['recall@10'] });
    await writeFile(file, 'export function retrieve() { return [{ id: "2" }]; }\n');
    const second = await runSample({ kind: 'module', module: file, export: 'retrieve' }, { metrics: ['recall@10'] });
    const [a, b] = [first, second].map((r) => r.manifest.arms[0]!.retriever as { fingerprint: string; evaluated: { sha256: string } });
    expect(a!.evaluated.sha256).not.toBe(b!.evaluated.sha256);
    expect(a!.fingerprint).not.toBe(b!.fingerprint);
  }, 60_000);

  it('resolves a relative module path against the YAML file that names it, not the working directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-module-rel-'));
    await writeFile(join(dir, 'retriever.mjs'), 'export function retrieve() { return []; }\n');
    await writeFile(join(dir, 'eval.yaml'), `name: rel\ncorpus: ${JSON.stringify(sampleCorpusFile)}\nchunkers: [{ kind: fixed, sizeChars: 500 }]\nretrievers: [{ name: mine, kind: module, module: ./retriever.mjs, export: retrieve }, { name: installed, kind: module, module: some-package, export: retrieve }]\nmetrics: [recall@10]\n`);
    const plan = await loadEval(join(dir, 'eval.yaml'));
    expect(plan.retrievers.map((r) => r.config.options['module'])).toEqual([join(dir, 'retriever.mjs'), 'some-package']);
  });

  it('refuses an export that is not a retriever, and items without an id, with config errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-module-'));
    const file = join(dir, 'bad.mjs');
    await writeFile(file, 'export const answer = 42;\nexport function retrieve() { return [{ text: "no id" }]; }\n');
    await expect(runSample({ kind: 'module', module: file, export: 'answer' })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('is not a LangChain retriever') });
    await expect(runSample({ kind: 'module', module: file, export: 'nope' })).rejects.toMatchObject({ code: 'E_CONFIG', fix: expect.stringContaining('use one of: answer, retrieve') });
    await expect(runSample({ kind: 'module', module: file, export: 'retrieve' })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('no document id at "id"') });
  }, 60_000);
});
