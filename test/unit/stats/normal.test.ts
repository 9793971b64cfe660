import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../../src/stats/normal.js';

describe('normalQuantile', () => {
  // Reference values from Python's statistics.NormalDist().inv_cdf (an independent implementation, AS241).
  it.each([
    [0.975, 1.9599639845400536],
    [0.99, 2.3263478740408408],
    [0.001, -3.090232306167813],
    [0.5, 0],
    [0.8, 0.8416212335729143],
    [1 - 0.05 / 315, 3.6006191406395582],
  ])('Φ⁻¹(%s) = %s', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 6);
  });

  it('refuses p outside (0, 1)', () => {
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});
