import type { Command } from 'commander';
import type { RunCommandOptions } from '../actions/run.js';
import { globalOptions } from '../global-options.js';

/** `ragbench run`: its flags and help; the work is loaded only when the command runs (actions/run.ts). */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run an experiment: corpus × chunkers × retrievers × metrics, with bootstrap confidence intervals')
    .argument('<eval.yaml>', 'experiment file, e.g. evals/chunking-shootout.yaml')
    .option('--out <dir>', 'write the run here instead of <work-dir>/runs/<id>')
    .option('--json', 'print the summary as JSON instead of a table', false)
    .option('--baseline <run>', "compare with this run (folder, run id or latest) under the eval's gate; exit 1 when it fails")
    .option('--junit <file>', 'with --baseline: write JUnit XML')
    .option('--markdown <file>', 'with --baseline: write a Markdown summary, e.g. "$GITHUB_STEP_SUMMARY"')
    .option('--allow-different-corpus', 'with --baseline: compare even when the corpus fingerprints differ', false)
    .option('--allow-different-queries', 'with --baseline: compare even when the runs scored different query sets', false)
    .option('--verbose', 'also print seconds per stage and arm (read, chunk, embed, write, index build, query, score, answer)', false)
    .option('--html <file>', 'with --baseline: write the comparison HTML report here (default under <work-dir>/comparisons/)')
    .action(async (evalFile: string, options: RunCommandOptions, command: Command) => {
      const { runCommand } = await import('../actions/run.js');
      await runCommand(evalFile, options, globalOptions(command));
    });
}
