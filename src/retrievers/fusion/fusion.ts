import type { Hit } from '../../stores/vector-store.js';

/** One component's ranking of one query, best first, with the weight the hybrid gives that component. */
export interface RankedList {
  readonly hits: readonly Hit[];
  readonly weight: number;
}

/**
 * Fuses the components' rankings of one query into one score per chunk (higher is better). A chunk missing from a
 * component's list gets nothing from that component (ranx's convention for every method here).
 */
export type FuseScores = (lists: readonly RankedList[]) => Map<string, { readonly hit: Hit; readonly score: number }>;

/**
 * Sums w_i · contribution_i(position) over the lists a chunk appears in; `prepare` turns one list's scores (best
 * first) into its contribution by 0-based position. A chunk appearing twice in one list (a retriever that broke
 * the "at most once" contract) counts at its best position only.
 */
export function sumContributions(lists: readonly RankedList[], prepare: (scores: readonly number[]) => (position: number) => number): ReturnType<FuseScores> {
  const fused = new Map<string, { hit: Hit; score: number }>();
  for (const list of lists) {
    const seen = new Set<string>();
    const contribution = prepare(list.hits.map((hit) => hit.score));
    list.hits.forEach((hit, position) => {
      if (seen.has(hit.id)) return;
      seen.add(hit.id);
      const add = list.weight * contribution(position);
      const entry = fused.get(hit.id);
      if (entry) entry.score += add;
      else fused.set(hit.id, { hit, score: add });
    });
  }
  return fused;
}

/** Fused hits best first, ties broken by chunk id (ascending), at most k; each hit's score is its fused score. */
export function rankFused(fused: ReturnType<FuseScores>, k: number): Hit[] {
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || (a.hit.id < b.hit.id ? -1 : a.hit.id > b.hit.id ? 1 : 0))
    .slice(0, k)
    .map(({ hit, score }) => ({ id: hit.id, docId: hit.docId, score }));
}
