import type { Command } from 'commander';

/** `ragbench list`: its flags and help; the work is loaded only when the command runs (actions/list.ts). */
export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('list the available chunker, embedder, store and retriever kinds with their options')
    .option('--json', 'machine-readable', false)
    .action(async (options: { json: boolean }) => {
      const { listCommand } = await import('../actions/list.js');
      listCommand(options);
    });
}
