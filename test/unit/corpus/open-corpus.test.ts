import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpusReference } from '../../../src/config/load-eval.js';
import { corpusConfigSchema } from '../../../src/corpus/corpus-config.js';
import { loadCorpus } from '../../../src/pipeline/load-corpus.js';
import { openCorpus } from '../../../src/corpus/open-corpus.js';
import { lacks, repoRoot } from '../../helpers/datasets.js';
import { collect, dataErrorOf, useTempDirs } from './fixtures.js';

describe('openCorpus', () => {
  const tempDir = useTempDirs();

  it('reads a folder with corpus.jsonl as BEIR and names it after the folder', async () => {
    const corpus = await openCorpus(join(repoRoot, 'corpora', 'sample'));
    expect(corpus.name).toBe('sample');
    expect((await corpus.queries()).length).toBe(15);
  });

  it('reads any other folder as one document per file', async () => {
    const corpus = await openCorpus(await tempDir({ 'a.md': 'alpha', 'corpus.json': '{}' }), { name: 'notes' });
    expect((await collect(corpus.documents())).map((d) => d.id)).toEqual(['a.md']);
  });

  it('rejects a path that does not exist or is a file, with a fix', async () => {
    const dir = await tempDir({ 'corpus.jsonl': '' });
    const missing = await dataErrorOf(openCorpus(join(dir, 'nope')));
    expect(missing.message).toMatch(/corpus path does not exist/);
    expect(missing.fix).toMatch(/relative to the YAML file/);
    expect((await dataErrorOf(openCorpus(join(dir, 'corpus.jsonl')))).message).toMatch(/not a folder/);
  });
});

describe('corpus manifests in corpora/', () => {
  it.for(['sample', 'cranfield', 'cisi', 'pubmedqa-pqal'])('corpora/%s.yaml fits the schema and opens', async (name, context) => {
    if (name !== 'sample' && lacks(name)) context.skip(); // not pulled: the global setup said so once
    const file = join(repoRoot, 'corpora', `${name}.yaml`);
    const corpus = await loadCorpus(await loadCorpusReference(file, join(repoRoot, 'evals', 'x.yaml')), { requireQueries: true });
    expect(corpus.name).toBe(name);
    expect(corpus.queries.length).toBeGreaterThan(0);
  });

  it('is strict and defaults the qrels split to test', () => {
    expect(corpusConfigSchema.parse({ path: 'x' })).toEqual({ path: 'x', qrels: 'test' });
    expect(() => corpusConfigSchema.parse({ path: 'x', paht: 'y' })).toThrow();
    expect(() => corpusConfigSchema.parse({ path: 'x', layout: 'csv' })).toThrow();
  });
});
