import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readQrels } from '../../src/corpus/qrels.js';
import type { Judgments } from '../../src/corpus/types.js';
import { scoreRun, type RunScores } from '../../src/metrics/evaluate-run.js';
import { readRun, runRankings } from '../../src/metrics/run-file.js';
import { datasetPath, irDatasets, lacks } from '../helpers/datasets.js';

// trec_eval prints `%.4f`, so a correct value differs from the printed one by at most 5e-5.
const tolerance = 1e-4;

/** trec_eval measure name → ragbench metric label (undefined: a count checked separately, or not implemented). */
function toMetric(measure: string): string | undefined {
  const cut = /^(P|recall|success|ndcg_cut|map_cut)_(\d+)$/.exec(measure);
  if (cut) {
    const name = { P: 'precision', recall: 'recall', success: 'hit', ndcg_cut: 'ndcg', map_cut: 'map' }[cut[1]!];
    return `${name}@${cut[2]}`;
  }
  return ({ map: 'map', recip_rank: 'mrr', Rprec: 'rprec', ndcg: 'ndcg' } as Record<string, string>)[measure];
}

interface Row {
  readonly measure: string;
  readonly queryId: string;
  readonly value: number;
}

/** `measure<pad>\tqid\tvalue` lines, as trec_eval prints them. */
function readTrecEvalOutput(path: string): Row[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [measure, queryId, value] = line.split('\t').map((field) => field.trim());
      return { measure: measure!, queryId: queryId!, value: Number(value) };
    });
}

describe.skipIf(lacks(...irDatasets)).each(irDatasets)('%s: ragbench metrics equal trec_eval', (dataset) => {
  let judgments: Judgments;
  let run: Map<string, string[]>;
  let perQueryRows: Row[];
  let allTrecRows: Row[];

  beforeAll(async () => {
    judgments = await readQrels(datasetPath(dataset, 'qrels', 'test.trec'));
    run = runRankings(await readRun(datasetPath(dataset, 'reference', 'bm25.run')));
    perQueryRows = readTrecEvalOutput(datasetPath(dataset, 'reference', 'trec_eval.per_query.txt'));
    allTrecRows = readTrecEvalOutput(datasetPath(dataset, 'reference', 'trec_eval.all_trec.txt'));
  });

  function score(rows: readonly Row[]): RunScores {
    const metrics = [...new Set(rows.map((row) => toMetric(row.measure)).filter((m) => m !== undefined))];
    return scoreRun({ run, judgments, metrics });
  }

  function mismatches(rows: readonly Row[], scores: RunScores): string[] {
    const out: string[] = [];
    for (const row of rows) {
      const metric = toMetric(row.measure);
      if (!metric) continue;
      const actual = row.queryId === 'all' ? scores.mean[metric] : scores.perQuery.get(row.queryId)?.[metric];
      if (actual === undefined || !(Math.abs(actual - row.value) <= tolerance)) {
        out.push(`${row.measure} ${row.queryId}: trec_eval ${row.value}, ragbench ${actual}`);
      }
    }
    return out;
  }

  it('reads the TREC and BEIR qrels to the same judgments', async () => {
    const beir = await readQrels(datasetPath(dataset, 'qrels', 'test.tsv'));
    expect([...beir].map(([q, docs]) => [q, [...docs]])).toEqual([...judgments].map(([q, docs]) => [q, [...docs]]));
  });

  it('matches every per-query and mean value of trec_eval -q', () => {
    const scores = score(perQueryRows);
    const checked = perQueryRows.filter((row) => toMetric(row.measure) !== undefined);
    expect(checked.length).toBeGreaterThan(scores.queries * 25);
    expect(mismatches(perQueryRows, scores)).toEqual([]);
  });

  it('scores the same queries as trec_eval (num_q)', () => {
    const scores = score(perQueryRows);
    const numQ = perQueryRows.find((row) => row.measure === 'num_q' && row.queryId === 'all')!.value;
    const trecQueries = new Set(perQueryRows.filter((row) => row.queryId !== 'all').map((row) => row.queryId));
    expect(scores.queries).toBe(numQ);
    expect(new Set(scores.perQuery.keys())).toEqual(trecQueries);
    expect(scores.missingFromRun).toEqual([]);
    expect(scores.unjudgedInRun).toEqual([]);
  });

  it('matches num_ret, num_rel and num_rel_ret per query and in total', () => {
    const counts = new Map<string, Record<string, number>>();
    for (const [queryId, relevant] of judgments) {
      const ranked = run.get(queryId) ?? [];
      const relevantIds = [...relevant].filter(([, grade]) => grade > 0).map(([docId]) => docId);
      counts.set(queryId, {
        num_ret: ranked.length,
        num_rel: relevantIds.length,
        num_rel_ret: ranked.filter((docId) => relevant.has(docId)).length,
      });
    }
    const wrong: string[] = [];
    for (const row of perQueryRows.filter((r) => ['num_ret', 'num_rel', 'num_rel_ret'].includes(r.measure))) {
      const actual =
        row.queryId === 'all'
          ? [...counts.values()].reduce((sum, c) => sum + c[row.measure]!, 0)
          : counts.get(row.queryId)?.[row.measure];
      if (actual !== row.value) wrong.push(`${row.measure} ${row.queryId}: trec_eval ${row.value}, ragbench ${actual}`);
    }
    expect(wrong).toEqual([]);
  });

  it('matches the means of trec_eval -m all_trec for every measure ragbench implements', () => {
    const scores = score(allTrecRows);
    const checked = allTrecRows.filter((row) => toMetric(row.measure) !== undefined).map((row) => row.measure);
    // map, Rprec, recip_rank, ndcg and the P/recall/success/ndcg_cut/map_cut families at trec_eval's default cuts.
    expect(checked).toEqual(expect.arrayContaining(['map', 'Rprec', 'recip_rank', 'ndcg', 'P_1000', 'map_cut_5', 'success_1']));
    expect(checked.length).toBe(4 + 9 * 4 + 3);
    expect(mismatches(allTrecRows, scores)).toEqual([]);
  });
});
