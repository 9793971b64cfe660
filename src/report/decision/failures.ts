import type { FailingExample, FailureCategory } from './summary.js';

/** One answered question as the failure rules see it. */
export interface AnsweredQuestion {
  readonly queryId: string;
  readonly question: string;
  readonly answer: string;
  readonly label?: string;
  /** The gold label of a decision task. */
  readonly goldLabel?: string;
  /** Gold answer texts (the long answer for PubMedQA). */
  readonly goldAnswers: readonly string[];
  readonly scores: Readonly<Record<string, number | null>>;
}

interface FailureThresholds {
  readonly primaryMetric: string;
  readonly faithfulEnough: number;
}

/** A question fails when its primary score is below this (half marks: wrong for 0/1 metrics, poor for F1). */
const failingBelow = 0.5;

/**
 * Why an answer failed, deterministic and in this order (a question may have several):
 * - empty-answer: the answer holds no letter or digit;
 * - missing-decision: a yes/no/maybe question answered without a label (a format error);
 * - wrong-decision: the label differs from the gold label;
 * - judged-incorrect: correctness-llm below 0.5;
 * - unfaithful: faithfulness-llm (else faithfulness-lexical) below `faithfulEnough`;
 * - overlong-answer: more than max(80, 3 × the longest gold answer) words (a style error);
 * - low-overlap: token-f1 below 0.5 when the primary metric is token-f1 or exact-match (wording is the task).
 * A question is failing when its primary score is below 0.5 or it is empty, label-less, judged incorrect or unfaithful; only failing
 * questions are categorised. Returns [] for a question that does not fail.
 */
export function categorizeFailure(q: AnsweredQuestion, thresholds: FailureThresholds): FailureCategory[] {
  const categories: FailureCategory[] = [];
  const score = (metric: string) => q.scores[metric] ?? null;
  if (!/[\p{L}\p{N}]/u.test(q.answer)) categories.push('empty-answer');
  if (q.goldLabel !== undefined && !q.label) categories.push('missing-decision');
  if (q.goldLabel !== undefined && q.label && q.label !== q.goldLabel) categories.push('wrong-decision');
  if ((score('correctness-llm') ?? 1) < 0.5) categories.push('judged-incorrect');
  const faithfulness = score('faithfulness-llm') ?? score('faithfulness-lexical');
  if (faithfulness !== null && faithfulness < thresholds.faithfulEnough) categories.push('unfaithful');
  const words = wordCount(q.answer);
  if (words > Math.max(80, 3 * Math.max(0, ...q.goldAnswers.map(wordCount)))) categories.push('overlong-answer');
  // Wording overlap is a failure only where wording is the task (not for a yes/no label judged by its label).
  const wordingTask = thresholds.primaryMetric === 'token-f1' || thresholds.primaryMetric === 'exact-match';
  if (wordingTask && (score('token-f1') ?? 1) < failingBelow) categories.push('low-overlap');
  const primary = score(thresholds.primaryMetric);
  const hard = categories.some((c) => c === 'empty-answer' || c === 'missing-decision' || c === 'unfaithful' || c === 'judged-incorrect');
  return (primary !== null && primary < failingBelow) || hard ? categories : [];
}

interface ArmFailures {
  readonly failing: number;
  readonly counts: Partial<Record<FailureCategory, number>>;
  readonly top: FailingExample[];
}

/** Categorises every question of an arm; the `limit` worst (lowest primary, then lowest faithfulness, then id) are shown. */
export function summarizeFailures(questions: readonly AnsweredQuestion[], thresholds: FailureThresholds, limit = 5): ArmFailures {
  const failing = questions
    .map((q) => ({ q, categories: categorizeFailure(q, thresholds) }))
    .filter((f) => f.categories.length > 0 || (f.q.scores[thresholds.primaryMetric] ?? 1) < failingBelow);
  const counts: Partial<Record<FailureCategory, number>> = {};
  for (const { categories } of failing) for (const c of categories) counts[c] = (counts[c] ?? 0) + 1;
  const rank = (q: AnsweredQuestion) => [q.scores[thresholds.primaryMetric] ?? 0, q.scores['faithfulness-llm'] ?? q.scores['faithfulness-lexical'] ?? 1];
  const sorted = [...failing].sort((x, y) => {
    const [a1, a2] = rank(x.q);
    const [b1, b2] = rank(y.q);
    return a1! - b1! || a2! - b2! || (x.q.queryId < y.q.queryId ? -1 : x.q.queryId > y.q.queryId ? 1 : 0);
  });
  return {
    failing: failing.length,
    counts,
    top: sorted.slice(0, limit).map(({ q, categories }) => ({
      queryId: q.queryId,
      question: q.question,
      gold: shorten([q.goldLabel, ...q.goldAnswers.filter((a) => a !== q.goldLabel)].filter(Boolean).join(': '), 300),
      answer: shorten([q.label, q.answer].filter(Boolean).join(': '), 400) || '(empty)',
      categories,
      why: explain(q, categories, thresholds),
    })),
  };
}

const categoryText: Readonly<Record<FailureCategory, string>> = {
  'empty-answer': 'said nothing',
  'missing-decision': 'gave no yes/no/maybe label',
  'wrong-decision': 'wrong yes/no/maybe label',
  'judged-incorrect': 'the judge called it incorrect',
  unfaithful: 'not supported by its passages',
  'overlong-answer': 'far longer than the reference',
  'low-overlap': 'little overlap with the reference wording',
};

function explain(q: AnsweredQuestion, categories: readonly FailureCategory[], thresholds: FailureThresholds): string {
  const reasons = categories.map((c) => categoryText[c]);
  const primary = q.scores[thresholds.primaryMetric];
  const scores = Object.entries(q.scores)
    .filter(([, v]) => v !== null)
    .map(([metric, v]) => `${metric} ${v!.toFixed(2)}`);
  const label = q.goldLabel && q.label && q.label !== q.goldLabel ? ` (said ${q.label}, gold ${q.goldLabel})` : '';
  const head = reasons.length > 0 ? reasons.join('; ') : `low ${thresholds.primaryMetric} (${primary?.toFixed(2) ?? 'n/a'})`;
  return `${head}${label}${scores.length > 0 ? ` — ${scores.join(', ')}` : ''}`;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

function shorten(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1).trimEnd()}…`;
}
