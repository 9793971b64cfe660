import { join, resolve } from 'node:path';
import { z } from 'zod';
import { gateSchema, type Gate } from '../../config/eval-config.js';
import { loadYamlFile } from '../../shared/files/yaml-file.js';
import { compareRuns } from '../../pipeline/compare/compare.js';
import { resolveRunDir } from '../../pipeline/run/folder.js';
import { buildComparisonReportModel } from '../../pipeline/run/report.js';
import { renderComparisonHtml } from '../../report/comparison/html.js';
import type { Comparison } from '../../report/comparison/summary.js';
import { renderComparisonMarkdown } from '../../report/comparison/markdown.js';
import { renderComparisonTable } from '../../report/comparison/terminal.js';
import { renderJUnit } from '../../report/comparison/junit.js';
import { ConfigError, GateError } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/files/write-atomic.js';
import { parseNumberFlag } from '../flags.js';
import type { GlobalOptions } from '../global-options.js';

/** The flags of `ragbench compare` as commander parses them (numbers still strings). */
export interface CompareFlags {
  gateFile?: string;
  junit?: string;
  markdown?: string;
  html?: string;
  alpha: string;
  seed: string;
  permutations: string;
  json: boolean;
  allowDifferentCorpus: boolean;
  allowDifferentQueries: boolean;
}

interface CompareCommandOptions {
  /** Write JUnit XML here (one testsuite per arm, one testcase per gated metric). */
  readonly junit?: string;
  /** Write the Markdown summary here (e.g. "$GITHUB_STEP_SUMMARY"). */
  readonly markdown?: string;
  /** Write the HTML report here; default `<work-dir>/comparisons/<baseline>__vs__<candidate>.html`. */
  readonly html?: string;
  /** Print the comparison as JSON instead of a table. */
  readonly json: boolean;
  /** A YAML file with a `gate:` section (an eval file works); default: the candidate eval's gate. */
  readonly gateFile?: string;
  readonly alpha?: string;
  readonly seed?: string;
  readonly permutations?: string;
  readonly allowDifferentCorpus?: boolean;
  readonly allowDifferentQueries?: boolean;
}

/**
 * `ragbench compare <baseline> <candidate>`: each a run folder, a run id under `<work-dir>/runs/`, or `latest`.
 * Prints the comparison, writes the requested reports, and throws GateError (exit code 1) when a gate fails.
 */
export async function compareCommand(
  baseline: string,
  candidate: string,
  options: CompareCommandOptions,
  globals: GlobalOptions,
): Promise<void> {
  const workDir = resolve(globals.workDir);
  const candidateDir = await resolveRunDir(candidate, workDir);
  const baselineDir = await resolveRunDir(baseline, workDir, { exclude: candidateDir });
  const gate = options.gateFile ? await loadGateFile(options.gateFile) : undefined;
  const comparison = await compareRuns(baselineDir, candidateDir, {
    ...(gate ? { gate } : {}),
    allowDifferentCorpus: options.allowDifferentCorpus ?? false,
    allowDifferentQueries: options.allowDifferentQueries ?? false,
    ...(options.alpha !== undefined ? { alpha: parseNumber('--alpha', options.alpha, (x) => x > 0 && x < 1) } : {}),
    ...(options.seed !== undefined ? { seed: parseNumber('--seed', options.seed, Number.isInteger) } : {}),
    ...(options.permutations !== undefined && options.permutations !== 'auto'
      ? { permutations: parseNumber('--permutations', options.permutations, (x) => Number.isInteger(x) && x >= 99) }
      : {}),
  });
  await reportComparison(comparison, { ...options, workDir });
}

/**
 * Prints a comparison (a table, or JSON with `json`; nothing when the caller `printed` it already), writes `--junit` / `--markdown` files, and
 * throws GateError when a gated metric failed. Shared by `compare` and `run --baseline`.
 */
export async function reportComparison(
  comparison: Comparison,
  options: { readonly junit?: string; readonly markdown?: string; readonly html?: string; readonly workDir: string; readonly json: boolean; readonly printed?: boolean },
): Promise<void> {
  // Loud on stderr too: a JSON consumer or a CI log reader must not miss that the verdict stands on less.
  for (const warning of comparison.warnings) process.stderr.write(`ragbench: warning: ${warning}\n`);
  if (!options.printed) {
    process.stdout.write(options.json ? `${JSON.stringify(comparison, null, 2)}\n` : `${renderComparisonTable(comparison)}\n`);
  }
  // Every comparison gets its page, so a regression can be looked at, not only read as a table.
  const html = options.html ? resolve(options.html) : join(options.workDir, 'comparisons', comparisonFileName(comparison));
  await writeFileAtomic(html, renderComparisonHtml(await buildComparisonReportModel(comparison)));
  if (!options.json) process.stdout.write(`\ncomparison report: ${html}\n`);
  if (options.junit) await writeFileAtomic(resolve(options.junit), renderJUnit(comparison));
  if (options.markdown) await writeFileAtomic(resolve(options.markdown), renderComparisonMarkdown(comparison));
  if (!comparison.passed) throw new GateError(gateFailureMessage(comparison));
}

function comparisonFileName(comparison: Comparison): string {
  return `${comparison.baseline.runId}__vs__${comparison.candidate.runId}.html`.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** One line for the error printer: which arm and metric failed or stayed inconclusive, with the numbers and the test. */
function gateFailureMessage(comparison: Comparison): string {
  const list = (verdict: 'fail' | 'inconclusive') =>
    comparison.arms.flatMap((arm) => arm.metrics.filter((m) => m.blocks && m.verdict === verdict).map((m) => `${arm.arm} ${m.metric} ${m.reasons.join('; ')}`));
  const failures = list('fail');
  const inconclusive = list('inconclusive');
  const parts = [
    ...(failures.length > 0 ? [`regression gate failed (${failures.length}): ${failures.join(' | ')}`] : []),
    ...(inconclusive.length > 0 ? [`gate inconclusive (${inconclusive.length}, onInconclusive: fail): ${inconclusive.join(' | ')}`] : []),
  ];
  return parts.join('; ');
}

async function loadGateFile(file: string): Promise<Gate> {
  const path = resolve(file);
  const loaded = await loadYamlFile(path, z.looseObject({ gate: gateSchema.optional() }));
  if (!loaded.gate) {
    throw new ConfigError('has no gate: section', { place: { file: path }, fix: 'add e.g. gate: { ndcg@10: { maxDrop: 0.01, alpha: 0.05 } }' });
  }
  return loaded.gate;
}


const parseNumber = (flag: string, text: string, valid: (value: number) => boolean) =>
  parseNumberFlag(flag, text, valid, 'e.g. --alpha 0.05, --seed 42, --permutations auto (or a count ≥ 99)');
