import { resolve } from 'node:path';
import { loadEval } from '../../config/load-eval.js';
import { runParity, type ParityReport } from '../../pipeline/parity/parity.js';
import { createEnv } from '../../shared/env.js';
import { GateError } from '../../shared/errors.js';
import { writeJsonAtomic } from '../../shared/files/write-atomic.js';
import { parseNumberFlag } from '../flags.js';
import type { GlobalOptions } from '../global-options.js';
import { textTable } from '../../report/text-table.js';
import { abortOnInterrupt } from '../interrupt.js';
import { createTerminalProgress } from '../progress.js';
import { checkWorkDir } from '../../shared/files/work-dir.js';

export interface ParityCliOptions {
  readonly k: string;
  readonly threshold: string;
  readonly rboP: string;
  readonly minJaccard?: string;
  readonly out?: string;
  readonly json: boolean;
}

/** Queries listed per store pair in the terminal (all of them go to --out / --json). */
const listedPerPair = 10;

export async function parityCommand(evalFile: string, options: ParityCliOptions, globals: GlobalOptions): Promise<void> {
  const k = parseNumber('--k', options.k, (v) => Number.isInteger(v) && v >= 1);
  const threshold = parseNumber('--threshold', options.threshold, (v) => v >= 0 && v <= 1);
  const rboP = parseNumber('--rbo-p', options.rboP, (v) => v > 0 && v < 1);
  const minJaccard = options.minJaccard === undefined ? undefined : parseNumber('--min-jaccard', options.minJaccard, (v) => v >= 0 && v <= 1);
  const plan = await loadEval(evalFile);
  const interrupt = abortOnInterrupt();
  try {
    const report = await runParity(plan, {
      workDir: await checkWorkDir(globals.workDir),
      env: createEnv(),
      k,
      threshold,
      rboP,
      progress: createTerminalProgress(),
      signal: interrupt.signal,
    });
    if (options.out) await writeJsonAtomic(resolve(options.out), report);
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderParity(report)}\n`);
    const worst = report.chunkers.flatMap((c) => c.pairs).find((pair) => minJaccard !== undefined && pair.jaccard < minJaccard);
    if (worst) throw new GateError(`stores ${worst.a} and ${worst.b} agree on Jaccard@${k} ${worst.jaccard.toFixed(3)} < --min-jaccard ${minJaccard}`);
  } finally {
    interrupt.dispose();
  }
}


/** Per chunker: a table of stores (ingest throughput, ANN recall, metrics), a table of pairs, then differing queries. */
export function renderParity(report: ParityReport): string {
  const { k } = report;
  const lines = [
    `parity ${report.evalName} on ${report.corpus.name}: ${report.corpus.documents} documents, ${report.queries} queries, ` +
      `top-${k} chunks, RBO p=${report.rboP}; recall = share of the exact (in-process brute-force) top-${k} found`,
  ];
  for (const chunker of report.chunkers) {
    lines.push('', `chunker ${chunker.chunker}`);
    lines.push(
      ...textTable(
        ['store', 'kind', 'chunks', 'ingest', 'chunks/s', `ann-recall@${k}`, ...report.metrics],
        chunker.stores.map((s) => [
          s.retriever,
          s.store,
          String(s.chunks),
          `${s.ingestSeconds.toFixed(1)} s${s.ingestMode === 'built' ? '' : ` (${s.ingestMode})`}`,
          s.chunksPerSecond === null ? 'n/a' : s.chunksPerSecond.toFixed(0),
          s.annRecall.toFixed(3),
          ...report.metrics.map((m) => (s.metrics[m] ?? Number.NaN).toFixed(4)),
        ]),
      ),
    );
    lines.push('');
    lines.push(
      ...textTable(
        ['a', 'b', `Jaccard@${k}`, `min`, 'RBO', 'differing', ...report.metrics.map((m) => `Δ${m}`)],
        chunker.pairs.map((p) => [
          p.a,
          p.b,
          p.jaccard.toFixed(3),
          p.minJaccard.toFixed(3),
          p.rbo.toFixed(3),
          String(p.differing.length),
          ...report.metrics.map((m) => signed(p.metricDeltas[m] ?? Number.NaN)),
        ]),
      ),
    );
    for (const pair of chunker.pairs.filter((p) => p.differing.length > 0)) {
      lines.push('', `${pair.a} vs ${pair.b}: ${pair.differing.length} queries with 1 − Jaccard@${k} > ${report.threshold} (worst first)`);
      for (const q of pair.differing.slice(0, listedPerPair)) {
        const deltas = report.metrics.map((m) => `Δ${m} ${signed(q.deltas[m] ?? Number.NaN)}`).join(', ');
        lines.push(`  query ${q.queryId}: Jaccard ${q.jaccard.toFixed(2)}, RBO ${q.rbo.toFixed(2)}, ${deltas}; only ${pair.a}: ${q.onlyA.slice(0, 3).join(' ')}${q.onlyA.length > 3 ? ' …' : ''}; only ${pair.b}: ${q.onlyB.slice(0, 3).join(' ')}${q.onlyB.length > 3 ? ' …' : ''}`);
      }
      if (pair.differing.length > listedPerPair) lines.push(`  … ${pair.differing.length - listedPerPair} more (use --out or --json for all)`);
    }
  }
  return lines.join('\n');
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
}


const parseNumber = (flag: string, text: string, valid: (value: number) => boolean) =>
  parseNumberFlag(flag, text, valid, 'see ragbench parity --help');
