import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../../src/datasets/catalog.js';
import { ensureDataset, pullDataset, readManifest, verifyDataset } from '../../../src/datasets/store.js';
import { DataError, ServiceError } from '../../../src/shared/errors.js';
import { datasetsDir, lacks, repoRoot } from '../../helpers/datasets.js';
import { startDatasetServer, type DatasetServer } from '../../doubles/dataset-server.js';

/** A BEIR-style zip (top folder `mini/`) of the committed Cranfield sample, served by a local mirror. */
async function buildMiniZip(path: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const sample = join(repoRoot, 'corpora', 'sample');
  for (const file of ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv']) zip.addBuffer(await readFile(join(sample, file)), `mini/${file}`);
  zip.end();
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  await once(out, 'finish');
}

const md5 = async (path: string) => createHash('md5').update(await readFile(path)).digest('hex');
const leftovers = async (dir: string) => (existsSync(dir) ? (await readdir(dir)).filter((n) => n.includes('.partial-') || n.includes('.old-')) : []);

describe('datasets pull through a local HTTP mirror', () => {
  let mirrorRoot: string;
  let server: DatasetServer;
  let entry: CatalogEntry;

  beforeAll(async () => {
    mirrorRoot = await mkdtemp(join(tmpdir(), 'rb-mirror-'));
    await mkdir(join(mirrorRoot, 'beir', 'mini', 'raw'), { recursive: true });
    const zipPath = join(mirrorRoot, 'beir', 'mini', 'raw', 'mini.zip');
    await buildMiniZip(zipPath);
    entry = {
      name: 'beir/mini',
      kind: 'IR',
      description: 'test zip',
      size: '10 kB',
      licence: 'test',
      citation: 'test fixture from the committed Cranfield sample',
      files: [{ name: 'mini.zip', url: 'https://example.invalid/mini.zip', source: 'test', md5: await md5(zipPath) }],
      converter: 'beir-zip',
    };
    server = await startDatasetServer(mirrorRoot);
  });
  afterAll(() => server.close());

  const pull = (home: string, force = false) => pullDataset('beir/mini', { entry, mirror: server.url, env: { RAGBENCH_DATASETS: home }, force });

  it('downloads a zip from a URL mirror, checks its md5 and extracts the BEIR files without the top folder', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rb-home-'));
    const result = await pull(home);
    expect(result.status).toBe('pulled');
    expect(result.path).toBe(join(home, 'beir', 'mini'));
    expect(server.requests).toContain('/beir/mini/raw/mini.zip');
    for (const file of ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv']) {
      expect(await readFile(join(result.path, file), 'utf8')).toBe(await readFile(join(repoRoot, 'corpora', 'sample', file), 'utf8'));
    }
    expect(result.manifest.upstream[0]).toMatchObject({ name: 'mini.zip', md5: entry.files[0]!.md5, from: `${server.url}/beir/mini/raw/mini.zip` });
    const requests = server.requests.length;
    expect((await pull(home)).status).toBe('present');
    expect(server.requests.length).toBe(requests);
    expect(await verifyDataset('beir/mini', { RAGBENCH_DATASETS: home }, entry)).toEqual([]);
  });

  it('a checksum mismatch names the file, the expected and the actual hash, and overwrites nothing', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rb-home-'));
    const before = await pull(home);
    server.fail('mini.zip', 'corrupt');
    try {
      const error = await pull(home, true).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(new RegExp(`checksum mismatch for mini\\.zip .*expected md5 ${entry.files[0]!.md5}, got [0-9a-f]{32}`));
      expect(await readManifest('beir/mini', { RAGBENCH_DATASETS: home })).toEqual(before.manifest);
      expect(await leftovers(join(home, 'beir'))).toEqual([]);
    } finally {
      server.heal('mini.zip');
    }
  });

  it('a truncated download is an error and leaves no dataset and no partial folder', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rb-home-'));
    server.fail('mini.zip', 'truncate');
    try {
      const error = await pull(home).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as Error).message).toMatch(/mini\.zip is truncated/);
      expect(existsSync(join(home, 'beir', 'mini'))).toBe(false);
      expect(await leftovers(join(home, 'beir'))).toEqual([]);
    } finally {
      server.heal('mini.zip');
    }
  });

  it('a server error is a service error naming the URL and the status', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rb-home-'));
    server.fail('mini.zip', 'server-error');
    try {
      const error = await pull(home).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as Error).message).toContain(`${server.url}/beir/mini/raw/mini.zip answered HTTP 500`);
      expect(existsSync(join(home, 'beir', 'mini'))).toBe(false);
    } finally {
      server.heal('mini.zip');
    }
  });

  it('a damaged archive with a matching checksum still fails cleanly (no pinned hash to hide behind)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rb-home-'));
    await mkdir(join(mirrorRoot, 'beir', 'broken', 'raw'), { recursive: true });
    await writeFile(join(mirrorRoot, 'beir', 'broken', 'raw', 'broken.zip'), 'not a zip at all');
    const broken: CatalogEntry = { ...entry, name: 'beir/broken', files: [{ name: 'broken.zip', url: 'https://example.invalid', source: 'test' }] };
    const error = await pullDataset('beir/broken', { entry: broken, mirror: server.url, env: { RAGBENCH_DATASETS: home } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/broken\.zip cannot read zip/);
    expect(existsSync(join(home, 'beir', 'broken'))).toBe(false);
  });
});

