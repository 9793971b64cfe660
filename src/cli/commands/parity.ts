import type { Command } from 'commander';
import { globalOptions } from '../global-options.js';
import type { ParityCliOptions } from '../actions/parity.js';

/** `ragbench parity`: its flags and help; the work is loaded only when the command runs (actions/parity.ts). */
export function registerParityCommand(program: Command): void {
  program
    .command('parity')
    .description('ingest the same chunks into two or more stores and compare rankings: Jaccard@k, RBO, ANN recall vs exact, metric deltas')
    .argument('<eval.yaml>', 'an eval whose retrievers are dense retrievers differing only by store, e.g. evals/parity.yaml')
    .option('--k <n>', 'top-k chunks compared per query', '10')
    .option('--threshold <x>', 'list queries whose 1 − Jaccard@k exceeds this', '0')
    .option('--rbo-p <p>', 'rank-biased overlap persistence', '0.9')
    .option('--min-jaccard <x>', "exit 1 when a store pair's mean Jaccard@k is below this")
    .option('--out <file>', 'also write the full report as JSON')
    .option('--json', 'print the report as JSON', false)
    .action(async (evalFile: string, options: ParityCliOptions, command: Command) => {
      const { parityCommand } = await import('../actions/parity.js');
      await parityCommand(evalFile, options, globalOptions(command));
    });
}
