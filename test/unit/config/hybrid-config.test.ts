import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEval } from '../../../src/config/load-eval.js';

/** Hybrid components and rerank stages as YAML: resolution of names, and the refusals with their place and fix. */
let root = '';

async function evalWith(retrievers: string[], files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(root, 'case-'));
  await mkdir(join(dir, 'retrievers'));
  await mkdir(join(dir, 'evals'));
  await mkdir(join(dir, 'corpus'));
  for (const [name, text] of Object.entries({ bm25: 'kind: bm25\n', local: 'kind: dense\nembedder: { kind: hashing }\nstore: { kind: memory }\n', ...files })) {
    await writeFile(join(dir, 'retrievers', `${name}.yaml`), text);
  }
  const file = join(dir, 'evals', 'e.yaml');
  await writeFile(file, ['corpus: ../corpus', 'chunkers: [{ kind: fixed, sizeChars: 200 }]', 'retrievers:', ...retrievers.map((r) => `  - ${r}`), ''].join('\n'));
  return file;
}

describe('hybrid and rerank config', () => {
  beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), 'rb-hybrid-config-'))));
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('resolves a hybrid\'s components by name, next to its own file, with fusion defaults', async () => {
    const plan = await loadEval(await evalWith(['hybrid'], { hybrid: 'kind: hybrid\nretrievers: [bm25, local]\n' }));
    const [hybrid] = plan.retrievers;
    expect(hybrid!.components!.map((c) => [c.name, c.config.kind])).toEqual([['bm25', 'bm25'], ['local', 'dense']]);
    expect(hybrid!.config.options).toMatchObject({ fusion: { method: 'rrf', k: 60 }, depth: 10 });
  });

  it('refuses a hybrid that contains itself, naming the chain', async () => {
    const file = await evalWith(['loop'], { loop: 'kind: hybrid\nretrievers: [bm25, loop]\n' });
    await expect(loadEval(file)).rejects.toThrow(/hybrid retriever loop contains itself \(loop → loop\)/);
  });

  it('refuses weights naming no component, and a weights list of the wrong length', async () => {
    await expect(loadEval(await evalWith(['h'], { h: 'kind: hybrid\nretrievers: [bm25, local]\nweights: { bm25: 1, dense: 2 }\n' }))).rejects.toThrow(/weights name dense, not one of its retrievers \(bm25, local\)/);
    await expect(loadEval(await evalWith(['h'], { h: 'kind: hybrid\nretrievers: [bm25, local]\nweights: [1]\n' }))).rejects.toThrow(/weights lists 1 numbers for 2 retrievers/);
  });

  it('a rerank stage parses on any retriever kind; its errors point into rerank:', async () => {
    const plan = await loadEval(await evalWith(['{ name: r, kind: bm25, rerank: { kind: cross-encoder, model: ./m, candidates: 30 } }']));
    expect(plan.retrievers[0]!.config).toMatchObject({ kind: 'bm25', rerank: { candidates: 30, reranker: { kind: 'cross-encoder', options: { model: './m', quantized: false } } } });
    await expect(loadEval(await evalWith(['{ name: r, kind: bm25, rerank: { kind: colbert } }']))).rejects.toThrow(/rerank\.kind.*unknown reranker kind "colbert"; valid kinds: http, cross-encoder/);
    await expect(loadEval(await evalWith(['{ name: r, kind: bm25, rerank: { kind: http, url: "http://x/rerank", model: m, candidates: 0 } }']))).rejects.toThrow(/rerank\.candidates/);
  });
});
