import type { Command } from 'commander';

/** `ragbench faithfulness`: its flags and help; the work is loaded only when the command runs (actions/faithfulness.ts). */
export function registerFaithfulnessCommand(program: Command): void {
  program
    .command('faithfulness')
    .description('validate an offline faithfulness metric on labelled answers: ROC AUC, balanced accuracy, calibration')
    .requiredOption('--labels <labels.jsonl>', 'rows {"id","question","context","answer","label":"faithful|unfaithful"}')
    .option('--metric <name>', 'lexical-alignment or k-precision', 'lexical-alignment')
    .option('--group-by <field>', 'also report AUC per value of this row field, e.g. system')
    .option('--folds <n>', 'cross-validation folds for the threshold (grouped by question)', '5')
    .option('--seed <n>', 'seed of the fold assignment', '42')
    .option('--json', 'machine-readable', false)
    .action(async (options: { labels: string; metric: string; groupBy?: string; folds: string; seed: string; json: boolean }) => {
      const { faithfulnessCommand } = await import('../actions/faithfulness.js');
      await faithfulnessCommand(options);
    });
}