describe('real datasets from a mirror', () => {
  it.skipIf(lacks('cranfield'))('a URL mirror of a datasets folder (raw/ = upstream bytes) reproduces the same cranfield conversion', async () => {
    const server = await startDatasetServer(datasetsDir);
    try {
      const home = await mkdtemp(join(tmpdir(), 'rb-home-'));
      const result = await pullDataset('cranfield', { mirror: server.url, env: { RAGBENCH_DATASETS: home } });
      expect(result.manifest.converted).toEqual((await readManifest('cranfield'))!.converted);
      expect(server.requests.sort()).toEqual(['/cranfield/raw/cran.all.1400', '/cranfield/raw/cran.qry', '/cranfield/raw/cranqrel', '/cranfield/raw/cranqrel.readme']);
    } finally {
      await server.close();
    }
  });

  it('a folder mirror without the file says which file is missing', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rb-home-'));
    const error = await pullDataset('cisi', { mirror: home, env: { RAGBENCH_DATASETS: home } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toContain(`mirror file missing: ${join(home, 'cisi', 'raw', 'CISI.ALL')}`);
  });

  it('auto-pull that cannot download fails with the exact pull command', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rb-home-'));
    const error = await ensureDataset('cranfield', { mirror: 'http://127.0.0.1:9', env: { RAGBENCH_DATASETS: home } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as Error).message).toMatch(/dataset cranfield is not pulled yet and pulling it failed: cranfield: cannot download http:\/\/127\.0\.0\.1:9\/cranfield\/raw\/cran\.all\.1400/);
    expect((error as ServiceError).fix).toContain('`ragbench datasets pull cranfield`');
  });

  it.skipIf(lacks('begin-wow'))('verify catches a converted file changed after the pull', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rb-home-'));
    await pullDataset('begin-wow', { mirror: datasetsDir, env: { RAGBENCH_DATASETS: home } });
    expect(await verifyDataset('begin-wow', { RAGBENCH_DATASETS: home })).toEqual([]);
    await writeFile(join(home, 'begin-wow', 'generic.jsonl'), '{}\n');
    const problems = await verifyDataset('begin-wow', { RAGBENCH_DATASETS: home });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.problem).toMatch(/checksum mismatch: expected sha256 e3e9e7d2a82be5d9.*, got [0-9a-f]{64}/);
  });
});
