import { resolve } from 'node:path';
import { loadEval } from '../../config/load-eval.js';
import { runDecide } from '../../pipeline/decide/decide.js';
import { verdictNames } from '../../report/decision/rules.js';
import { createEnv } from '../../shared/env.js';
import type { GlobalOptions } from '../global-options.js';
import { abortOnInterrupt } from '../interrupt.js';
import { createTerminalProgress } from '../progress.js';
import { checkWorkDir } from '../../shared/files/work-dir.js';

interface DecideCommandOptions {
  readonly out?: string;
  readonly json: boolean;
}

/** `ragbench decide <eval.yaml>`: answers the questions in every arm, prints the recommendation, writes the report. */
export async function decideCommand(evalFile: string, options: DecideCommandOptions, globals: GlobalOptions): Promise<void> {
  const plan = await loadEval(evalFile);
  const interrupt = abortOnInterrupt();
  try {
    const { report, dir } = await runDecide(plan, {
      workDir: await checkWorkDir(globals.workDir),
      env: createEnv(),
      progress: createTerminalProgress(),
      signal: interrupt.signal,
      ...(options.out ? { outDir: resolve(options.out) } : {}),
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...report, dir }, null, 2)}\n`);
      return;
    }
    const rec = report.recommendation;
    const primary = report.settings.primaryMetric;
    const rows = report.arms.map((arm) => {
      const e = arm.metrics[primary];
      const score = e && e.mean !== null ? `${e.mean.toFixed(3)} [${e.lower.toFixed(3)}, ${e.upper.toFixed(3)}]` : 'n/a';
      return `  ${arm.name.padEnd(40)} ${score}`;
    });
    const lines = [
      `decide ${report.evalName}: ${report.questions} questions, ${primary} per arm (95% CI)`,
      ...rows,
      ...report.skipped.map((s) => `  ${s.name.padEnd(40)} skipped: ${s.reason}`),
      '',
      `recommendation: ${verdictNames[rec.verdict]}${rec.smallSample ? ' (small sample: see the report)' : ''}`,
      `  ${rec.headline}`,
      ...rec.evidence.map((e) => `  - ${e}`),
      '',
      `report written to ${dir}/decision.html (and decision.md, decision.json)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    interrupt.dispose();
  }
}
