import { signFlipMonteCarlo } from './sign-flip.js';

/**
 * Paired significance tests on per-query scores of two systems (`a[i]` and `b[i]` are the same query). Pure and
 * deterministic for a seed. Differences are `a − b`: with `a` = candidate and `b` = baseline, a regression is a
 * negative difference and `alternative: 'less'` asks "is the candidate worse?".
 */
type Alternative = 'two-sided' | 'less' | 'greater';

interface RandomizationOptions {
  /** Default 'two-sided'. 'less': H1 is mean(a − b) < 0; 'greater': H1 is mean(a − b) > 0. */
  readonly alternative?: Alternative;
  /** Random sign vectors drawn (at most) when the test is not exact; default 10,000. */
  readonly permutations?: number;
  /**
   * Stop drawing after this many sign vectors at least as extreme as the observed one (Besag–Clifford sequential
   * p-value, see sign-flip.ts); default: draw all `permutations`. A family uses it to afford a high limit.
   */
  readonly stopAfterExtreme?: number;
  /** Enumerate all 2^m sign vectors when m (the non-zero differences) is at most this; default 20 (~1M sums). */
  readonly exactMaxN?: number;
  /** PRNG seed for the Monte Carlo variant; default 42. */
  readonly seed?: number;
}

interface RandomizationResult {
  /** Mean of `a − b` over all pairs (zeros included). */
  readonly meanDifference: number;
  readonly n: number;
  /** Pairs with a non-zero difference: only they change sign, so only they are permuted. */
  readonly nonZero: number;
  readonly method: 'exact' | 'monte-carlo';
  /** Sign vectors evaluated: 2^nonZero when exact, else the Monte Carlo draws made. */
  readonly permutations: number;
  /** Monte Carlo only: the most draws the test was allowed (sets the smallest attainable p). */
  readonly permutationLimit?: number;
  readonly alternative: Alternative;
  readonly pValue: number;
}

const defaultRandomization = { alternative: 'two-sided', permutations: 10_000, exactMaxN: 20, seed: 42 } as const;

/**
 * Paired randomization (sign-flip permutation) test of H0 "the two systems are exchangeable on every query", the
 * test Smucker, Allan & Carterette (CIKM 2007) recommend for IR. Under H0 each difference is as likely to have had
 * the other sign, so the null distribution of the sum of differences is that of Σ ±|d_i| over the 2^n sign vectors.
 * - Exact (m ≤ exactMaxN non-zero differences): p = (sign vectors at least as extreme) / 2^m. The sums are built by
 *   meet-in-the-middle (two halves of ≤ 2^10 partial sums each), so every sum is a fresh addition, not a running
 *   total that drifts.
 * - Monte Carlo otherwise: p = (b + 1) / (M + 1), b of M random sign vectors at least as extreme. Counting the
 *   observed vector as one of the draws keeps p > 0 and the test valid (Phipson & Smyth 2010, "Permutation
 *   p-values should never be zero"). With `stopAfterExtreme` h, drawing stops at the h-th extreme draw (p = h/m).
 * "At least as extreme" uses a tolerance of 1e-9 · Σ|d_i|, so sums equal in exact arithmetic but a few ulps apart
 * count as ties (scipy.stats.permutation_test does the same). All-zero differences give p = 1.
 * Throws RangeError on different lengths, an empty sample, a non-finite value or bad options.
 */
export function pairedRandomizationTest(
  a: readonly number[],
  b: readonly number[],
  options: RandomizationOptions = {},
): RandomizationResult {
  const differences = pairedDifferences(a, b);
  const alternative = options.alternative ?? defaultRandomization.alternative;
  const permutations = options.permutations ?? defaultRandomization.permutations;
  const exactMaxN = options.exactMaxN ?? defaultRandomization.exactMaxN;
  if (!Number.isInteger(permutations) || permutations < 1) throw new RangeError(`permutations must be a positive integer, got ${permutations}`);
  if (!Number.isInteger(exactMaxN) || exactMaxN < 0 || exactMaxN > 26) throw new RangeError(`exactMaxN must be an integer in [0, 26] (2^26 sums), got ${exactMaxN}`);
  const n = differences.length;
  const nonZero = differences.filter((d) => d !== 0);
  const observed = sum(nonZero);
  const tolerance = 1e-9 * sum(nonZero.map(Math.abs));
  const isExtreme = extremeTest(alternative, observed, tolerance);
  const base = { meanDifference: sum(differences) / n, n, nonZero: nonZero.length, alternative };
  if (nonZero.length <= exactMaxN) {
    const count = countExact(nonZero, isExtreme);
    const total = 2 ** nonZero.length;
    return { ...base, method: 'exact', permutations: total, pValue: count / total };
  }
  const drawn = signFlipMonteCarlo(nonZero, isExtreme, {
    limit: permutations,
    stopAfterExtreme: options.stopAfterExtreme,
    seed: options.seed ?? defaultRandomization.seed,
  });
  return { ...base, method: 'monte-carlo', permutations: drawn.draws, permutationLimit: permutations, pValue: drawn.pValue };
}

