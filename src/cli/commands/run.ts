import { resolve } from 'node:path';
import { loadEval } from '../../config/load-eval.js';
import { runEval } from '../../pipeline/run-eval.js';
import { renderTable } from '../../report/terminal.js';
import { createEnv } from '../../shared/env.js';
import type { GlobalOptions } from '../main.js';
import { abortOnInterrupt } from '../interrupt.js';
import { createTerminalProgress } from '../progress.js';

export async function runCommand(evalFile: string, options: { out?: string; json: boolean }, globals: GlobalOptions): Promise<void> {
  const plan = await loadEval(evalFile);
  const interrupt = abortOnInterrupt();
  try {
    const outcome = await runEval(plan, {
      workDir: resolve(globals.workDir),
      env: createEnv(),
      progress: createTerminalProgress(),
      signal: interrupt.signal,
      ...(options.out ? { outDir: options.out } : {}),
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...outcome.summary, dir: outcome.dir }, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderTable(outcome.summary)}\n\nrun written to ${outcome.dir}\n`);
    }
  } finally {
    interrupt.dispose();
  }
}
