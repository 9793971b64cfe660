import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetsDir, lacks } from '../helpers/datasets.js';
import { runCli } from './cli.js';

describe('ragbench datasets', () => {
  it.skipIf(lacks('pubmedqa-pqal', 'cranfield', 'begin-wow'))('list --json prints every dataset with licence, citation, pinned sources and whether it is present', async () => {
    const result = await runCli(['datasets', 'list', '--json']);
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout) as { home: string; datasets: { name: string; licence: string; citation: string; present: boolean; files: { url: string }[] }[] };
    expect(listing.home).toBe(datasetsDir);
    const byName = new Map(listing.datasets.map((d) => [d.name, d]));
    expect(byName.get('pubmedqa-pqal')).toMatchObject({ licence: 'MIT', present: true });
    expect(byName.get('pubmedqa-pqal')!.citation).toMatch(/PubMedQA: A Dataset for Biomedical Research Question Answering/);
    expect(byName.get('beir/scifact')!.files[0]!.url).toBe('https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/scifact.zip');
    for (const d of listing.datasets) expect(d.licence.length > 0 && d.citation.length > 0, d.name).toBe(true);
  });

  it.skipIf(lacks('cranfield', 'begin-wow'))('list prints a table with kind, size, licence and presence', async () => {
    const result = await runCli(['datasets', 'list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^name\s+kind\s+size\s+licence\s+present\s+description$/m);
    expect(result.stdout).toMatch(/^cranfield\s+IR\s+4\.4 MB\s+none stated\s+yes\s+Cranfield II/m);
    expect(result.stdout).toMatch(/^begin-wow\s+faithfulness\s+3\.6 MB\s+CC BY 4\.0\s+yes/m);
  });

  it.skipIf(lacks('cisi'))('pull --mirror DIR, path and verify on a fresh datasets folder', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rb-cli-home-'));
    const env = { RAGBENCH_DATASETS: home };
    const missing = await runCli(['datasets', 'path', 'cisi'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ragbench datasets pull cisi');
    const pulled = await runCli(['datasets', 'pull', 'cisi', '--mirror', datasetsDir], { env });
    expect(pulled.stderr).toBe('');
    expect(pulled.stdout).toBe(`cisi: pulled and converted (1460 documents, 112 queries, 3114 judgments) → ${join(home, 'cisi')}\n`);
    expect((await runCli(['datasets', 'pull', 'cisi'], { env })).stdout).toMatch(/cisi: already present/);
    expect((await runCli(['datasets', 'path', 'cisi'], { env })).stdout).toBe(`${join(home, 'cisi')}\n`);
    expect((await runCli(['datasets', 'verify'], { env })).stdout).toBe('cisi: ok\n');
  });

  it('refuses SALAD (no stated licence) and unknown names with exit 2', async () => {
    const salad = await runCli(['datasets', 'pull', 'salad-lfqa-attribution']);
    expect(salad.code).toBe(2);
    expect(salad.stderr).toMatch(/no stated licence/);
    const unknown = await runCli(['datasets', 'pull', 'cranfeld']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown dataset cranfeld .*cranfield/);
  });

  it.skipIf(lacks('cisi'))('a corpus manifest naming a dataset pulls it on first use; unreachable, it prints the exact pull command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-cli-corpus-'));
    await writeFile(join(dir, 'cisi.yaml'), 'dataset: cisi\nlayout: beir\n');
    const args = ['ingest', 'retrievers/bm25.yaml', '--corpus', join(dir, 'cisi.yaml'), '--chunker', 'fixed-512', '--work-dir', join(dir, 'work')];
    const offline = await runCli(args, { env: { RAGBENCH_DATASETS: join(dir, 'none'), RAGBENCH_DATASETS_MIRROR: 'http://127.0.0.1:9' } });
    expect(offline.code).toBe(3);
    expect(offline.stderr).toMatch(/dataset cisi is not pulled yet and pulling it failed/);
    expect(offline.stderr).toContain('`ragbench datasets pull cisi`');
    const home = join(dir, 'datasets');
    const online = await runCli(args, { env: { RAGBENCH_DATASETS: home, RAGBENCH_DATASETS_MIRROR: datasetsDir } });
    expect(online.code, online.stderr).toBe(0);
    expect((await runCli(['datasets', 'verify', 'cisi'], { env: { RAGBENCH_DATASETS: home } })).stdout).toBe('cisi: ok\n');
  });
});
