import type { QueryDiff, RankChange } from '../../report/comparison/summary.js';
import type { QueryResult } from '../run/results.js';

export interface QueryPair {
  readonly queryId: string;
  readonly baseline: QueryResult;
  readonly candidate: QueryResult;
}

/**
 * Per-query diff of judged-relevant documents in the top k, from the `relevantRanks` both runs recorded: a
 * document is lost when the baseline had it within rank k and the candidate does not (it fell below k or beyond
 * the retrieval depth), gained the other way round. Only queries with a change are listed, most net losses first,
 * then by the first metric's delta (worst first), then by query id, so the order is stable.
 */
export function diffQueries(pairs: readonly QueryPair[], metrics: readonly string[], k: number): QueryDiff[] {
  const diffs: QueryDiff[] = [];
  for (const { queryId, baseline, candidate } of pairs) {
    const before = baseline.relevantRanks ?? {};
    const after = candidate.relevantRanks ?? {};
    const change = (docId: string): RankChange => ({ docId, baselineRank: before[docId] ?? null, candidateRank: after[docId] ?? null });
    const inTop = (ranks: Readonly<Record<string, number>>, docId: string) => (ranks[docId] ?? Infinity) <= k;
    const lost = Object.keys(before).filter((docId) => inTop(before, docId) && !inTop(after, docId)).map(change);
    const gained = Object.keys(after).filter((docId) => inTop(after, docId) && !inTop(before, docId)).map(change);
    if (lost.length === 0 && gained.length === 0) continue;
    const byRank = (rank: (c: RankChange) => number | null) => (x: RankChange, y: RankChange) => rank(x)! - rank(y)!;
    lost.sort(byRank((c) => c.baselineRank));
    gained.sort(byRank((c) => c.candidateRank));
    const deltas = Object.fromEntries(metrics.map((metric) => [metric, (candidate.metrics[metric] ?? 0) - (baseline.metrics[metric] ?? 0)]));
    diffs.push({ queryId, lost, gained, deltas });
  }
  const first = metrics[0];
  return diffs.sort(
    (x, y) =>
      y.lost.length - y.gained.length - (x.lost.length - x.gained.length) ||
      (first ? (x.deltas[first] ?? 0) - (y.deltas[first] ?? 0) : 0) ||
      x.queryId.localeCompare(y.queryId, 'en', { numeric: true }),
  );
}
