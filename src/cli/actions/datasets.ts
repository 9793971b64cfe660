import { textTable } from '../../report/text-table.js';
import { catalog } from '../../datasets/catalog.js';
import { datasetDir, datasetsHome } from '../../datasets/location.js';
import { pullDataset, readManifest, requireEntry, verifyDataset } from '../../datasets/store.js';
import { DataError } from '../../shared/errors.js';
import { abortOnInterrupt } from '../interrupt.js';
import { createTerminalProgress } from '../progress.js';

/** `ragbench datasets list [--json]`: every dataset by name, whether it is pulled, and (JSON) licence and citation. */
export async function datasetsListCommand(options: { json: boolean }): Promise<void> {
  const rows = await Promise.all(
    catalog.map(async (entry) => {
      const manifest = await readManifest(entry.name);
      return { entry, present: manifest !== undefined, path: datasetDir(entry.name) };
    }),
  );
  if (options.json) {
    const listing = rows.map(({ entry, present, path }) => ({ ...entry, present, path }));
    process.stdout.write(`${JSON.stringify({ home: datasetsHome(), datasets: listing }, null, 2)}\n`);
    return;
  }
  const header = ['name', 'kind', 'size', 'licence', 'present', 'description'];
  const cells = rows.map(({ entry, present }) => [entry.name, entry.kind, entry.size, shortLicence(entry.licence), present ? 'yes' : 'no', entry.description]);
  const out = [...textTable(header, cells, () => true), '', `datasets folder: ${datasetsHome()} (RAGBENCH_DATASETS)`];
  process.stdout.write(`${out.join('\n')}\n`);
}

const shortLicence = (licence: string) => licence.replace(/ \(.*\)$/, '');

/** `ragbench datasets pull <name>... [--mirror DIR|URL] [--force]`. */
export async function datasetsPullCommand(names: readonly string[], options: { mirror?: string; force: boolean }): Promise<void> {
  for (const name of names) requireEntry(name);
  const interrupt = abortOnInterrupt();
  const progress = createTerminalProgress();
  try {
    for (const name of names) {
      const result = await pullDataset(name, {
        force: options.force,
        progress,
        signal: interrupt.signal,
        ...(options.mirror !== undefined ? { mirror: options.mirror } : {}),
      });
      if (result.status === 'present') {
        process.stdout.write(`${name}: already present in ${result.path} (--force pulls again)\n`);
        continue;
      }
      const counts = Object.entries(result.manifest.summary).map(([what, n]) => `${n} ${what}`).join(', ');
      process.stdout.write(`${name}: pulled and converted${counts ? ` (${counts})` : ''} → ${result.path}\n`);
      for (const file of result.unpinned) {
        const sha = result.manifest.upstream.find((u) => u.name === file)?.sha256;
        process.stderr.write(`ragbench: warning: ${name}/${file} has no pinned checksum in the catalog; recorded sha256 ${sha} (datasets verify checks it from now on)\n`);
      }
    }
  } finally {
    interrupt.dispose();
  }
}

/** `ragbench datasets path <name>`: the converted folder (for scripts and other tools). */
export async function datasetsPathCommand(name: string): Promise<void> {
  requireEntry(name);
  const path = datasetDir(name);
  if (!(await readManifest(name))) {
    throw new DataError(`dataset ${name} is not pulled (it would live in ${path})`, { fix: `run \`ragbench datasets pull ${name}\`` });
  }
  process.stdout.write(`${path}\n`);
}

/** `ragbench datasets verify [name]`: re-checks upstream and converted files of every (or one) pulled dataset. */
export async function datasetsVerifyCommand(name: string | undefined): Promise<void> {
  const names = name ? [requireEntry(name).name] : (await Promise.all(catalog.map(async (e) => ((await readManifest(e.name)) ? e.name : undefined)))).filter((n): n is string => n !== undefined);
  if (names.length === 0) {
    process.stdout.write(`no datasets pulled in ${datasetsHome()}\n`);
    return;
  }
  let failed = 0;
  for (const dataset of names) {
    const problems = await verifyDataset(dataset);
    if (problems.length === 0) process.stdout.write(`${dataset}: ok\n`);
    for (const problem of problems) process.stdout.write(`${dataset}: ${problem.file}: ${problem.problem}\n`);
    if (problems.length > 0) failed++;
  }
  if (failed > 0) {
    throw new DataError(`${failed} dataset(s) failed verification`, { fix: 'pull them again with `ragbench datasets pull <name> --force`' });
  }
}
