/** Mean and standard deviation with `ddof` degrees of freedom removed (0: population, 1: sample; NaN-free for n ≤ ddof → 0). */
export function meanAndDeviation(values: readonly number[], ddof: 0 | 1): { mean: number; deviation: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, deviation: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n <= ddof) return { mean, deviation: 0 };
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { mean, deviation: Math.sqrt(squares / (n - ddof)) };
}
