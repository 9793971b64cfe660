/**
 * A seeded pseudo-random source: `next()` returns a float in [0, 1). Same seed, same sequence, on every platform,
 * so bootstrap intervals in a report can be reproduced exactly. Not for cryptography.
 */
export interface Random {
  next(): number;
  /** The next 32 random bits as an unsigned integer (the same stream `next` divides by 2^32). */
  uint32(): number;
  /** A uniform integer in [0, n); `n` must be a positive integer. */
  int(n: number): number;
}

/**
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, period 2^32, passes gjrand/PractRand for the sample
 * sizes a bootstrap draws (a few million numbers), and is a handful of integer ops per draw. `seed` is reduced
 * to 32 bits (`seed >>> 0`), so 0 and 2^32 give the same sequence.
 */
export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  let state = Math.trunc(seed) >>> 0;
  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => uint32() / 4294967296;
  return {
    next,
    uint32,
    int(n) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
      // floor(u * n) has a bias of at most n / 2^32: below 1e-6 for any sample a bootstrap sees.
      return Math.floor(next() * n);
    },
  };
}