interface TTestResult {
  readonly meanDifference: number;
  readonly t: number;
  readonly df: number;
  readonly alternative: Alternative;
  readonly pValue: number;
}

/**
 * Paired Student t-test on d = a − b: t = mean(d) / (sd(d) / √n), df = n − 1, sd with the n − 1 denominator
 * (scipy.stats.ttest_rel, R t.test(paired = TRUE)). Identical samples (sd = 0, mean 0) give t = 0, p = 1; a
 * constant non-zero difference gives t = ±∞. Throws RangeError for fewer than 2 pairs.
 */
export function pairedTTest(a: readonly number[], b: readonly number[], alternative: Alternative = 'two-sided'): TTestResult {
  const d = pairedDifferences(a, b);
  const n = d.length;
  if (n < 2) throw new RangeError(`a paired t-test needs at least 2 pairs, got ${n}`);
  const mean = sum(d) / n;
  const variance = sum(d.map((x) => (x - mean) ** 2)) / (n - 1);
  const df = n - 1;
  const t = variance === 0 ? (mean === 0 ? 0 : Math.sign(mean) * Infinity) : mean / Math.sqrt(variance / n);
  const pValue =
    alternative === 'less' ? studentTCdf(t, df) : alternative === 'greater' ? studentTCdf(-t, df) : Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
  return { meanDifference: mean, t, df, alternative, pValue: variance === 0 && mean === 0 ? 1 : pValue };
}

/**
 * CDF of Student's t with `df` > 0 degrees of freedom: for x = df / (df + t²), P(T ≤ t) = I_x(df/2, 1/2) / 2 when
 * t ≤ 0 and 1 − I_x(df/2, 1/2) / 2 otherwise (Abramowitz & Stegun 26.7.1 with 26.5.27).
 */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5) / 2;
  return t <= 0 ? tail : 1 - tail;
}

/**
 * Regularized incomplete beta I_x(a, b) = B(x; a, b) / B(a, b), by the continued fraction of A&S 26.5.8 evaluated
 * with the modified Lentz method (Numerical Recipes, 3rd ed., §6.4 `betacf`); for x > (a + 1)/(a + b + 2) the
 * symmetry I_x(a, b) = 1 − I_{1−x}(b, a) keeps the fraction in its fast-converging region. Accurate to ~1e-14.
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`a and b must be positive, got ${a} and ${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`x must be in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    // even step: d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m))
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    // odd step: d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1))
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) return h;
  }
  return h;
}

/** ln Γ(z) for z > 0: Lanczos approximation, g = 7, 9 coefficients (Godfrey's set; relative error < 1e-15). */
export function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z); // reflection
  const x = z - 1;
  let series = lanczos[0]!;
  for (let i = 1; i < lanczos.length; i++) series += lanczos[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(series);
}

const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * Holm–Bonferroni step-down adjusted p-values (Holm 1979; R `p.adjust(method = "holm")`): sort ascending,
 * p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) · p_(j)), returned in input order. Rejecting every hypothesis with
 * p̃ < α controls the family-wise error rate at α under any dependence between the tests (metrics computed on
 * the same queries are strongly dependent, which rules out corrections that assume independence).
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  for (const p of pValues) if (!(p >= 0 && p <= 1)) throw new RangeError(`p-values must be in [0, 1], got ${p}`);
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i]! - pValues[j]! || i - j);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}

