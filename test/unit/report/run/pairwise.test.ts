import { describe, expect, it } from 'vitest';
import { pairwiseOf } from '../../../../src/pipeline/run/pairwise.js';
import type { QueryResult } from '../../../../src/pipeline/run/results.js';
import { renderMarkdown } from '../../../../src/report/run/markdown.js';
import { renderPairwiseHtml, tieNotes } from '../../../../src/report/run/pairwise.js';
import type { ArmSummary, RunSummary } from '../../../../src/report/run/summary.js';
import { renderTable } from '../../../../src/report/run/terminal.js';
import { pairedRandomizationTest, holmAdjust } from '../../../../src/stats/paired-tests.js';

// Three arms on 30 queries: "good" beats "bad" on every query by 0.3; "near" is "good" minus 0.01 on a third of them.
const queries = Array.from({ length: 30 }, (_, i) => `q${i}`);
const base = queries.map((_, i) => 0.3 + (i % 5) / 10);
const scores: Record<string, number[]> = {
  'good × bm25': base,
  'near × bm25': base.map((x, i) => (i % 3 === 0 ? x - 0.01 : x)),
  'bad × bm25': base.map((x) => x - 0.3),
};
const results: QueryResult[] = Object.entries(scores).flatMap(([arm, values]) =>
  queries.map((queryId, i) => ({ arm, queryId, metrics: { 'ndcg@10': values[i]! }, top: [] })),
);
const armSummary = (arm: string): ArmSummary => {
  const values = scores[arm]!;
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  const [chunker, retriever] = arm.split(' × ') as [string, string];
  return { arm, chunker, retriever, queries: 30, chunks: 1, indexKey: 'k', ingest: { mode: 'built', seconds: 0 }, retrieveSeconds: 0, metrics: { 'ndcg@10': { mean, lower: mean - 0.05, upper: mean + 0.05 } } };
};
const summaryOf = (compare: { baseline?: string; correction: 'holm' | 'bh' }): RunSummary => {
  const partial = { arms: Object.keys(scores).map(armSummary), metrics: ['ndcg@10'], confidence: 0.95 };
  const pairwise = pairwiseOf({ compare: { ...compare, alpha: 0.05, permutations: 2000 }, bootstrap: { resamples: 2000, confidence: 0.95, seed: 42 } }, partial, results);
  return {
    runId: 'r', evalName: 'e', createdAt: 't', corpus: { name: 'c', fingerprint: 'f', documents: 1, queries: 30, judgedQueries: 30 },
    depth: 10, ...partial, ...(pairwise ? { pairwise } : {}),
  };
};

