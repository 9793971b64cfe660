/**
 * L2-regularised logistic regression for a handful of features, fitted by Newton's method (IRLS). Small and exact
 * on purpose: with ≤ 10 features the Hessian is tiny, Newton converges in a few steps, and the fit is deterministic.
 */
export interface LogisticModel {
  /** One weight per feature, in the features' own units. */
  readonly weights: readonly number[];
  readonly bias: number;
}

interface LogisticOptions {
  /**
   * L2 penalty λ on the weights of the standardised features (the intercept is not penalised), in units of
   * "rows": the loss is Σ log-loss + λ/2 ‖w‖². Standardising first makes one λ mean the same for every feature.
   */
  readonly l2: number;
  readonly maxIterations?: number;
  /** Per-row weights (default 1 each), e.g. to let two datasets of different sizes count equally. */
  readonly sampleWeights?: readonly number[];
}

export function predictLogistic(model: LogisticModel, x: readonly number[]): number {
  let z = model.bias;
  for (let j = 0; j < model.weights.length; j++) z += model.weights[j]! * x[j]!;
  return 1 / (1 + Math.exp(-z));
}

/** Fits `P(y = 1 | x)`. Throws RangeError on empty data, ragged rows or a single class. */
export function fitLogistic(xs: readonly (readonly number[])[], ys: readonly boolean[], options: LogisticOptions): LogisticModel {
  const n = xs.length;
  const d = xs[0]?.length ?? 0;
  if (n === 0 || n !== ys.length) throw new RangeError(`need as many labels as rows, got ${n} rows and ${ys.length} labels`);
  if (!ys.includes(true) || !ys.includes(false)) throw new RangeError('logistic regression needs both classes');
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const x of xs) {
    if (x.length !== d) throw new RangeError(`every row needs ${d} features`);
    for (let j = 0; j < d; j++) mean[j]! += x[j]! / n;
  }
  for (const x of xs) for (let j = 0; j < d; j++) sd[j]! += (x[j]! - mean[j]!) ** 2 / n;
  // A constant feature gets sd 1: its standardised value is 0, so it simply gets no weight.
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]!) || 1;
  const z = xs.map((x) => [1, ...x.map((v, j) => (v - mean[j]!) / sd[j]!)]);
  const beta = new Array<number>(d + 1).fill(0);
  for (let iteration = 0; iteration < (options.maxIterations ?? 50); iteration++) {
    const gradient = new Array<number>(d + 1).fill(0);
    const hessian = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    z.forEach((row, i) => {
      let eta = 0;
      for (let j = 0; j <= d; j++) eta += beta[j]! * row[j]!;
      const p = 1 / (1 + Math.exp(-eta));
      const weight = options.sampleWeights?.[i] ?? 1;
      const w = weight * Math.max(p * (1 - p), 1e-12);
      const residual = weight * ((ys[i] ? 1 : 0) - p);
      for (let j = 0; j <= d; j++) {
        gradient[j]! += residual * row[j]!;
        for (let k = 0; k <= j; k++) hessian[j]![k]! += w * row[j]! * row[k]!;
      }
    });
    for (let j = 1; j <= d; j++) {
      gradient[j]! -= options.l2 * beta[j]!;
      hessian[j]![j]! += options.l2;
    }
    for (let j = 0; j <= d; j++) for (let k = 0; k < j; k++) hessian[k]![j] = hessian[j]![k]!;
    const step = solve(hessian, gradient);
    let change = 0;
    for (let j = 0; j <= d; j++) {
      beta[j]! += step[j]!;
      change = Math.max(change, Math.abs(step[j]!));
    }
    if (change < 1e-9) break;
  }
  // Back to the features' own units: w_j = β_j / sd_j, bias = β_0 − Σ β_j mean_j / sd_j.
  const weights = mean.map((_, j) => beta[j + 1]! / sd[j]!);
  const bias = beta[0]! - weights.reduce((sum, w, j) => sum + w * mean[j]!, 0);
  return { weights, bias };
}

/** Gaussian elimination with partial pivoting for the small symmetric positive-definite Newton system. */
function solve(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const a = matrix.map((row, i) => [...row, vector[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]! || 1e-12;
    for (let r = col + 1; r < n; r++) {
      const f = a[r]![col]! / p;
      for (let c = col; c <= n; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= a[r]![c]! * x[c]!;
    x[r] = s / (a[r]![r]! || 1e-12);
  }
  return x;
}
