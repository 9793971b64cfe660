import type { Command } from 'commander';

/** `ragbench datasets`: its flags and help; the work is loaded only when the command runs (actions/datasets.ts). */
export function registerDatasetsCommand(program: Command): void {
  const datasets = program.command('datasets').description('evaluation datasets by name: list, pull (download, verify, convert), path, verify');
  datasets
    .command('list')
    .description('every dataset ragbench can pull: kind, size, licence, whether it is present locally')
    .option('--json', 'machine-readable, with sources, checksums, licence and citation', false)
    .action(async (options: { json: boolean }) => {
      const { datasetsListCommand } = await import('../actions/datasets.js');
      await datasetsListCommand(options);
    });
  datasets
    .command('pull')
    .description('download (or copy from a mirror), checksum and convert datasets into RAGBENCH_DATASETS')
    .argument('<name...>', 'dataset names, e.g. cranfield beir/scifact')
    .option('--mirror <dir|url>', 'read upstream files from <mirror>/<name>/raw/<file> instead of the internet (default: RAGBENCH_DATASETS_MIRROR)')
    .option('--force', 'pull again even when present', false)
    .action(async (names: string[], options: { mirror?: string; force: boolean }) => {
      const { datasetsPullCommand } = await import('../actions/datasets.js');
      await datasetsPullCommand(names, options);
    });
  datasets
    .command('path')
    .description("print a pulled dataset's folder")
    .argument('<name>', 'dataset name')
    .action(async (name: string) => {
      const { datasetsPathCommand } = await import('../actions/datasets.js');
      await datasetsPathCommand(name);
    });
  datasets
    .command('verify')
    .description('re-check the checksums of pulled datasets (upstream and converted files); exit 2 on a mismatch')
    .argument('[name]', 'one dataset (default: every pulled one)')
    .action(async (name: string | undefined) => {
      const { datasetsVerifyCommand } = await import('../actions/datasets.js');
      await datasetsVerifyCommand(name);
    });
}
