import type { Command } from 'commander';
import { globalOptions } from '../global-options.js';
import type { CompareFlags } from '../actions/compare.js';

/** `ragbench compare`: its flags and help; the work is loaded only when the command runs (actions/compare.ts). */
export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('compare two runs: per-metric deltas, paired tests, per-query diff; exit 1 when a gate fails')
    .argument('<baseline>', 'run folder, run id under <work-dir>/runs, or latest')
    .argument('<candidate>', 'run folder, run id under <work-dir>/runs, or latest')
    .option('--gate-file <file>', "YAML with a gate: section (an eval file works); default: the candidate eval's gate")
    .option('--junit <file>', 'write JUnit XML (one testsuite per arm, one testcase per gated metric)')
    .option('--markdown <file>', 'write a Markdown summary, e.g. "$GITHUB_STEP_SUMMARY"')
    .option('--html <file>', 'write the HTML report here (default <work-dir>/comparisons/<baseline>__vs__<candidate>.html)')
    .option('--alpha <p>', 'significance level for ungated metrics', '0.05')
    .option('--seed <n>', 'seed of the randomization test and bootstrap', '42')
    .option('--permutations <n>', 'most Monte Carlo sign flips per test when not exact; auto: 20× finer than α over the family', 'auto')
    .option('--json', 'print the comparison as JSON', false)
    .option('--allow-different-corpus', 'compare even when the corpus fingerprints differ (otherwise exit 2)', false)
    .option('--allow-different-queries', 'compare even when the runs scored different query sets (otherwise exit 2)', false)
    .action(async (baseline: string, candidate: string, options: CompareFlags, command: Command) => {
      const { compareCommand } = await import('../actions/compare.js');
      await compareCommand(baseline, candidate, options, globalOptions(command));
    });
}