describe('pairwise comparisons of a run', () => {
  it('tests every pair of arms on every metric as one Holm family', () => {
    const summary = summaryOf({ correction: 'holm' });
    const pairwise = summary.pairwise!;
    expect(pairwise.family).toMatchObject({ kind: 'all-pairs', correction: 'holm', size: 3 });
    expect(pairwise.entries.map((e) => [e.a, e.b])).toEqual([
      ['good × bm25', 'near × bm25'],
      ['good × bm25', 'bad × bm25'],
      ['near × bm25', 'bad × bm25'],
    ]);
    const [goodNear, goodBad] = pairwise.entries;
    // good − near: +0.01 on the 10 queries i % 3 = 0, else 0: exact test over 10 non-zero differences, p = 2/1024
    expect(goodNear!.p).toBe(pairedRandomizationTest(scores['good × bm25']!, scores['near × bm25']!).pValue);
    expect(goodNear!.p).toBe(2 / 1024);
    expect(goodNear!.delta).toBeCloseTo(0.01 / 3, 12);
    expect(goodBad!.delta).toBeCloseTo(0.3, 12);
    expect(pairwise.entries.map((e) => e.pAdjusted)).toEqual(holmAdjust(pairwise.entries.map((e) => e.p)));
  });

  it('marks arms significantly below the best, and names test and family under the table', () => {
    const text = renderTable(summaryOf({ correction: 'holm' }));
    expect(text).toMatch(/^good +bm25 +1 +0\.500\* \[/m);
    expect(text).toMatch(/^near +bm25 +1 +0\.497v \[/m);
    expect(text).toMatch(/^bad +bm25 +1 +0\.200v \[/m);
    expect(text).toContain('v = significantly below the best arm; unmarked arms are tied with it (two-sided paired randomization test, Holm over 3 tests');
    const markdown = renderMarkdown(summaryOf({ correction: 'bh' }));
    expect(markdown).toContain('## Paired comparisons between arms');
    expect(markdown).toContain('Benjamini–Hochberg over 3 tests');
    expect(markdown).toContain('| B | **−0.003 (p̃');
    expect(renderPairwiseHtml(summaryOf({ correction: 'holm' }))).toContain('data-pairwise="ndcg@10"');
  });

  it('compares each arm with the baseline only when compare.baseline is set, marking + and -', () => {
    const summary = summaryOf({ baseline: 'near × bm25', correction: 'holm' });
    expect(summary.pairwise!.family).toMatchObject({ kind: 'baseline', baseline: 'near × bm25', size: 2 });
    expect(summary.pairwise!.entries.map((e) => [e.a, e.b])).toEqual([
      ['good × bm25', 'near × bm25'],
      ['bad × bm25', 'near × bm25'],
    ]);
    const text = renderTable(summary);
    expect(text).toMatch(/^good +bm25 +1 +0\.500\*\+ \[/m);
    expect(text).toMatch(/^bad +bm25 +1 +0\.200- \[/m);
    expect(text).toMatch(/^near +bm25 +1 +0\.497 \[/m);
    expect(text).toContain('+/- = significantly above/below the baseline arm near × bm25');
  });

  it('has nothing to compare in a one-arm run', () => {
    const one = pairwiseOf({ compare: { correction: 'holm', alpha: 0.05, permutations: 2000 }, bootstrap: { resamples: 2000, confidence: 0.95, seed: 42 } }, { arms: [armSummary('good × bm25')], metrics: ['ndcg@10'], confidence: 0.95 }, results);
    expect(one).toBeUndefined();
  });
});

describe('tieNotes', () => {
  it('names the arms tied with each metric\'s best and the queries that would separate them', () => {
    // "mixed" is "good" −0.02 on 5 queries and +0.01 on 5 others: Δ(good − mixed) = 0.05/30, 10 non-zero differences.
    const mixed = base.map((x, i) => (i % 3 === 0 ? (i % 2 === 0 ? x - 0.02 : x + 0.01) : x));
    const arms = { 'good × bm25': base, 'mixed × bm25': mixed };
    const rows: QueryResult[] = Object.entries(arms).flatMap(([arm, values]) => queries.map((queryId, i) => ({ arm, queryId, metrics: { 'ndcg@10': values[i]! }, top: [] })));
    const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
    const partial = {
      arms: Object.entries(arms).map(([arm, v]) => ({ ...armSummary('good × bm25'), arm, metrics: { 'ndcg@10': { mean: mean(v), lower: 0, upper: 1 } } })),
      metrics: ['ndcg@10'],
      confidence: 0.95,
    };
    const pairwise = pairwiseOf({ compare: { correction: 'holm', alpha: 0.05, permutations: 2000 }, bootstrap: { resamples: 2000, confidence: 0.95, seed: 42 } }, partial, rows)!;
    const summary: RunSummary = { ...summaryOf({ correction: 'holm' }), ...partial, pairwise };
    const tie = pairwise.entries[0]!;
    expect(tie.pAdjusted).toBeGreaterThanOrEqual(0.05);
    // F = 1: z = 1.959964 + 0.841621; sd of the differences over 30 queries, Δ = 0.05/30.
    const d = base.map((x, i) => x - mixed[i]!);
    const sd = Math.sqrt(d.reduce((acc, x) => acc + (x - mean(d)) ** 2, 0) / 29);
    expect(tie.queriesNeeded).toBe(Math.ceil((((1.959964 + 0.841621) * sd) / (0.05 / 30)) ** 2));
    const lines = tieNotes(summary);
    expect(lines).toEqual([`ndcg@10: 1 arm tied with good × bm25; about ${tie.queriesNeeded!.toLocaleString('en')} queries would separate it at the observed Δ (80% power)`]);
    expect(renderTable(summary)).toContain(lines[0]);
  });

  it('says nothing for a baseline family (the marks say it) and counts a Δ of 0 apart', () => {
    expect(tieNotes(summaryOf({ baseline: 'good × bm25', correction: 'holm' }))).toEqual([]);
  });
});
