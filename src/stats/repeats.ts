import { bootstrapMean, meanOf, quantile, standardDeviation, type BootstrapOptions } from './bootstrap.js';

/**
 * A metric over queries × repeated sampled answers (the answer matrix). Queries are the sampling unit: each query's
 * value is the mean over its scored repeats, and the percentile bootstrap resamples those per-query means, so the
 * interval carries both the query-to-query spread and the repeat noise left in each query's mean (a two-stage
 * design resampled at the top stage, Davison & Hinkley 1997 §3.8). `repeatSd` is the mean within-query sample
 * standard deviation (n − 1) over the queries with ≥ 2 scored repeats: how far one answer of a query moves from
 * the next. Nulls (could not be scored) are left out of every mean and counted in `nullShare`.
 */
export interface RepeatedEstimate {
  /** Mean of the per-query means; null when no query has a scored repeat. */
  readonly mean: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  /** Queries with at least one scored repeat. */
  readonly queries: number;
  /** null when no query has two scored repeats (one repeat shows no spread). */
  readonly repeatSd: number | null;
  /** Null scores / all (query, repeat) scores. */
  readonly nullShare: number;
}

/** `scores[q][r]`: query q's score on repeat r (null: not scored). Pure; deterministic for a seed. */
export function repeatedEstimate(scores: readonly (readonly (number | null)[])[], bootstrap: BootstrapOptions = {}): RepeatedEstimate {
  const perQuery: number[] = [];
  const spreads: number[] = [];
  let nulls = 0;
  let total = 0;
  for (const repeats of scores) {
    const scored = repeats.filter((v): v is number => typeof v === 'number');
    total += repeats.length;
    nulls += repeats.length - scored.length;
    if (scored.length === 0) continue;
    perQuery.push(meanOf(scored));
    if (scored.length >= 2) spreads.push(standardDeviation(scored));
  }
  const nullShare = total === 0 ? 0 : nulls / total;
  const repeatSd = spreads.length > 0 ? meanOf(spreads) : null;
  if (perQuery.length === 0) return { mean: null, lower: null, upper: null, queries: 0, repeatSd, nullShare };
  const interval = bootstrapMean(perQuery, bootstrap);
  return { mean: interval.mean, lower: interval.lower, upper: interval.upper, queries: perQuery.length, repeatSd, nullShare };
}

/** Per-query means over scored repeats, by query; queries with no scored repeat are absent. The paired tests' input. */
export function perQueryMeans(scores: ReadonlyMap<string, readonly (number | null)[]>): Map<string, number> {
  const means = new Map<string, number>();
  for (const [queryId, repeats] of scores) {
    const scored = repeats.filter((v): v is number => typeof v === 'number');
    if (scored.length > 0) means.set(queryId, meanOf(scored));
  }
  return means;
}

/** The median (type-7 quantile at 0.5) of `values`; null for none. */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return quantile(Float64Array.from(values).sort(), 0.5);
}
