import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { evalConfigSchema } from '../../../../src/config/eval-config.js';
import { compareRuns, compareWithBaseline } from '../../../../src/pipeline/compare/compare.js';
import { resolveRunDir } from '../../../../src/pipeline/run/folder.js';
import type { QueryResult } from '../../../../src/pipeline/run/results.js';
import { renderComparisonMarkdown } from '../../../../src/report/comparison/markdown.js';
import { renderComparisonTable } from '../../../../src/report/comparison/terminal.js';
import { renderJUnit } from '../../../../src/report/comparison/junit.js';
import { ConfigError, DataError, exitCodes, UsageError } from '../../../../src/shared/errors.js';

interface RunSpec {
  readonly runId: string;
  readonly createdAt?: string;
  readonly chunkerOptions?: Record<string, unknown>;
  readonly fingerprint?: string;
  readonly gate?: Record<string, unknown>;
  readonly results: readonly QueryResult[];
}

const arm = 'main × bm25';

/** A run folder as `ragbench run` writes it, reduced to what compare reads. */
async function writeRun(root: string, spec: RunSpec): Promise<string> {
  const dir = join(root, 'runs', spec.runId);
  await mkdir(dir, { recursive: true });
  const arms = [...new Set(spec.results.map((r) => r.arm))].map((name) => ({
    arm: name,
    indexKey: 'rb_x',
    chunker: { name: 'main', file: `/somewhere/${spec.runId}.yaml`, kind: 'fixed', options: spec.chunkerOptions ?? { sizeChars: 800 }, fingerprint: `fixed:${JSON.stringify(spec.chunkerOptions ?? { sizeChars: 800 })}` },
    retriever: { name: 'bm25', kind: 'bm25', options: { k1: 0.9, b: 0.4 }, fingerprint: 'bm25:{}' },
  }));
  const manifest = {
    runId: spec.runId,
    createdAt: spec.createdAt ?? '2026-01-01T00:00:00.000Z',
    versions: { ragbench: '0.1.0', node: '24.0.0', dependencies: { zod: '4.6.7' } },
    eval: { file: '/x/eval.yaml', name: 'x', metrics: ['ndcg@10', 'recall@10'], depth: 10, ...(spec.gate ? { gate: spec.gate } : {}) },
    corpus: { name: 'c', path: '/data/c', fingerprint: spec.fingerprint ?? 'aaaa' },
    arms,
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  await writeFile(join(dir, 'results.jsonl'), spec.results.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return dir;
}

function results(name: string, ndcg: readonly number[], recall: readonly number[], ranks?: readonly Record<string, number>[]): QueryResult[] {
  return ndcg.map((value, i) => ({
    arm: name,
    queryId: `q${i + 1}`,
    metrics: { 'ndcg@10': value, 'recall@10': recall[i]! },
    top: [],
    ...(ranks ? { relevantRanks: ranks[i]! } : {}),
  }));
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'rb-compare-'));
});

