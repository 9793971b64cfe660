import { isAbsolute, join, relative, resolve } from 'node:path';
import { loadEval } from '../../config/load-eval.js';
import { compareRuns } from '../../pipeline/compare.js';
import { resolveRunDir } from '../../pipeline/run-folder.js';
import { runEval } from '../../pipeline/run-eval.js';
import { renderComparisonTable } from '../../report/comparison-terminal.js';
import { renderTable } from '../../report/terminal.js';
import { createEnv } from '../../shared/env.js';
import { UsageError } from '../../shared/errors.js';
import type { GlobalOptions } from '../global-options.js';
import { abortOnInterrupt } from '../interrupt.js';
import { createTerminalProgress } from '../progress.js';
import { reportComparison } from './compare.js';

export interface RunCommandOptions {
  readonly out?: string;
  readonly json: boolean;
  /** Compare the finished run with this run (folder, run id or `latest`) under the eval's gate. */
  readonly baseline?: string;
  /** With --baseline: JUnit XML and Markdown summary files, as `ragbench compare` writes them. */
  readonly junit?: string;
  readonly markdown?: string;
  /** With --baseline: where to write the comparison's HTML report (default under <work-dir>/comparisons/). */
  readonly html?: string;
}

export async function runCommand(evalFile: string, options: RunCommandOptions, globals: GlobalOptions): Promise<void> {
  if ((options.junit || options.markdown || options.html) && !options.baseline) {
    throw new UsageError('--junit, --markdown and --html report a comparison and need --baseline', 'add --baseline <run-id|path|latest>');
  }
  const plan = await loadEval(evalFile);
  const workDir = resolve(globals.workDir);
  // Resolved before the run: a mistyped baseline fails in a second, not after the whole eval, and `latest` means
  // the newest run before this one.
  const baselineDir = options.baseline ? await resolveRunDir(options.baseline, workDir) : undefined;
  const interrupt = abortOnInterrupt();
  try {
    const outcome = await runEval(plan, {
      workDir,
      env: createEnv(),
      progress: createTerminalProgress(),
      signal: interrupt.signal,
      ...(options.out ? { outDir: options.out } : {}),
    });
    const comparison = baselineDir ? await compareRuns(baselineDir, outcome.dir, { gate: plan.gate ?? {} }) : undefined;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...outcome.summary, dir: outcome.dir, ...(comparison ? { comparison } : {}) }, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderTable(outcome.summary)}\n\nrun written to ${displayPath(outcome.dir)}\nreport: ${displayPath(join(outcome.dir, 'report.html'))}\n`);
      if (comparison) process.stdout.write(`\n${renderComparisonTable(comparison)}\n`);
    }
    if (comparison) await reportComparison(comparison, { ...options, workDir, printed: true });
  } finally {
    interrupt.dispose();
  }
}

/** A path under the working directory is shown relative to it (what the user would type); others in full. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
