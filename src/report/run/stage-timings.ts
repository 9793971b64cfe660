import { textTable } from '../text-table.js';
import type { Comparison } from '../comparison/summary.js';
import { stageNames, type StageSeconds } from './summary.js';

/** Stage × arm seconds, for `run --verbose`: where an arm's time went (read, chunk, embed, write, index build, …). */
export function renderStages(arms: readonly { readonly arm: string; readonly stages?: StageSeconds | undefined }[]): string {
  const timed = arms.filter((arm) => arm.stages);
  if (timed.length === 0) return 'stage timings: not recorded';
  const stages = stageNames.filter((stage) => stage !== 'rerank' || timed.some((arm) => arm.stages!.rerank !== undefined));
  const rows = stages.map((stage) => [stage, ...timed.map((arm) => { const seconds = arm.stages![stage]; return seconds === undefined ? '–' : formatSeconds(seconds); })]);
  return ['stage seconds:', grid(['stage', ...timed.map((arm) => arm.arm)], rows)].join('\n');
}

/** `compare`: each shared arm's stages, baseline beside candidate. */
export function renderStageComparison(comparison: Comparison): string {
  const parts: string[] = [];
  for (const { arm, baseline, candidate } of comparison.stages ?? []) {
    const rows = stageNames.map((stage) => {
      const [before, after] = [baseline?.[stage], candidate?.[stage]];
      const ratio = before !== undefined && after !== undefined && before > 0.05 ? `${(after / before).toFixed(2)}×` : '';
      return [stage, before === undefined ? '–' : formatSeconds(before), after === undefined ? '–' : formatSeconds(after), ratio];
    });
    parts.push(`stage seconds, ${arm}:`, grid(['stage', 'baseline', 'candidate', 'ratio'], rows));
  }
  return parts.join('\n');
}

function formatSeconds(seconds: number): string {
  return seconds >= 10 ? seconds.toFixed(0) : seconds.toFixed(2);
}

function grid(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return textTable(header, rows, (column) => column === 0).join('\n');
}