describe('compareRuns', () => {
  // Hand-computed. ndcg: d = [−0.1, −0.1, −0.1, +0.1], Δ = −0.05; the 16 sign vectors give sums 0.1·(#+ − #−) =
  // −0.4 (1), −0.2 (4), 0 (6), 0.2 (4), 0.4 (1): P(S ≤ −0.2) = 5/16, P(|S| ≥ 0.2) = 10/16.
  // recall: d = −0.5 four times: one-sided 1/16, two-sided 2/16.
  // Holm (m = 2): drop [5/16, 1/16] → [5/16, 2/16]; two-sided [10/16, 2/16] → [10/16, 4/16].
  const baseline = results(arm, [0.5, 0.6, 0.7, 0.8], [0.5, 0.5, 0.5, 0.5]);
  const candidate = results(arm, [0.4, 0.5, 0.6, 0.9], [0, 0, 0, 0]);
  const gate = {
    'ndcg@10': { maxDrop: 0, alpha: 0.05 },
    'recall@10': { maxDrop: 0.1, alpha: 0.2 },
  };

  it('computes means, deltas, exact randomization p-values and their Holm adjustment', async () => {
    const comparison = await compareRuns(
      await writeRun(root, { runId: 'base', results: baseline }),
      await writeRun(root, { runId: 'cand', results: candidate }),
      { gate },
    );
    const [ndcg, recall] = comparison.arms[0]!.metrics;
    expect(ndcg).toMatchObject({ metric: 'ndcg@10', pDrop: 5 / 16, pTwoSided: 10 / 16, pDropHolm: 5 / 16, pTwoSidedHolm: 10 / 16 });
    expect(ndcg!.baselineMean).toBeCloseTo(0.65, 12);
    expect(ndcg!.candidateMean).toBeCloseTo(0.6, 12);
    expect(ndcg!.delta).toBeCloseTo(-0.05, 12);
    expect(ndcg!.ci.lower).toBeLessThanOrEqual(ndcg!.delta);
    expect(ndcg!.ci.upper).toBeGreaterThanOrEqual(ndcg!.delta);
    expect(recall).toMatchObject({ metric: 'recall@10', delta: -0.5, pDrop: 1 / 16, pTwoSided: 2 / 16, pDropHolm: 2 / 16, pTwoSidedHolm: 4 / 16 });
    expect(recall!.ci).toEqual({ lower: -0.5, upper: -0.5 });
  });

  it('gates by non-inferiority: fails a drop the bounds show beyond maxDrop, leaves a 4-query wobble inconclusive', async () => {
    const comparison = await compareRuns(
      await writeRun(root, { runId: 'base', results: baseline }),
      await writeRun(root, { runId: 'cand', results: candidate }),
      { gate },
    );
    const [ndcg, recall] = comparison.arms[0]!.metrics;
    // ndcg: d ∈ {−0.1, +0.1}, F = 2 → level 1 − 0.05/2; the resampled means reach −0.1 (all four −0.1) well inside
    // the 2.5% tail, so L = −0.1 < −0 = −maxDrop, while U ≥ 0: neither a pass nor a fail. The old rule called it a pass.
    expect(ndcg).toMatchObject({ verdict: 'inconclusive', blocks: true, gateTest: { family: 2 } });
    expect(ndcg!.gateTest!.lower).toBeCloseTo(-0.1, 12);
    expect(ndcg!.gateTest!.level).toBeCloseTo(0.975, 12);
    expect(ndcg!.gateTest!.upper).toBeGreaterThanOrEqual(0);
    expect(ndcg!.gateTest!.queriesNeeded).toBeGreaterThan(4);
    expect(ndcg!.reasons[0]).toMatch(/^inconclusive: the bounds \[−0\.1000, \+0\.\d{4}\] straddle −maxDrop \(−0\) \(paired bootstrap one-sided 97\.5% bounds, α split by Bonferroni over 2 gated checks/);
    // recall: d ≡ −0.5, level 1 − 0.2/2 = 0.9: U = −0.5 < −0.1
    expect(recall).toMatchObject({ verdict: 'fail', blocks: true, gateTest: { upper: -0.5, family: 2 } });
    expect(recall!.reasons[0]).toContain('a drop larger than the margin is shown');
    expect(comparison.passed).toBe(false);
    expect(comparison.gated).toBe(true);
    expect(comparison.settings.family).toEqual({ correction: 'holm', size: 2 });
  });

  it('passes a small drop whose bounds rule out one beyond maxDrop, and lets onInconclusive: pass through', async () => {
    const scores = Array.from({ length: 40 }, (_, i) => 0.3 + (i % 7) / 10);
    const base = await writeRun(root, { runId: 'b40', results: results(arm, scores, scores) });
    // every query 0.002 lower: Δ = −0.002 with zero spread, well inside maxDrop 0.01
    const small = await writeRun(root, { runId: 'c40', results: results(arm, scores.map((x) => x - 0.002), scores) });
    const passing = await compareRuns(base, small, { gate: { 'ndcg@10': { maxDrop: 0.01, alpha: 0.05 } } });
    expect(passing.arms[0]!.metrics[0]).toMatchObject({ verdict: 'pass', blocks: false, reasons: [] });
    expect(passing.arms[0]!.metrics[0]!.explanation).toContain('a drop larger than the margin is ruled out');
    expect(passing.passed).toBe(true);
    const wobble = await compareRuns(
      await writeRun(root, { runId: 'base2', results: baseline }),
      await writeRun(root, { runId: 'cand2', results: candidate }),
      { gate: { 'ndcg@10': { maxDrop: 0, alpha: 0.05, onInconclusive: 'pass' } } },
    );
    expect(wobble.arms[0]!.metrics[0]).toMatchObject({ verdict: 'inconclusive', blocks: false, reasons: [] });
    expect(wobble.arms[0]!.metrics[0]!.explanation).toContain('counted as passing (onInconclusive: pass)');
    expect(wobble.passed).toBe(true);
    expect(renderComparisonTable(wobble)).toMatch(/^gate INCONCLUSIVE \(1 check, counted as passing by onInconclusive: pass\)/m);
    expect(renderComparisonTable(wobble)).not.toMatch(/regression/i);
  });

  it('applies minValue as an absolute floor and takes the gate from the candidate manifest by default', async () => {
    const comparison = await compareRuns(
      await writeRun(root, { runId: 'base', results: baseline }),
      await writeRun(root, { runId: 'cand', results: baseline, gate: { 'ndcg@10': { maxDrop: 0, alpha: 0.05, minValue: 0.7 } } }),
    );
    expect(comparison.arms[0]!.metrics[0]).toMatchObject({ verdict: 'fail', reasons: ['mean 0.6500 is below minValue 0.7 (a floor on the observed mean)'] });
    expect(comparison.arms[0]!.metrics[1]!.verdict).toBe('ungated');
  });

  it('gates an answer metric on the queries both runs scored, and fails it when too many candidate scores are null', async () => {
    // token-f1 per query; null = the judge or metric could not score it. Old behaviour: nulls dropped out of the
    // mean, so a candidate whose bad answers broke the judge looked as good as the baseline.
    const withAnswers = (scores: readonly (number | null)[]): QueryResult[] =>
      results(arm, [1, 1, 1, 1], [1, 1, 1, 1]).map((r, i) => {
        const reasons: Record<string, string> = scores[i] === null ? { 'token-f1': 'judge failed' } : {};
        return { ...r, answer: { text: 'a', contextIds: [], scores: { 'token-f1': scores[i]! }, reasons } };
      });
    const base = await writeRun(root, { runId: 'base', results: withAnswers([0.8, 0.8, 0.8, 0.8]) });
    const oneNull = await writeRun(root, { runId: 'one', results: withAnswers([0.8, 0.8, 0.8, null]) });
    const failing = await compareRuns(base, oneNull, { gate: { 'token-f1': { maxDrop: 0.05, alpha: 0.05 } } });
    const f1 = failing.arms[0]!.metrics.find((m) => m.metric === 'token-f1')!;
    expect(f1).toMatchObject({ nullShare: 0.25, verdict: 'fail' });
    expect(f1.candidateMean).toBeCloseTo(0.8, 12);
    expect(f1.delta).toBeCloseTo(0, 12);
    expect(f1.reasons[0]).toContain('25.0% of the candidate\'s queries could not be scored (null), more than maxNullShare 0.1');
    expect(failing.passed).toBe(false);
    expect(renderComparisonTable(failing)).toContain('token-f1 (null 25%)');
    const tolerant = await compareRuns(base, oneNull, { gate: { 'token-f1': { maxDrop: 0.05, alpha: 0.05, maxNullShare: 0.3 } } });
    expect(tolerant.passed).toBe(true);
    const allNull = await writeRun(root, { runId: 'none', results: withAnswers([null, null, null, null]) });
    expect((await compareRuns(base, allNull, { gate: { 'token-f1': { maxDrop: 0.05, alpha: 0.05 } } })).passed).toBe(false);
  });

  it('accepts a gate on an answer metric listed in answers.metrics and rejects one that is not', () => {
    const config = {
      corpus: 'c',
      chunkers: ['x'],
      retrievers: ['y'],
      answers: { answerer: { kind: 'extractive' }, metrics: ['token-f1'] },
      gate: { 'token-f1': { maxNullShare: 0.05 } },
    };
    expect(evalConfigSchema.parse(config).gate).toEqual({ 'token-f1': { maxDrop: 0, alpha: 0.05, maxNullShare: 0.05 } });
    expect(evalConfigSchema.safeParse({ ...config, gate: { 'exact-match': {} } }).success).toBe(false);
  });

  it('passes a run against itself: deltas 0, p = 1, no changes, no query diff', async () => {
    const ranks = baseline.map(() => ({ d1: 1 }));
    const same = results(arm, [0.5, 0.6, 0.7, 0.8], [0.5, 0.5, 0.5, 0.5], ranks);
    const comparison = await compareRuns(
      await writeRun(root, { runId: 'a', results: same }),
      await writeRun(root, { runId: 'b', results: same }),
      { gate },
    );
    expect(comparison.passed).toBe(true);
    expect(comparison.changes).toEqual([]); // chunker file paths differ, but paths are not settings
    for (const metric of comparison.arms[0]!.metrics) expect(metric).toMatchObject({ delta: 0, pDrop: 1, pTwoSided: 1, pTTest: 1 });
    expect(comparison.arms[0]!.queryDiffs).toEqual([]);
  });

  it('lists relevant documents lost and gained in the top k, with both ranks', async () => {
    const before: Record<string, number>[] = [{ d1: 1, d2: 12 }, { d5: 3 }, {}, {}];
    const after: Record<string, number>[] = [{ d1: 11, d3: 2 }, { d5: 4 }, {}, {}];
    const comparison = await compareRuns(
      await writeRun(root, { runId: 'base', results: results(arm, [1, 1, 1, 1], [1, 1, 1, 1], before) }),
      await writeRun(root, { runId: 'cand', results: results(arm, [0.6, 1, 1, 1], [1, 1, 1, 1], after) }),
      { diffK: 10 },
    );
    expect(comparison.arms[0]!.queryDiffs).toEqual([
      {
        queryId: 'q1',
        lost: [{ docId: 'd1', baselineRank: 1, candidateRank: 11 }],
        gained: [{ docId: 'd3', baselineRank: null, candidateRank: 2 }],
        deltas: { 'ndcg@10': expect.closeTo(-0.4, 12), 'recall@10': 0 },
      },
    ]);
  });

  it('reports what changed: corpus fingerprint, chunker options, versions left alone when equal', async () => {
    const comparison = await compareRuns(
      await writeRun(root, { runId: 'base', results: baseline }),
      await writeRun(root, { runId: 'cand', results: baseline, fingerprint: 'bbbb', chunkerOptions: { sizeChars: 64 } }),
      { allowDifferentCorpus: true },
    );
    expect(comparison.changes).toEqual([
      { scope: 'corpus', path: 'fingerprint', baseline: '"aaaa"', candidate: '"bbbb"' },
      { scope: arm, path: 'chunker.options.sizeChars', baseline: '800', candidate: '64' },
    ]);
  });

  it('matches arms by name, pairs queries by id and lists what only one run has', async () => {
    const comparison = await compareRuns(
      await writeRun(root, { runId: 'base', results: [...baseline, ...results('old × bm25', [1], [1])] }),
      await writeRun(root, { runId: 'cand', results: [...candidate.slice(0, 3), ...results('new × bm25', [1], [1])] }),
      { allowDifferentQueries: true },
    );
    expect(comparison.arms.map((a) => a.arm)).toEqual([arm]);
    expect(comparison.armsOnlyInBaseline).toEqual(['old × bm25']);
    expect(comparison.armsOnlyInCandidate).toEqual(['new × bm25']);
    expect(comparison.arms[0]).toMatchObject({ queries: 3, queriesOnlyInBaseline: 1, queriesOnlyInCandidate: 0, hasRankDiff: false });
    expect(comparison.gated).toBe(false);
    expect(comparison.passed).toBe(true);
  });

  it('carries the candidate run\'s own pairwise family and shows it, and ignores a missing or broken summary.json', async () => {
    const base = await writeRun(root, { runId: 'base', results: baseline });
    const cand = await writeRun(root, { runId: 'cand', results: candidate });
    expect((await compareRuns(base, cand)).withinCandidate).toBeUndefined();
    await writeFile(join(cand, 'summary.json'), '{ not json');
    expect((await compareRuns(base, cand)).withinCandidate).toBeUndefined();
    const entry = { metric: 'ndcg@10', a: arm, b: 'other × bm25', queries: 4, delta: 0.05, ci: { lower: -0.1, upper: 0.2 }, p: 0.6, pAdjusted: 0.6, effectSize: 0.3, minDetectableDelta: 0.4, queriesNeeded: 300 };
    const family = { kind: 'all-pairs', correction: 'holm', size: 1, alpha: 0.05, confidence: 0.95, permutations: 10000, seed: 42 };
    const armOf = (name: string, mean: number) => ({ arm: name, metrics: { 'ndcg@10': { mean, lower: 0, upper: 1 } } });
    await writeFile(join(cand, 'summary.json'), JSON.stringify({ metrics: ['ndcg@10'], arms: [armOf(arm, 0.6), armOf('other × bm25', 0.55)], pairwise: { entries: [entry], family } }));
    const comparison = await compareRuns(base, cand);
    expect(comparison.withinCandidate?.pairwise?.entries).toEqual([entry]);
    const text = renderComparisonTable(comparison);
    expect(text).toContain('within the candidate run: 0 of 1 arm pairs × metrics differ significantly');
    expect(text).toContain('ndcg@10: 1 arm tied with main × bm25; about 300 queries would separate it');
    expect(renderComparisonMarkdown(comparison)).toContain('### Within the candidate run: its arms compared with each other');
  });

  it('throws DataError when no arm matches and ConfigError for a gate on a metric the runs lack', async () => {
    const base = await writeRun(root, { runId: 'base', results: baseline });
    const other = await writeRun(root, { runId: 'other', results: results('x × y', [1], [1]) });
    await expect(compareRuns(base, other)).rejects.toThrow(DataError);
    await expect(compareRuns(base, base, { gate: { 'mrr@10': { maxDrop: 0, alpha: 0.05 } } })).rejects.toThrow(ConfigError);
  });

  it('is reproducible: the same runs and seed give identical comparisons', async () => {
    const b = results(arm, Array.from({ length: 40 }, (_, i) => (i % 7) / 7), Array.from({ length: 40 }, (_, i) => (i % 5) / 5));
    const c = results(arm, b.map((r, i) => r.metrics['ndcg@10']! - (i % 3) * 0.05), b.map((r) => r.metrics['recall@10']!));
    const baseDir = await writeRun(root, { runId: 'base', results: b });
    const candDir = await writeRun(root, { runId: 'cand', results: c });
    const first = await compareRuns(baseDir, candDir, { seed: 3 });
    expect(await compareRuns(baseDir, candDir, { seed: 3 })).toEqual(first);
    expect(first.arms[0]!.metrics[0]!.pDrop).toBeLessThan(0.001);
  });
});

describe('refusals where a comparison is meaningless (issue 11 #2)', () => {
  // Cranfield's 225 queries → a 15-query sample; two unrelated corpora that both use ids q1, q2.
  const full = results(arm, Array.from({ length: 20 }, (_, i) => (i % 4) / 4), Array.from({ length: 20 }, () => 0.5));
  const sample = full.slice(0, 5);

  it('refuses (DataError, exit 2) runs over different corpus fingerprints unless allowDifferentCorpus', async () => {
    const base = await writeRun(root, { runId: 'base', results: full, fingerprint: 'corpus-a' });
    const other = await writeRun(root, { runId: 'other', results: full, fingerprint: 'corpus-b' });
    const error = await compareRuns(base, other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(exitCodes[(error as DataError).code]).toBe(2);
    expect((error as DataError).message).toMatch(/different corpora \(baseline c corpus-a, candidate c corpus-b\)/);
    expect((error as DataError).fix).toContain('--allow-different-corpus');
    const allowed = await compareRuns(base, other, { allowDifferentCorpus: true });
    expect(allowed.warnings).toEqual([expect.stringContaining('compared anyway (--allow-different-corpus)')]);
    expect(renderComparisonTable(allowed)).toMatch(/^WARNING: the runs are on different corpora/);
  });

  it('refuses a candidate on a subset of the baseline queries unless allowDifferentQueries, then warns loudly and lists the unpartnered ids', async () => {
    const base = await writeRun(root, { runId: 'base', results: full });
    const small = await writeRun(root, { runId: 'small', results: sample });
    await expect(compareRuns(base, small)).rejects.toThrow(/different query sets \(baseline 20, candidate 5; 15 only in the baseline: q10, q11, q12, q13, q14, … 10 more, 0 only in the candidate\)/);
    const allowed = await compareRuns(base, small, { allowDifferentQueries: true, gate: { 'ndcg@10': { maxDrop: 0.01, alpha: 0.05 } } });
    expect(allowed.passed).toBe(true);
    expect(allowed.arms[0]!.unpairedQueries.baseline).toHaveLength(15);
    expect(allowed.warnings).toContainEqual(expect.stringContaining(`arm ${arm}: compared on 5 of the baseline's 20 queries; 15 have no partner`));
    expect(renderComparisonTable(allowed)).toContain('gate passed (with warnings above)');
    expect(renderComparisonMarkdown(allowed)).toContain('> ⚠️ **Warning:** arm main × bm25: compared on 5 of the baseline');
  });

  it('reports candidate queries without a partner too', async () => {
    const base = await writeRun(root, { runId: 'base', results: sample });
    const more = await writeRun(root, { runId: 'more', results: full });
    const comparison = await compareRuns(base, more, { allowDifferentQueries: true });
    expect(comparison.arms[0]!.unpairedQueries).toEqual({ baseline: [], candidate: full.slice(5).map((r) => r.queryId).sort() });
    expect(comparison.warnings).toContainEqual(expect.stringContaining('15 candidate queries have no partner in the baseline'));
  });

  it('says nothing when corpus and queries match', async () => {
    const base = await writeRun(root, { runId: 'base', results: full });
    expect((await compareRuns(base, await writeRun(root, { runId: 'same', results: full }))).warnings).toEqual([]);
  });
});

describe('run references', () => {
  it('resolves a folder, a run id under <workDir>/runs and latest (skipping the candidate)', async () => {
    const one = results(arm, [0.5], [0.5]);
    const older = await writeRun(root, { runId: 'r1', createdAt: '2026-01-01T00:00:00Z', results: one });
    const newer = await writeRun(root, { runId: 'r2', createdAt: '2026-01-02T00:00:00Z', results: one });
    expect(await resolveRunDir(older, '/nowhere')).toBe(older);
    expect(await resolveRunDir('r1', root)).toBe(older);
    expect(await resolveRunDir('latest', root)).toBe(newer);
    expect(await resolveRunDir('latest', root, { exclude: newer })).toBe(older);
    await expect(resolveRunDir('r3', root)).rejects.toThrow(UsageError);
    const comparison = await compareWithBaseline('latest', newer, { workDir: root });
    expect(comparison.baseline.runId).toBe('r1');
  });
});

describe('gate config', () => {
  const base = { corpus: 'c', chunkers: ['x'], retrievers: ['y'], metrics: ['NDCG@10', 'recall@10'] };

  it('canonicalises metric keys and fills defaults', () => {
    const parsed = evalConfigSchema.parse({ ...base, gate: { 'NDCG@10': { maxDrop: 0.01 }, 'recall@10': { minValue: 0.3 } } });
    expect(parsed.gate).toEqual({ 'ndcg@10': { maxDrop: 0.01, alpha: 0.05 }, 'recall@10': { maxDrop: 0, alpha: 0.05, minValue: 0.3 } });
  });

  it.each([
    [{ 'ndcg@x': {} }, 'unknown metric'],
    [{ 'mrr@10': {} }, 'not in metrics'],
    [{ 'ndcg@10': { maxDrop: -1 } }, ''],
    [{ 'ndcg@10': { alpha: 0.05, typo: 1 } }, ''],
  ])('rejects %j', (gate, message) => {
    const result = evalConfigSchema.safeParse({ ...base, gate });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toContain(message);
  });
});

describe('comparison reports', () => {
  it('render the verdict, numbers and escaped names in Markdown, terminal text and JUnit XML', async () => {
    const name = 'a<b> & "c" × bm25|x';
    const comparison = await compareRuns(
      await writeRun(root, { runId: 'base', results: results(name, [0.5, 0.6, 0.7, 0.8], [0.5, 0.5, 0.5, 0.5]) }),
      await writeRun(root, { runId: 'cand', results: results(name, [0.4, 0.5, 0.6, 0.9], [0, 0, 0, 0]) }),
      { gate: { 'ndcg@10': { maxDrop: 0, alpha: 0.05 }, 'recall@10': { maxDrop: 0.1, alpha: 0.2 } } },
    );
    const markdown = renderComparisonMarkdown(comparison);
    expect(markdown).toContain('## ❌ ragbench gate failed: 1 of 2 gated checks, 1 inconclusive');
    expect(markdown).toContain('| recall@10 | 0.5000 | 0.0000 | −0.5000 | [−0.5000, −0.5000] | 0.063 (0.13) | 0.13 (0.25) | [−0.5000, −0.5000] | maxDrop 0.1, α 0.2 | ❌ fail |');
    expect(markdown).toContain('| ❔ inconclusive |');
    expect(markdown).toContain('a<b> & "c" × bm25\\|x');
    expect(renderComparisonTable(comparison)).toMatch(/^gate FAILED \(1 metric, 1 inconclusive\)/);
    const junit = renderJUnit(comparison);
    expect(junit).toContain('<testsuite name="a&lt;b&gt; &amp; &quot;c&quot; × bm25|x" tests="2" failures="2"');
    expect(junit).toMatch(/<testcase name="recall@10"[^>]*>\s*<failure message="recall@10 dropped by 0.5000, Δ ≤ −0.5000 &lt; −maxDrop \(−0.1\)[^"]*" type="RegressionGate"/);
    expect(junit).toMatch(/<testcase name="ndcg@10"[^>]*>\s*<failure message="ndcg@10 inconclusive: [^"]*" type="InconclusiveGate"/);
    expect(junit).not.toMatch(/<b>|& /);
  });
});
