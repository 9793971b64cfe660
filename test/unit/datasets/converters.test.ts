import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogEntry } from '../../../src/datasets/catalog.js';
import { convertCacm } from '../../../src/datasets/converters/smart-collections.js';
import { parseSmart } from '../../../src/datasets/converters/smart.js';
import { datasetDir, datasetsHome } from '../../../src/datasets/location.js';
import { pullDataset, readManifest } from '../../../src/datasets/store.js';
import { DataError } from '../../../src/shared/errors.js';
import { lacks, repoRoot, testDatasets } from '../../helpers/datasets.js';

/** The project's shared copy of the converted datasets (with raw/ = upstream bytes): the conversion's reference. */
const shared = process.env.SHARED_DATASETS_DIR ?? join(repoRoot, '..', 'shared', 'datasets');
const haveShared = existsSync(join(shared, 'cranfield', 'raw'));
if (!haveShared) console.info(`shared-conversion comparison skipped: no shared datasets at ${shared} (set SHARED_DATASETS_DIR)`);

const convertedFiles: Record<string, readonly string[]> = {
  cranfield: ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv', 'qrels/test.trec', 'qrels/raw-codes.tsv'],
  cisi: ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv', 'qrels/test.trec'],
  'pubmedqa-pqal': ['corpus.jsonl', 'queries.jsonl', 'qa.jsonl', 'qrels/test.tsv', 'qrels/test.trec'],
  'begin-wow': ['labels.jsonl', 'generic.jsonl'],
};

const records = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (path.endsWith('.jsonl') ? (JSON.parse(line) as unknown) : line));

describe.skipIf(!haveShared)('datasets pull --mirror <shared datasets> reproduces the shared conversion', () => {
  it.each(Object.keys(convertedFiles))('%s: same ids, texts, grades and labels in every converted file', async (name) => {
    const home = await mkdtemp(join(tmpdir(), 'rb-pull-shared-'));
    const result = await pullDataset(name, { mirror: shared, env: { RAGBENCH_DATASETS: home } });
    expect(result.status).toBe('pulled');
    for (const file of convertedFiles[name]!) {
      const ours = records(join(result.path, file));
      const theirs = records(join(shared, name, file));
      expect(ours.length, file).toBe(theirs.length);
      expect(ours, file).toEqual(theirs);
    }
  });
});

/**
 * The converted files' SHA-256 as recorded when the conversion was checked equal to the shared copy (above). This
 * runs everywhere, also on a machine that pulled from the internet without the shared copy.
 */
const pinned: Record<string, Record<string, string>> = {
  cranfield: {
    'corpus.jsonl': '7aef4a03f797ba6d467e5854c2d207e6da7f4365666c7ffcf1e6d75e9be1f87e',
    'qrels/raw-codes.tsv': '01f160f8a22710fec39069bb688fb153693eb56c94d05b55ec855a06c0a3f1f4',
    'qrels/test.trec': '9d89a899f4c574c85e74ab1042cc6d7b363f20fcf1fa60351f073c3777e12b2c',
    'qrels/test.tsv': 'fd0b413efe86cfb3fa78226a1dbeaf4f060f0bff5ea1586844a93b2994d9ca94',
    'queries.jsonl': '42f620bb09cc84af831ff2a612f82c197e222b7bbd87ba3d886a6bdacdf6e40e',
  },
  cisi: {
    'corpus.jsonl': 'e4668ad1de1044c1762c5ad650d549f6e3385b9b28443020624c1e745aa8ab4a',
    'qrels/test.trec': 'be75cdddaf74e0bc330f05b7aa5780b9947166536ee9e35569d1b05aa77ad6ad',
    'qrels/test.tsv': '5ff417257cd005a90a06ad42f0468c791fb862f38cd9b53cac9e516ffe675011',
    'queries.jsonl': '3967408be188dd878b2b985831a88f0745a8b8219d9332a20af28dc38aa93a9b',
  },
  'pubmedqa-pqal': {
    'corpus.jsonl': '90f79fcfe50a76abe549010fd3ad49ef738cd53ecad36ccf5342deb737d50364',
    'qa.jsonl': '4422b17563f3d57c33785bbdbe29b4503eaf84d00f7048fb3826c3f0fdbec63f',
    'qrels/test.trec': '7038c38ffb0d3d75b48c9dd8667a63e76ecc8c254e7763aa668ea2495dd8da7d',
    'qrels/test.tsv': 'ec2ff4901773fbd933a490f0dcf37b4470e0e1c5b61c93a2da19be8e7950518c',
    'queries.jsonl': 'dfa71d5531ee88753ad385a13daffeade1503401a555309345b9a817ca193316',
  },
  'begin-wow': {
    'generic.jsonl': 'e3e9e7d2a82be5d96fc60dd2b85451094cc7a705600798e5643a472beb58b75e',
    'labels.jsonl': '247167d7c3dd9cc3f09bcf2a71e10a35e3e9670e3c7f45779fdeaf08551dc401',
  },
};

