/**
 * Agreement between two rankings of the same query (ids best first), for store parity: do two backends
 * return the same chunks? Pure functions; duplicate ids count once, at their first (best) place.
 */

function topSet(ranked: readonly string[], k: number): Set<string> {
  const set = new Set<string>();
  for (const id of ranked) {
    if (set.size >= k) break;
    set.add(id);
  }
  return set;
}

function dedupe(ranked: readonly string[]): string[] {
  return [...new Set(ranked)];
}

/** |A ∩ B| / |A ∪ B| over the top-k sets; two empty lists agree perfectly (1). */
export function jaccardAtK(a: readonly string[], b: readonly string[], k: number): number {
  const setA = topSet(a, k);
  const setB = topSet(b, k);
  if (setA.size === 0 && setB.size === 0) return 1;
  let shared = 0;
  for (const id of setA) if (setB.has(id)) shared++;
  return shared / (setA.size + setB.size - shared);
}

/**
 * Rank-biased overlap, extrapolated (RBO_ext, Webber, Moffat & Zobel 2010, eq. 30) at depth
 * d = min(|a|, |b|, k): ((1−p)/p) · Σ_{i=1..d} (X_i/i)·p^i + (X_d/d)·p^d, where X_i = |a[:i] ∩ b[:i]|.
 * Identical lists score 1, disjoint 0; p weights the top (p = 0.9 puts ~86% of the weight on the first 10).
 * Lists of unequal length are compared to the shorter one's length; one empty list against a non-empty one is 0.
 */
export function rankBiasedOverlap(a: readonly string[], b: readonly string[], options: { p?: number; k?: number } = {}): number {
  const p = options.p ?? 0.9;
  if (!(p > 0 && p < 1)) throw new RangeError(`rbo: p must be in (0, 1), got ${p}`);
  const listA = dedupe(a);
  const listB = dedupe(b);
  const depth = Math.min(listA.length, listB.length, options.k ?? Number.POSITIVE_INFINITY);
  if (depth === 0) return listA.length === 0 && listB.length === 0 ? 1 : 0;
  const seenA = new Set<string>();
  const seenB = new Set<string>();
  let overlap = 0;
  let sum = 0;
  let weight = 1;
  for (let i = 1; i <= depth; i++) {
    const x = listA[i - 1]!;
    const y = listB[i - 1]!;
    if (x === y) overlap++;
    else {
      if (seenB.has(x)) overlap++;
      if (seenA.has(y)) overlap++;
    }
    seenA.add(x);
    seenB.add(y);
    weight *= p;
    sum += (overlap / i) * weight;
  }
  return ((1 - p) / p) * sum + (overlap / depth) * weight;
}

/** ANN recall@k: the share of the exact top-k that the approximate top-k found (exact empty → 1). */
export function recallAgainst(approximate: readonly string[], exact: readonly string[], k: number): number {
  const truth = topSet(exact, k);
  if (truth.size === 0) return 1;
  const found = topSet(approximate, k);
  let hits = 0;
  for (const id of truth) if (found.has(id)) hits++;
  return hits / truth.size;
}