function extremeTest(alternative: Alternative, observed: number, tolerance: number): (s: number) => boolean {
  if (alternative === 'less') return (s) => s <= observed + tolerance;
  if (alternative === 'greater') return (s) => s >= observed - tolerance;
  const magnitude = Math.abs(observed);
  return (s) => Math.abs(s) >= magnitude - tolerance;
}

/** Counts the sign vectors whose sum passes `isExtreme`: all 2^h partial sums of each half, then every pair. */
function countExact(values: readonly number[], isExtreme: (s: number) => boolean): number {
  const half = values.length >> 1;
  const left = subsetSums(values.slice(0, half));
  const right = subsetSums(values.slice(half));
  let count = 0;
  for (const l of left) for (const r of right) if (isExtreme(l + r)) count++;
  return count;
}

function subsetSums(values: readonly number[]): Float64Array {
  const sums = new Float64Array(2 ** values.length);
  for (let mask = 0; mask < sums.length; mask++) {
    let s = 0;
    for (let i = 0; i < values.length; i++) s += mask & (1 << i) ? -values[i]! : values[i]!;
    sums[mask] = s;
  }
  return sums;
}

function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`paired samples must have the same length, got ${a.length} and ${b.length}`);
  if (a.length === 0) throw new RangeError('cannot test an empty sample');
  return a.map((x, i) => {
    const d = x - b[i]!;
    if (!Number.isFinite(d)) throw new RangeError(`pair ${i} is not finite (${x}, ${b[i]})`);
    return d;
  });
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/**
 * Benjamini–Hochberg step-up adjusted p-values (1995; R `p.adjust(method = "BH")`): sort ascending,
 * p̃_(i) = min_{j ≥ i} min(1, m · p_(j) / j), in input order. Rejecting p̃ < α controls the false discovery rate
 * at α for independent or positively dependent tests (PRDS, Benjamini & Yekutieli 2001) — the usual case for IR
 * metrics on shared queries, though not guaranteed; Holm controls the stricter family-wise error under any dependence.
 */
export function bhAdjust(pValues: readonly number[]): number[] {
  for (const p of pValues) if (!(p >= 0 && p <= 1)) throw new RangeError(`p-values must be in [0, 1], got ${p}`);
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[j]! - pValues[i]! || j - i);
  const adjusted = new Array<number>(m);
  let running = 1;
  order.forEach((index, k) => {
    const rank = m - k;
    running = Math.min(running, (m * pValues[index]!) / rank);
    adjusted[index] = Math.min(1, running);
  });
  return adjusted;
}

export type Correction = 'holm' | 'bh';

/** Adjusted p-values of a family under the named correction. */
export function adjustPValues(pValues: readonly number[], correction: Correction): number[] {
  return correction === 'holm' ? holmAdjust(pValues) : bhAdjust(pValues);
}

/**
 * The Monte Carlo draw limit a family of `size` tests at level `alpha` needs: the smallest attainable p,
 * 1/(limit + 1), at least 20 times below Holm's and BH's strictest threshold α/size, and never below `floor`
 * (10,000). With sequential stopping only the tests whose p is that small use the whole limit.
 */
export function familyPermutationLimit(size: number, alpha: number, floor = 10_000): number {
  return Math.max(floor, Math.ceil((20 * Math.max(1, size)) / alpha));
}

/** Extreme draws after which a family's Monte Carlo tests stop (relative SE of p about 10%, like 10,000 draws at p = 0.01). */
export const familyStopAfterExtreme = 100;

/**
 * The smallest p-value the randomization test can return: 1/(P + 1) with P Monte Carlo sign vectors, 1/2^m (one-
 * sided) or 2/2^m (two-sided) when it enumerates the 2^m sign vectors of m non-zero differences. A threshold below
 * it (α/F for a family of F tests) can never be met, whatever the data.
 */
export function smallestAttainableP(
  result: Pick<RandomizationResult, 'method' | 'permutations' | 'alternative' | 'nonZero'> & { readonly permutationLimit?: number },
): number {
  if (result.method === 'monte-carlo') return 1 / ((result.permutationLimit ?? result.permutations) + 1);
  if (result.nonZero === 0) return 1;
  return Math.min(1, (result.alternative === 'two-sided' ? 2 : 1) / 2 ** result.nonZero);
}
