import { describe, expect, it } from 'vitest';
import { distributionBasedFusion } from '../../../../src/retrievers/fusion/dbsf.js';
import { rankFused, type RankedList } from '../../../../src/retrievers/fusion/fusion.js';
import { minMaxFusion } from '../../../../src/retrievers/fusion/minmax.js';
import { fusionSchema } from '../../../../src/retrievers/fusion/registry.js';
import { reciprocalRankFusion } from '../../../../src/retrievers/fusion/rrf.js';
import { zScoreFusion } from '../../../../src/retrievers/fusion/zscore.js';

/** Fusion methods on lists small enough to solve by hand; the arithmetic is written beside each expectation. */
const hit = (id: string, score: number) => ({ id, docId: id.split('#')[0]!, score });
const lexical: RankedList = { hits: [hit('a#0', 12), hit('b#0', 9), hit('c#0', 3)], weight: 1 };
const dense: RankedList = { hits: [hit('c#0', 0.9), hit('d#0', 0.8), hit('a#0', 0.5)], weight: 1 };
const scoresOf = (fused: ReturnType<typeof minMaxFusion>) => Object.fromEntries([...fused].map(([id, { score }]) => [id, score]));

describe('fusion', () => {
  it('rrf: Σ 1/(k + rank), rank 1-based, scores ignored', () => {
    const fused = scoresOf(reciprocalRankFusion(60)([lexical, dense]));
    expect(fused['a#0']).toBeCloseTo(1 / 61 + 1 / 63, 12); // rank 1 in lexical, 3 in dense
    expect(fused['c#0']).toBeCloseTo(1 / 63 + 1 / 61, 12); // rank 3, rank 1: a tie with a
    expect(fused['b#0']).toBeCloseTo(1 / 62, 12);
    expect(fused['d#0']).toBeCloseTo(1 / 62, 12);
  });

  it('ties go by chunk id, and k cuts the list', () => {
    const ranked = rankFused(reciprocalRankFusion(60)([lexical, dense]), 3);
    expect(ranked.map((h) => h.id)).toEqual(['a#0', 'c#0', 'b#0']);
    expect(ranked[0]).toEqual({ id: 'a#0', docId: 'a', score: 1 / 61 + 1 / 63 });
  });

  it('weights multiply each component\'s contribution (rrf with w = [2, 1])', () => {
    const fused = scoresOf(reciprocalRankFusion(60)([{ ...lexical, weight: 2 }, dense]));
    expect(fused['a#0']).toBeCloseTo(2 / 61 + 1 / 63, 12);
    expect(fused['d#0']).toBeCloseTo(1 / 62, 12);
  });

  it('minmax: (s − min)/(max − min) per list, summed; a missing chunk gets 0 from that list', () => {
    const fused = scoresOf(minMaxFusion([lexical, dense]));
    expect(fused['a#0']).toBeCloseTo(1 + 0, 12); // (12−3)/9 = 1; (0.5−0.5)/0.4 = 0
    expect(fused['b#0']).toBeCloseTo(6 / 9, 12); // (9−3)/9
    expect(fused['c#0']).toBeCloseTo(0 + 1, 12);
    expect(fused['d#0']).toBeCloseTo(0.3 / 0.4, 12);
  });

  it('zscore: (s − mean)/σ with the population σ, summed', () => {
    const fused = scoresOf(zScoreFusion([lexical, dense]));
    const σ1 = Math.sqrt(((12 - 8) ** 2 + (9 - 8) ** 2 + (3 - 8) ** 2) / 3); // mean 8
    const μ2 = 2.2 / 3;
    const σ2 = Math.sqrt(((0.9 - μ2) ** 2 + (0.8 - μ2) ** 2 + (0.5 - μ2) ** 2) / 3);
    expect(fused['a#0']).toBeCloseTo((12 - 8) / σ1 + (0.5 - μ2) / σ2, 10);
    expect(fused['b#0']).toBeCloseTo((9 - 8) / σ1, 10);
  });

  it('dbsf: (s − μ + 3σ)/6σ with the sample σ, summed; one score (σ = 0) maps to 0.5', () => {
    const fused = scoresOf(distributionBasedFusion([lexical, dense]));
    const s1 = Math.sqrt((16 + 1 + 25) / 2); // sample σ of 12, 9, 3 (mean 8)
    expect(fused['b#0']).toBeCloseTo((9 - 8 + 3 * s1) / (6 * s1), 12);
    const μ2 = 2.2 / 3;
    const s2 = Math.sqrt(((0.9 - μ2) ** 2 + (0.8 - μ2) ** 2 + (0.5 - μ2) ** 2) / 2);
    expect(fused['a#0']).toBeCloseTo((12 - 8 + 3 * s1) / (6 * s1) + (0.5 - μ2 + 3 * s2) / (6 * s2), 12);
    expect(scoresOf(distributionBasedFusion([{ hits: [hit('x#0', 4)], weight: 1 }]))['x#0']).toBe(0.5);
  });

  it('a chunk listed twice by one component counts once, at its best position', () => {
    const twice: RankedList = { hits: [hit('a#0', 3), hit('a#0', 2), hit('b#0', 1)], weight: 1 };
    expect(scoresOf(reciprocalRankFusion(60)([twice]))).toEqual({ 'a#0': 1 / 61, 'b#0': 1 / 63 });
  });

  it('empty lists fuse to nothing', () => {
    expect(rankFused(reciprocalRankFusion(60)([{ hits: [], weight: 1 }, { hits: [], weight: 1 }]), 10)).toEqual([]);
  });

  it('config: rrf defaults k to 60; an unknown method is refused', () => {
    expect(fusionSchema.parse({ method: 'rrf' })).toEqual({ method: 'rrf', k: 60 });
    expect(() => fusionSchema.parse({ method: 'borda' })).toThrow();
    expect(() => fusionSchema.parse({ method: 'minmax', k: 3 })).toThrow();
  });
});
