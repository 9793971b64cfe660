/** What `ragbench decide` found, for renderers (Markdown, HTML, JSON). Plain data, no behaviour. */
import type { MetricEstimate, ScoredEstimate } from '../run/summary.js';

/** closed-book: the question only; retrieved: a chunker × retriever's top chunks; gold: the QA's passages; whole-corpus: every document. */
export type DecisionArmKind = 'closed-book' | 'retrieved' | 'gold' | 'whole-corpus';

export type Verdict = 'prompt-only' | 'rag' | 'improve-retrieval' | 'fine-tune-or-stronger-model' | 'inconclusive';

/** Why an answer failed; see `categorizeFailure` (decision-failures.ts) for the exact rules. */
export type FailureCategory =
  | 'empty-answer'
  | 'missing-decision'
  | 'wrong-decision'
  | 'judged-incorrect'
  | 'unfaithful'
  | 'overlong-answer'
  | 'low-overlap';

export interface FailingExample {
  readonly queryId: string;
  readonly question: string;
  /** The reference: label and/or gold answer text, shortened for the report. */
  readonly gold: string;
  readonly answer: string;
  readonly categories: readonly FailureCategory[];
  /** The categories in words with the scores behind them. */
  readonly why: string;
}

/** Model usage of an arm's answers (judge calls excluded): what serving this setup would cost for these questions. */
export interface ArmCost {
  readonly questions: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** null with a reason when the answerer's model has no price (never reported as free); 0 for offline answerers. */
  readonly usd: number | null;
  readonly reason?: string;
}

export interface DecisionArm {
  /** `closed-book`, `retrieved: <chunker> × <retriever>`, `gold`, `whole-corpus`. */
  readonly name: string;
  readonly kind: DecisionArmKind;
  readonly chunker?: string;
  readonly retriever?: string;
  /** Answer metric → estimate over the questions it could score. */
  readonly metrics: Readonly<Record<string, ScoredEstimate>>;
  readonly cost: ArmCost;
  /** Retrieved arms: recall@k of the judged documents for k = 1..depth (index 0 is k = 1). */
  readonly recallCurve?: readonly number[];
  /** Failing questions per category (a question may fall in several). */
  readonly failureCounts: Readonly<Partial<Record<FailureCategory, number>>>;
  /** Questions that failed (primary metric < 0.5, or empty, label-less or unfaithful). */
  readonly failing: number;
  /** The worst few, worst first. */
  readonly topFailures: readonly FailingExample[];
}

export interface SkippedArm {
  readonly name: string;
  readonly reason: string;
}

/** A paired comparison `a − b` on the primary metric over the questions both arms could score. */
export interface ArmComparison {
  readonly a: string;
  readonly b: string;
  readonly metric: string;
  readonly n: number;
  readonly meanA: number;
  readonly meanB: number;
  /** Mean of a − b with its paired-bootstrap interval. */
  readonly difference: MetricEstimate;
  /** Two-sided paired randomization p. */
  readonly p: number;
  /** Holm-adjusted across every comparison of the report. */
  readonly pHolm: number;
}

export interface DecisionSettings {
  readonly primaryMetric: string;
  readonly goodEnough: number;
  readonly equivalenceMargin: number;
  readonly alpha: number;
  readonly faithfulEnough: number;
  readonly confidence: number;
  readonly contextWindowTokens: number;
  readonly contextK: number;
  readonly depth: number;
}

export interface Recommendation {
  readonly verdict: Verdict;
  /** One plain-language sentence for a product manager. */
  readonly headline: string;
  /** The numbers behind the verdict, one finding per line. */
  readonly evidence: readonly string[];
  /** For 'inconclusive': what the point estimates lean towards, if anything. */
  readonly leaning?: Exclude<Verdict, 'inconclusive'>;
  /** Some interval is wider than the equivalence margin: more questions would sharpen the answer. */
  readonly smallSample: boolean;
  readonly smallSampleNotes: readonly string[];
  /** Set when the answerer was a heuristic: no conclusion about model behaviour was drawn (see decision-rules). */
  readonly heuristicAnswerer?: string;
}

export interface DecisionReport {
  readonly evalName: string;
  readonly runId: string;
  readonly createdAt: string;
  readonly corpus: { readonly name: string; readonly documents: number; readonly estimatedTokens: number };
  readonly questions: number;
  readonly answerer: string;
  readonly answerMetrics: readonly string[];
  readonly settings: DecisionSettings;
  readonly arms: readonly DecisionArm[];
  readonly skipped: readonly SkippedArm[];
  readonly comparisons: readonly ArmComparison[];
  readonly recommendation: Recommendation;
}
