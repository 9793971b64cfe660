import { isAbsolute, join, relative } from 'node:path';
import { loadEval } from '../../config/load-eval.js';
import { compareRuns } from '../../pipeline/compare/compare.js';
import { resolveRunDir } from '../../pipeline/run/folder.js';
import { runEval } from '../../pipeline/run/run-eval.js';
import { renderComparisonTable } from '../../report/comparison/terminal.js';
import { annRecallWarnings } from '../../report/run/format.js';
import { renderStages } from '../../report/run/stage-timings.js';
import { renderTable } from '../../report/run/terminal.js';
import { createEnv } from '../../shared/env.js';
import { GateError, UsageError } from '../../shared/errors.js';
import { checkWorkDir } from '../../shared/files/work-dir.js';
import type { GlobalOptions } from '../global-options.js';
import { abortOnInterrupt } from '../interrupt.js';
import { createTerminalProgress, printNotice, printWarning } from '../progress.js';
import { reportComparison } from './compare.js';

export interface RunCommandOptions {
  readonly out?: string;
  readonly json: boolean;
  /** Compare the finished run with this run (folder, run id or `latest`) under the eval's gate. */
  readonly baseline?: string;
  /** With --baseline: JUnit XML and Markdown summary files, as `ragbench compare` writes them. */
  readonly junit?: string;
  readonly markdown?: string;
  readonly allowDifferentCorpus?: boolean;
  readonly allowDifferentQueries?: boolean;
  /** Print seconds per stage and arm after the table. */
  readonly verbose?: boolean;
  /** With --baseline: where to write the comparison's HTML report (default under <work-dir>/comparisons/). */
  readonly html?: string;
}

export async function runCommand(evalFile: string, options: RunCommandOptions, globals: GlobalOptions): Promise<void> {
  if ((options.junit || options.markdown || options.html) && !options.baseline) {
    throw new UsageError('--junit, --markdown and --html report a comparison and need --baseline', 'add --baseline <run-id|path|latest>');
  }
  const plan = await loadEval(evalFile);
  const workDir = await checkWorkDir(globals.workDir);
  // Resolved before the run: a mistyped baseline fails in a second, not after the whole eval, and `latest` means
  // the newest run before this one.
  const baselineDir = options.baseline ? await resolveRunDir(options.baseline, workDir) : undefined;
  const interrupt = abortOnInterrupt();
  try {
    const outcome = await runEval(plan, {
      workDir,
      env: createEnv(),
      progress: createTerminalProgress(),
      warn: printWarning,
      notice: printNotice,
      signal: interrupt.signal,
      ...(options.out ? { outDir: options.out } : {}),
    });
    const comparison = baselineDir ? await compareRuns(baselineDir, outcome.dir, {
          gate: plan.gate ?? {},
          allowDifferentCorpus: options.allowDifferentCorpus ?? false,
          allowDifferentQueries: options.allowDifferentQueries ?? false,
        }) : undefined;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...outcome.summary, dir: outcome.dir, ...(comparison ? { comparison } : {}) }, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderTable(outcome.summary)}\n\nrun written to ${displayPath(outcome.dir)}\nreport: ${displayPath(join(outcome.dir, 'report.html'))}\n`);
      if (options.verbose) process.stdout.write(`\n${renderStages(outcome.summary.arms)}\n`);
      if (comparison) process.stdout.write(`\n${renderComparisonTable(comparison)}\n`);
    }
    // --json keeps stdout machine-readable, so the ANN warnings (in summary.json too) also go to stderr there.
    if (options.json) for (const warning of annRecallWarnings(outcome.summary)) process.stderr.write(`ragbench: warning: ${warning}\n`);
    if (comparison) await reportComparison(comparison, { ...options, workDir, printed: true });
    if (plan.annRecall.gate) {
      const low = outcome.summary.arms.filter((arm) => arm.annRecall && !(arm.annRecall.recall !== null && arm.annRecall.recall >= arm.annRecall.minRecall));
      if (low.length > 0) {
        throw new GateError(
          `ANN recall gate failed (${low.length}): ${low.map((arm) => `${arm.arm} ${arm.annRecall!.recall?.toFixed(3) ?? 'not measured'} < ${arm.annRecall!.minRecall}`).join(' | ')}`,
        );
      }
    }
  } finally {
    interrupt.dispose();
  }
}

/** A path under the working directory is shown relative to it (what the user would type); others in full. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
