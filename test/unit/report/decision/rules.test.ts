import { describe, expect, it } from 'vitest';
import { categorizeFailure, summarizeFailures, type AnsweredQuestion } from '../../../../src/report/decision/failures.js';
import { readComparison, recommend } from '../../../../src/report/decision/rules.js';
import { arm, bm25, comparison, estimate, local, settings } from './fixture.js';

describe('recommend', () => {
  it('says prompt-only when closed-book is within the margin of retrieval (CI inside ±margin) and good enough', () => {
    const rec = recommend({
      settings,
      arms: [arm('closed-book', 'closed-book', 0.85), arm(bm25, 'retrieved', 0.86), arm('gold', 'gold', 0.9)],
      comparisons: [comparison(bm25, 'closed-book', 0.01, 0.015, 0.6), comparison('gold', bm25, 0.04, 0.02, 0.01)],
    });
    expect(rec.verdict).toBe('prompt-only');
    expect(rec.smallSample).toBe(false);
    expect(rec.evidence.join('\n')).toMatch(/Closed-book decision-accuracy is 0\.850 \[0\.830, 0\.870\], at or above the good-enough bar of 0\.7/);
    expect(rec.evidence.join('\n')).toMatch(/\+0\.010 \[−0\.005, \+0\.025\], inside ±0\.03/);
  });

  it('says prompt-only when retrieval makes good closed-book answers clearly worse', () => {
    const rec = recommend({
      settings,
      arms: [arm('closed-book', 'closed-book', 0.9), arm(bm25, 'retrieved', 0.75), arm('gold', 'gold', 0.8)],
      comparisons: [comparison(bm25, 'closed-book', -0.15, 0.04, 0.001), comparison('gold', bm25, 0.05, 0.04, 0.04)],
    });
    expect(rec.verdict).toBe('prompt-only');
    expect(rec.evidence.join('\n')).toMatch(/retrieval makes answers worse/);
  });

  it('says rag when retrieval clearly beats closed-book and is equivalent to the gold passages', () => {
    const rec = recommend({
      settings,
      arms: [arm('closed-book', 'closed-book', 0.4), arm(bm25, 'retrieved', 0.82), arm('gold', 'gold', 0.83)],
      comparisons: [comparison(bm25, 'closed-book', 0.42, 0.05, 0.0005), comparison('gold', bm25, 0.01, 0.015, 0.5)],
    });
    expect(rec.verdict).toBe('rag');
    expect(rec.headline).toContain('recursive-800 chunks, bm25 retriever');
    expect(rec.evidence[0]).toMatch(/beats closed-book by \+0\.420 \[\+0\.370, \+0\.470\].*Holm p = < 0\.001/);
    expect(rec.evidence[1]).toMatch(/within ±0\.03 of the gold passages/);
  });

  it('says improve-retrieval when gold clearly beats the best retrieved arm, naming it and its recall gap', () => {
    const recall = (mean: number) => ({ 'context-recall': estimate(mean) });
    const rec = recommend({
      settings,
      arms: [
        arm('closed-book', 'closed-book', 0.4),
        arm(bm25, 'retrieved', 0.6, recall(0.55)),
        arm(local, 'retrieved', 0.64, recall(0.62)),
        arm('gold', 'gold', 0.85),
      ],
      comparisons: [
        comparison(bm25, 'closed-book', 0.2, 0.05, 0.001),
        comparison('gold', bm25, 0.25, 0.05, 0.001),
        comparison(local, 'closed-book', 0.24, 0.05, 0.001),
        comparison('gold', local, 0.21, 0.05, 0.001),
      ],
    });
    expect(rec.verdict).toBe('improve-retrieval');
    const text = rec.evidence.join('\n');
    expect(text).toContain(`beat the best retrieval (${local}) by +0.210`);
    expect(text).toContain('chunker recursive-800 with retriever local');
    expect(text).toMatch(/62% of the gold passages.*recall gap of 38%/);
  });

  it('says fine-tune-or-stronger-model when even gold passages fall below the bar, with failure categories', () => {
    const gold = { ...arm('gold', 'gold', 0.55), failureCounts: { 'wrong-decision': 80, 'missing-decision': 10 }, failing: 90 };
    const rec = recommend({
      settings,
      arms: [arm('closed-book', 'closed-book', 0.3), arm(bm25, 'retrieved', 0.5), gold],
      comparisons: [comparison(bm25, 'closed-book', 0.2, 0.05, 0.001), comparison('gold', bm25, 0.05, 0.05, 0.2)],
    });
    expect(rec.verdict).toBe('fine-tune-or-stronger-model');
    expect(rec.evidence.join('\n')).toMatch(/0\.550 \[0\.530, 0\.570\], below the good-enough bar of 0\.7/);
    expect(rec.evidence.join('\n')).toContain('90 questions fail even with the gold passages: wrong-decision 80, missing-decision 10');
  });

  it('draws no model conclusion from a heuristic answerer: inconclusive, with the retrieval findings kept', () => {
    const gold = { ...arm('gold', 'gold', 0.55), failureCounts: { 'wrong-decision': 80 }, failing: 80 };
    const retrieved = arm(bm25, 'retrieved', 0.5, { 'context-recall': estimate(0.62) });
    const rec = recommend({
      settings,
      arms: [arm('closed-book', 'closed-book', 0.3), retrieved, gold],
      comparisons: [comparison(bm25, 'closed-book', 0.2, 0.05, 0.001), comparison('gold', bm25, 0.05, 0.05, 0.2)],
      heuristicAnswerer: 'extractive (offline heuristic): a regex labels yes/no/maybe',
    });
    // The same evidence with a model answerer says fine-tune-or-stronger-model (previous test): not from a regex.
    expect(rec.verdict).toBe('inconclusive');
    expect(rec.leaning).toBeUndefined();
    expect(rec.heuristicAnswerer).toContain('extractive');
    const text = rec.evidence.join('\n');
    expect(text).toContain('The answerer is a heuristic, not a language model: extractive');
    expect(text).toMatch(/62% of the gold passages in its top 5 chunks/);
    expect(text).toContain(`gold passages vs the best retrieval (${bm25})`);
    expect(text).toContain('inconclusive: run with an LLM answerer');
    expect(`${rec.headline}\n${text}`).not.toMatch(/fine-tune the model|stronger model/i);
  });

  it('says fine-tune-or-stronger-model when answers with gold passages are correct enough but unfaithful', () => {
    const rec = recommend({
      settings,
      arms: [arm('closed-book', 'closed-book', 0.3), arm(bm25, 'retrieved', 0.8), arm('gold', 'gold', 0.8, { 'faithfulness-lexical': estimate(0.3) })],
      comparisons: [comparison(bm25, 'closed-book', 0.5, 0.05, 0.001), comparison('gold', bm25, 0, 0.01, 1)],
    });
    expect(rec.verdict).toBe('fine-tune-or-stronger-model');
    expect(rec.evidence.join('\n')).toMatch(/faithfulness-lexical\) is 0\.300/);
  });

  it('is inconclusive with a small-sample flag when the gold gap is neither within the margin nor significant', () => {
    const rec = recommend({
      settings,
      arms: [arm('closed-book', 'closed-book', 0.4), arm(bm25, 'retrieved', 0.75), arm('gold', 'gold', 0.8)],
      comparisons: [comparison(bm25, 'closed-book', 0.35, 0.05, 0.001, 100), comparison('gold', bm25, 0.05, 0.08, 0.3, 100)],
    });
    expect(rec.verdict).toBe('inconclusive');
    expect(rec.leaning).toBe('improve-retrieval');
    expect(rec.smallSample).toBe(true);
    // half-width 0.08 vs margin 0.03 on 100 questions: 100 × (0.08 / 0.03)² = 711.1 → 712.
    expect(rec.smallSampleNotes).toHaveLength(1);
    expect(rec.smallSampleNotes[0]).toMatch(/gold vs retrieved: .* ±0\.080, wider than the ±0\.03 margin; about 712 questions \(now 100\)/);
    expect(rec.evidence.join('\n')).toMatch(/Gold passages vs retrieval: \+0\.050 .*unclear/);
  });

  it('is inconclusive without leaning when every difference is inside the margin but no arm is good enough and gold is fine', () => {
    const rec = recommend({
      settings: { ...settings, goodEnough: 0.5 },
      arms: [arm('closed-book', 'closed-book', 0.45), arm(bm25, 'retrieved', 0.46), arm('gold', 'gold', 0.6)],
      comparisons: [comparison(bm25, 'closed-book', 0.01, 0.1, 0.8), comparison('gold', bm25, 0.02, 0.1, 0.8)],
    });
    expect(rec.verdict).toBe('inconclusive');
    expect(rec.leaning).toBeUndefined();
    expect(rec.smallSampleNotes).toHaveLength(2);
  });

  it('is inconclusive when an arm is missing', () => {
    const rec = recommend({ settings, arms: [arm('closed-book', 'closed-book', 0.4), arm(bm25, 'retrieved', 0.7)], comparisons: [comparison(bm25, 'closed-book', 0.3, 0.05, 0.001)] });
    expect(rec.verdict).toBe('inconclusive');
    expect(rec.headline).toMatch(/Not enough data/);
  });
});