describe('the datasets the tests use were pulled and converted exactly as checked', () => {
  it.for(testDatasets)('%s: converted files have the pinned SHA-256 and the published counts', async (name, context) => {
    if (lacks(name)) context.skip(); // not pulled: the global setup said so once, with the command
    const manifest = await readManifest(name);
    expect(manifest, `${name} not pulled into ${datasetsHome()}`).toBeDefined();
    expect(manifest!.converted).toEqual(pinned[name]);
    expect(datasetDir(name)).toBe(join(datasetsHome(), name));
  });

  it.skipIf(lacks(...testDatasets))('counts match each dataset README', async () => {
    expect((await readManifest('cranfield'))!.summary).toEqual({ documents: 1400, queries: 225, judgments: 1837 });
    expect((await readManifest('cisi'))!.summary).toEqual({ documents: 1460, queries: 112, judgments: 3114 });
    expect((await readManifest('pubmedqa-pqal'))!.summary).toEqual({ documents: 3358, queries: 1000, judgments: 3358 });
    expect((await readManifest('begin-wow'))!.summary).toEqual({ labels: 4031 });
  });
});

const haveSharedCacm = existsSync(join(shared, 'cacm', 'raw', 'cacm.all'));
if (!haveSharedCacm) console.info(`real-CACM pull skipped: no upstream CACM files at ${join(shared, 'cacm', 'raw')} (the pinned SHA-256s are checked on pull)`);

describe.skipIf(!haveSharedCacm)('datasets pull cacm --mirror <shared datasets> (the real upstream files)', () => {
  it('checks the pinned hashes and converts all 3,204 documents, 64 queries and 796 judgments', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rb-pull-cacm-'));
    const result = await pullDataset('cacm', { mirror: shared, env: { RAGBENCH_DATASETS: home } });
    expect(result.status).toBe('pulled');
    expect(result.unpinned).toEqual([]);
    expect(result.manifest.summary).toEqual({ documents: 3204, queries: 64, judgments: 796 });
  });
});

