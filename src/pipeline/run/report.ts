import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { scoreRun } from '../../metrics/evaluate-run.js';
import type { Comparison } from '../../report/comparison/summary.js';
import type { ComparisonReportModel, CurveSeries, DocumentRecord, QueryRecord, RunReportModel } from '../../report/run/html-model.js';
import type { RunSummary } from '../../report/run/summary.js';
import { DataError } from '../../shared/errors.js';
import { drilldownData, parseChunkId } from './drilldown.js';
import { readRunFolder } from './folder.js';
import type { QueryResult } from './results.js';

/** Curves go to k = 30 at most: beyond it the lines are flat and the chart unreadable. */
const maxCurveK = 30;

/** Everything report.html shows, from a run's in-memory records (at the end of `run`) or its folder (`view`). */
export function buildRunReportModel(input: {
  readonly summary: RunSummary;
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly results: readonly QueryResult[];
  readonly queries?: readonly QueryRecord[] | undefined;
  readonly documents?: readonly DocumentRecord[] | undefined;
}): RunReportModel {
  const { summary, results, queries } = input;
  const byArm = summary.arms.map((arm) => ({ name: arm.arm, chunker: arm.chunker, results: results.filter((r) => r.arm === arm.arm) }));
  const curves = queries && queries.length > 0 ? curvesOf(byArm, queries, Math.min(summary.depth, maxCurveK)) : undefined;
  const metrics = [...summary.metrics, ...(summary.spanMetrics ?? []), ...(summary.answerMetrics ?? [])];
  return {
    summary,
    manifest: input.manifest,
    ...(curves ? { curves } : {}),
    chunkSizes: chunkSizesOf(byArm),
    ...(queries && input.documents
      ? { drilldown: drilldownData({ queries, documents: input.documents, arms: byArm, metrics: [...new Set(metrics)], k: Math.min(10, summary.depth) }) }
      : {}),
  };
}

/** Reads a finished run folder into the report model; the drill-down needs queries.jsonl and documents.jsonl. */
export async function readRunReport(dir: string): Promise<RunReportModel> {
  const folder = await readRunFolder(dir);
  const summary = JSON.parse(await readText(join(dir, 'summary.json'))) as RunSummary;
  const drill = await readDrilldownFiles(dir);
  return buildRunReportModel({ summary, manifest: folder.manifest, results: folder.results, ...drill });
}

/** The comparison page's model: the comparison plus a drill-down over both runs' arms (when both kept one). */
export async function buildComparisonReportModel(comparison: Comparison): Promise<ComparisonReportModel> {
  const [baseline, candidate] = await Promise.all([comparison.baseline.dir, comparison.candidate.dir].map(readRunFolder));
  const [baseDrill, candDrill] = await Promise.all([comparison.baseline.dir, comparison.candidate.dir].map(readDrilldownFiles));
  if (!baseDrill?.queries || !candDrill?.queries || !baseDrill.documents || !candDrill.documents) return { comparison };
  const shared = comparison.arms.map((a) => a.arm);
  const armsOf = (label: string, results: readonly QueryResult[]) =>
    shared.map((arm) => ({ name: `${label} · ${arm}`, results: results.filter((r) => r.arm === arm) }));
  const queryIds = new Set(candDrill.queries.map((q) => q.id));
  const documents = new Map<string, DocumentRecord>([...baseDrill.documents, ...candDrill.documents].map((d) => [d.id, d]));
  const metrics = [...new Set(comparison.arms.flatMap((a) => a.metrics.map((m) => m.metric)))];
  return {
    comparison,
    drilldown: drilldownData({
      queries: baseDrill.queries.filter((q) => queryIds.has(q.id)),
      documents: [...documents.values()],
      arms: [...armsOf('baseline', baseline!.results), ...armsOf('candidate', candidate!.results)],
      metrics,
      k: comparison.settings.diffK,
      baselineArm: 0,
    }),
  };
}

export interface RunListing {
  /** The folder name under `<workDir>/runs`: the only thing a URL may name. */
  readonly id: string;
  readonly dir: string;
  readonly summary: RunSummary;
}

