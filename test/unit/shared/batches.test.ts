import { describe, expect, it } from 'vitest';
import { batches, chunkArray, mapConcurrent } from '../../../src/shared/batches.js';

describe('batches', () => {
  it('groups an iterable into full batches and a final partial one', async () => {
    const out: number[][] = [];
    for await (const batch of batches([1, 2, 3, 4, 5], 2)) out.push(batch);
    expect(out).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('rejects a non-positive size', async () => {
    await expect(batches([1], 0).next()).rejects.toThrow(RangeError);
  });

  it('chunkArray slices in order', () => {
    expect(chunkArray([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
    expect(chunkArray([], 2)).toEqual([]);
  });

  it('mapConcurrent keeps input order and bounds concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const result = await mapConcurrent([30, 10, 20, 5], 2, async (ms, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return i;
    });
    expect(result).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
  });
});