describe('CACM converter on a committed SMART excerpt (test/fixtures/cacm)', () => {
  it('reads every SMART field (.T .W .B .A .K .C .N .X), keeps .K/.C as metadata, drops .N/.X, strips zero padding, keeps unjudged queries', async () => {
    const out = await mkdtemp(join(tmpdir(), 'rb-cacm-'));
    const summary = await convertCacm(join(repoRoot, 'test', 'fixtures', 'cacm', 'raw'), out);
    expect(summary).toEqual({ documents: 7, queries: 4, judgments: 7 });
    const docs = records(join(out, 'corpus.jsonl')) as { _id: string; title: string; text: string; metadata: Record<string, string> }[];
    expect(docs.map((d) => d._id)).toEqual(['1', '2', '4', '20', '39', '2485', '2489']);
    expect(docs[0]).toEqual({
      _id: '1',
      title: 'Preliminary Report-International Algebraic Language',
      text: '',
      metadata: { author: 'Perlis, A. J. Samelson,K.', bib: 'CACM December, 1958' },
    });
    expect(docs[2]!.metadata).toEqual({ author: '', bib: 'CACM November, 1958' });
    expect(docs[4]!.title).toBe('The Secant Method for Simultaneous Nonlinear Equations');
    expect(docs[4]!.text).toBe(
      'A procedure for the simultaneous solution of a system of not-necessarily-linear equations, a generalization of the secant method for a single function of one variable, is given.',
    );
    // 2485 and 2489 are copied from the upstream cacm.all: .K keywords and .C classification codes after .A
    expect(docs[5]!.metadata).toEqual({
      author: 'Nolan, R. L.',
      bib: 'CACM July, 1973',
      keywords: 'computer management, computer budget, computer expenditures, stage hypothesis, planning, organizing, control, computer resource',
      categories: '2.41 2.43 3.50',
    });
    expect(docs[5]!.text).toMatch(/^Based on the study of expenditures for data processing, a descriptive stage hypothesis is presented\. It is/);
    expect(docs[5]!.text).not.toMatch(/CA730701|2485\s+5/);
    expect(docs[6]).toEqual({
      _id: '2489',
      title: 'Number of Multiply-Restricted Partitions [A1] (Algorithm A448)',
      text: '',
      metadata: {
        author: 'Beyer, T. Swinehart, D. F.',
        bib: 'CACM June, 1973',
        keywords: 'partitions, enumeration, change making, energy-level degeneracies, molecular vibrational energy-levels',
        categories: '3.13 5.30',
      },
    });
    const queries = records(join(out, 'queries.jsonl')) as { _id: string; text: string; metadata: Record<string, string> }[];
    expect(queries.map((q) => q._id)).toEqual(['1', '2', '34', '64']);
    expect(queries[1]).toEqual({
      _id: '2',
      text: 'I am interested in articles written either by Prieve or Udo Pooch',
      metadata: { author: 'Prieve, B. Pooch, U.', source: '2. Richard Alexander, Comp Serv, Langmuir Lab (author = Pooch or Prieve)' },
    });
    // query 34 has no judgments and stays in queries.jsonl
    expect(await readFile(join(out, 'qrels', 'test.tsv'), 'utf8')).toBe(
      'query-id\tcorpus-id\tscore\n1\t20\t1\n1\t1410\t1\n1\t1572\t1\n1\t2485\t1\n2\t39\t1\n2\t2434\t1\n64\t2651\t1\n',
    );
    expect(await readFile(join(out, 'qrels', 'test.trec'), 'utf8')).toMatch(/^1 0 20 1\n/);
  });

  it('the catalog pins the SHA-256 of all three upstream CACM files (no first-download trust)', () => {
    const entry = catalogEntry('cacm')!;
    expect(entry.unpinned).toBeUndefined();
    expect(Object.fromEntries(entry.files.map((f) => [f.name, f.sha256]))).toEqual({
      'cacm.all': '34bdd3eb27a92e5f8068a785b53ef40b9dc0b800dbafc5bac79a80dd999cdc17',
      'query.text': 'e94dd3ecfa4f5664b341dd119e2e4a10bff606971f953598ec1d1111fc251806',
      'qrels.text': 'da4202b0c70cad7d91c9a028eaf8cbd0a4ca981ebdc3955eb75ba7b6de6f185c',
    });
  });

  it('refuses an unknown SMART field and text outside fields, naming file and line', () => {
    expect(() => parseSmart('.I 1\n.T\nx\n.Q\ny\n', 'cacm.all', new Set(['T']))).toThrow(DataError);
    expect(() => parseSmart('.I 1\n.T\nx\n.Q\ny\n', 'cacm.all', new Set(['T']))).toThrow(/cacm\.all:4 unknown SMART field \.Q/);
    expect(() => parseSmart('stray\n.I 1\n', 'f', new Set(['T']))).toThrow(/f:1 text outside any SMART field/);
  });
});