describe('readComparison', () => {
  it.each([
    [0.01, 0.02, 0.5, 'about the same'],
    [0.1, 0.05, 0.01, 'clearly better'],
    [-0.1, 0.05, 0.01, 'clearly worse'],
    [0.1, 0.05, 0.2, 'unclear'],
    [0.02, 0.05, 0.5, 'unclear'],
  ] as const)('difference %d ± %d with Holm p %d reads %s', (diff, halfWidth, p, reading) => {
    expect(readComparison(comparison('a', 'b', diff, halfWidth, p), settings)).toBe(reading);
  });
});

describe('failure categories', () => {
  const base: AnsweredQuestion = { queryId: 'q', question: 'Q?', answer: 'Yes, it does.', label: 'yes', goldLabel: 'yes', goldAnswers: ['It does.'], scores: { 'decision-accuracy': 1, 'faithfulness-lexical': 0.9 } };
  const thresholds = { primaryMetric: 'decision-accuracy', faithfulEnough: 0.5 };

  it.each([
    ['a correct, faithful answer', {}, []],
    ['a wrong label', { label: 'no', scores: { 'decision-accuracy': 0, 'faithfulness-lexical': 0.9 } }, ['wrong-decision']],
    ['an empty answer without a label', { answer: ' ', label: undefined, scores: { 'decision-accuracy': null } }, ['empty-answer', 'missing-decision']],
    ['an unfaithful right answer', { scores: { 'decision-accuracy': 1, 'faithfulness-lexical': 0.2 } }, ['unfaithful']],
    ['a wrong, overlong answer', { label: 'no', answer: 'word '.repeat(90), scores: { 'decision-accuracy': 0 } }, ['wrong-decision', 'overlong-answer']],
    ['a judged-incorrect answer', { scores: { 'decision-accuracy': 1, 'correctness-llm': 0 } }, ['judged-incorrect']],
  ] as const)('%s', (_, change, expected) => {
    const q = { ...base, ...change } as AnsweredQuestion;
    expect(categorizeFailure(q, thresholds)).toEqual(expected);
  });

  it('counts low overlap only when wording is the task, and shows the worst first', () => {
    const q = { ...base, scores: { 'token-f1': 0.1, 'decision-accuracy': 1 } };
    expect(categorizeFailure(q, thresholds)).toEqual([]);
    expect(categorizeFailure(q, { ...thresholds, primaryMetric: 'token-f1' })).toEqual(['low-overlap']);
    const summary = summarizeFailures(
      [
        { ...q, queryId: 'b', scores: { 'token-f1': 0.3 } },
        { ...q, queryId: 'a', scores: { 'token-f1': 0.1 } },
        { ...q, queryId: 'c', scores: { 'token-f1': 0.9 } },
      ],
      { ...thresholds, primaryMetric: 'token-f1' },
    );
    expect(summary.failing).toBe(2);
    expect(summary.counts).toEqual({ 'low-overlap': 2 });
    expect(summary.top.map((f) => f.queryId)).toEqual(['a', 'b']);
    expect(summary.top[0]!.gold).toBe('yes: It does.');
    expect(summary.top[0]!.why).toMatch(/^little overlap with the reference wording — token-f1 0\.10/);
  });
});