/** Finished runs under `<workDir>/runs` (folders with summary.json and manifest.json), newest first. */
export async function listRuns(workDir: string): Promise<RunListing[]> {
  const runsDir = join(workDir, 'runs');
  if (!existsSync(runsDir)) return [];
  const runs: RunListing[] = [];
  for (const entry of await readdir(runsDir, { withFileTypes: true })) {
    const dir = join(runsDir, entry.name);
    if (!entry.isDirectory() || entry.name.endsWith('.partial') || !existsSync(join(dir, 'manifest.json')) || !existsSync(join(dir, 'summary.json'))) continue;
    try {
      runs.push({ id: entry.name, dir, summary: JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as RunSummary });
    } catch {
      // A damaged folder is left out of the list rather than taking the whole viewer down; opening it says why.
    }
  }
  return runs.sort((a, b) => b.summary.createdAt.localeCompare(a.summary.createdAt) || b.id.localeCompare(a.id));
}

async function readDrilldownFiles(dir: string): Promise<{ queries?: QueryRecord[]; documents?: DocumentRecord[] }> {
  const read = async <T>(name: string): Promise<T[] | undefined> => {
    const file = join(dir, name);
    if (!existsSync(file)) return undefined;
    return (await readText(file))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => {
        try {
          return JSON.parse(line) as T;
        } catch (error) {
          throw new DataError(`invalid JSON: ${(error as Error).message}`, { place: { file, line: i + 1 }, fix: 'the run folder is damaged; run the eval again' });
        }
      });
  };
  const [queries, documents] = await Promise.all([read<QueryRecord>('queries.jsonl'), read<DocumentRecord>('documents.jsonl')]);
  return { ...(queries ? { queries } : {}), ...(documents ? { documents } : {}) };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new DataError(`cannot read ${file}: ${(error as Error).message}`, { place: { file }, fix: 'pass a complete run folder written by `ragbench run`' });
  }
}

/**
 * recall@k and ndcg@k for k = 1..n per arm, scored by the metric code itself on rankings rebuilt from the stored
 * ranks of the relevant documents (the other positions only need to be some non-relevant id).
 */
function curvesOf(
  arms: readonly { readonly name: string; readonly results: readonly QueryResult[] }[],
  queries: readonly QueryRecord[],
  n: number,
): RunReportModel['curves'] {
  const judgments = new Map(queries.map((q) => [q.id, new Map(Object.entries(q.judged))]));
  const ks = Array.from({ length: n }, (_, i) => i + 1);
  const recall: CurveSeries[] = [];
  const ndcg: CurveSeries[] = [];
  for (const arm of arms) {
    const scored = arm.results.filter((r) => r.relevantRanks && judgments.has(r.queryId));
    if (scored.length === 0) continue;
    const run = new Map(
      scored.map((r) => {
        const ranking = Array.from({ length: n }, (_, i) => `\u0000not-relevant-${i}`);
        for (const [docId, rank] of Object.entries(r.relevantRanks!)) if (rank <= n) ranking[rank - 1] = docId;
        return [r.queryId, ranking];
      }),
    );
    const asked = new Map(scored.map((r) => [r.queryId, judgments.get(r.queryId)!]));
    const { mean } = scoreRun({ run, judgments: asked, metrics: ks.flatMap((k) => [`recall@${k}`, `ndcg@${k}`]), includeUnjudged: false });
    recall.push({ name: arm.name, values: ks.map((k) => mean[`recall@${k}`] ?? 0) });
    ndcg.push({ name: arm.name, values: ks.map((k) => mean[`ndcg@${k}`] ?? 0) });
  }
  return recall.length > 0 ? { recall, ndcg } : undefined;
}

function chunkSizesOf(arms: readonly { readonly chunker: string; readonly results: readonly QueryResult[] }[]): RunReportModel['chunkSizes'] {
  const byChunker = new Map<string, Map<string, number>>();
  for (const arm of arms) {
    let sizes = byChunker.get(arm.chunker);
    if (!sizes) byChunker.set(arm.chunker, (sizes = new Map()));
    for (const result of arm.results) {
      for (const chunk of result.chunks ?? []) {
        const [, start, end] = parseChunkId(chunk.id);
        if (start >= 0) sizes.set(chunk.id, end - start);
      }
    }
  }
  return [...byChunker].filter(([, sizes]) => sizes.size > 0).map(([chunker, sizes]) => ({ chunker, sizes: [...sizes.values()] }));
}
