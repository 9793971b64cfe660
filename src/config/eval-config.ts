import { z } from 'zod';
import { answersConfigSchema } from '../answers/answers-config.js';
import { priceTableSchema } from '../llms/ledger.js';
import { answerMetricNames } from '../metrics/answers.js';
import { parseMetricName } from '../metrics/retrieval.js';

/** A reference to another config: a name (`recursive-800` → `../chunkers/recursive-800.yaml`), a path, or inline. */
const reference = z.union([z.string().min(1), z.looseObject({ kind: z.string() })]);

/**
 * One metric's regression gate, a non-inferiority test (src/stats/non-inferiority.ts): with Δ = candidate −
 * baseline and L, U its one-sided paired-bootstrap bounds at 1 − alpha/F (F = gated arm × metric checks of the
 * comparison, Bonferroni), the metric passes when L ≥ −maxDrop, fails when U < −maxDrop, and is inconclusive
 * otherwise (more queries would decide). It also fails when its mean is below `minValue` or (answer metrics) too
 * many of its candidate queries could not be scored.
 */
export const gateRuleSchema = z.strictObject({
  /** The largest tolerated drop of the mean (the non-inferiority margin); default 0. */
  maxDrop: z.number().nonnegative().default(0),
  /** Family-wise error level, split over the F gated checks of the comparison; default 0.05. */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /** Absolute floor for the candidate's observed mean, checked regardless of the baseline (a product rule, no test). */
  minValue: z.number().optional(),
  /**
   * Answer metrics: the largest share of the candidate's queries the metric may leave unscored (null: judge error,
   * invalid JSON, …) before the gate fails; default 0.1 (`unreliableNullShare`). Nulls are left out of the mean,
   * so without this an answer that breaks the judge would vanish instead of failing.
   */
  maxNullShare: z.number().min(0).max(1).optional(),
  /** What an inconclusive check does to the exit code: `fail` (exit 1, the default) or `pass`. Set for all rules by `gate.onInconclusive`. */
  onInconclusive: z.enum(['fail', 'pass']).optional(),
});
export type GateRule = z.output<typeof gateRuleSchema>;

/**
 * `gate: { ndcg@10: { maxDrop: 0.01 }, onInconclusive: fail }`; keys are canonicalised metric names (`NDCG@10` →
 * `ndcg@10`), or answer metric names (`token-f1`, `correctness-llm`, …) as written in answers.metrics. The one
 * other key, `onInconclusive: fail|pass`, is copied into every rule that does not set its own.
 */
export const gateSchema = z
  .preprocess((value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, 'onInconclusive')) return value;
    const { onInconclusive, ...rules } = value as Record<string, unknown>;
    if (onInconclusive !== 'fail' && onInconclusive !== 'pass') return value; // the rule schema reports the bad value
    return Object.fromEntries(
      Object.entries(rules).map(([metric, rule]) => [metric, rule !== null && typeof rule === 'object' ? { onInconclusive, ...rule } : rule]),
    );
  }, z.record(z.string(), gateRuleSchema))
  .transform((gate, ctx) => {
    const canonical: Record<string, GateRule> = {};
    for (const [metric, rule] of Object.entries(gate)) {
      if (isAnswerMetric(metric)) {
        canonical[metric] = rule;
        continue;
      }
      try {
        canonical[parseMetricName(metric).label] = rule;
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: [metric], message: (error as Error).message });
      }
    }
    return canonical;
  });
export type Gate = z.output<typeof gateSchema>;

/** Answer metrics that say whether an answer is right, so `ragbench decide` can rank arms by one of them. */
export const decisionMetricNames = ['decision-accuracy', 'correctness-llm', 'token-f1', 'exact-match'] as const;

/**
 * `decide:` — how `ragbench decide` turns per-arm scores into a recommendation (src/report/decision/rules.ts).
 * "≈" means the 95% CI of a paired difference lies inside ±equivalenceMargin; "≫" means the difference exceeds the
 * margin and is significant (Holm-adjusted randomization p < alpha).
 */
export const decideConfigSchema = z.strictObject({
  /** The correctness metric arms are compared on; default: the first of decisionMetricNames in answers.metrics. */
  primaryMetric: z.enum(decisionMetricNames).optional(),
  /** The primary metric's mean an arm needs to be usable as is; default 0.7. */
  goodEnough: z.number().gt(0).lte(1).default(0.7),
  /** Differences smaller than this are "the same" for the product; default 0.03 (3 points). */
  equivalenceMargin: z.number().gt(0).lt(1).default(0.03),
  /** Family-wise significance level across all the paired comparisons (Holm); default 0.05. */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /** Faithfulness (faithfulness-llm, else faithfulness-lexical) below this marks an answer unfaithful; default 0.5. */
  faithfulEnough: z.number().gt(0).lt(1).default(0.5),
  /** The whole-corpus arm runs only when the corpus (≈ characters / 4 tokens) fits this; default 128,000. */
  contextWindowTokens: z.int().positive().default(128_000),
});
/**
 * `annRecall:` — every arm whose retriever searches through an ANN index (HNSW, IVFFlat) also searches a seeded
 * sample of its queries exactly and reports ANN recall@k: the share of the exact top-k chunks the ANN top-k found.
 * Below `minRecall` the run warns, naming the setting to raise; with `gate: true` it also fails (exit code 1).
 */
const annRecallConfigSchema = z.strictObject({
  /** Queries sampled (without replacement, seeded); all of them when there are fewer. */
  queries: z.int().min(1).default(50),
  k: z.int().min(1).max(1000).default(10),
  /** 0.95: below it the ANN index loses more than 1 in 20 of the true nearest chunks, enough to move metrics. */
  minRecall: z.number().gt(0).lte(1).default(0.95),
  /** Fail the run (exit code 1, after writing it) when an arm's ANN recall is below minRecall. */
  gate: z.boolean().default(false),
  seed: z.int().default(42),
});
export type AnnRecallConfig = z.output<typeof annRecallConfigSchema>;

/** `evals/*.yaml`: corpus × chunkers × retrievers × metrics. */
export const evalConfigSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'name may hold letters, digits, ".", "_" and "-"').optional(),
  description: z.string().optional(),
  corpus: z.union([z.string().min(1), z.looseObject({ path: z.string() })]),
  chunkers: z.array(reference).min(1, 'list at least one chunker'),
  retrievers: z.array(reference).min(1, 'list at least one retriever'),
  metrics: z.array(z.string()).min(1, 'list at least one metric, e.g. ndcg@10').default(['recall@10', 'mrr@10', 'ndcg@10']),
  /**
   * A fixed chunk budget: exactly this many chunks retrieved per query before mapping to documents. Default
   * (absent): retrieve deeper until each query has k distinct documents for the largest document cut-off (and
   * fills the largest token budget), up to `maxDepth` chunks; queries still short are counted per arm.
   */
  depth: z.number().int().positive().optional(),
  /** The cap on automatic retrieval depth, in chunks per query; default 1000. Not used with an explicit depth. */
  maxDepth: z.number().int().positive().optional(),
  /** Score queries with no relevant documents as 0 instead of leaving them out (trec_eval -c). */
  includeUnjudged: z.boolean().default(false),
  /**
   * Chunk-level metrics against labelled character spans (`qrels/<split>.spans.jsonl`): span-recall@k,
   * span-precision@k, span-iou@k, and context-tokens@k (≈ tokens a generator is sent per query).
   */
  spanMetrics: z.array(z.string()).optional(),
  /** Evaluate only the first N queries (a quick look before a full run). */
  queryLimit: z.number().int().positive().optional(),
  bootstrap: z
    .strictObject({
      resamples: z.number().int().min(100).default(2000),
      confidence: z.number().gt(0).lt(1).default(0.95),
      seed: z.number().int().default(42),
    })
    .default({ resamples: 2000, confidence: 0.95, seed: 42 }),
  /**
   * Paired comparisons between the run's arms (summary.json `pairwise`): every pair of arms (default) or each arm
   * against `baseline` (a `<chunker> × <retriever>` arm name: a smaller family, more power), per metric; p-values
   * adjusted over all entries of the run with `correction` (holm: family-wise error; bh: false discovery rate).
   */
  compare: z
    .strictObject({
      baseline: z.string().min(1).optional(),
      correction: z.enum(['holm', 'bh']).default('holm'),
      alpha: z.number().gt(0).lt(1).default(0.05),
      /**
       * Most Monte Carlo sign vectors per randomization test when it is not exact (> 20 non-zero differences);
       * 'auto': enough for the family's strictest threshold α/F (20× finer, at least 10,000), each test stopping
       * once its p is settled.
       */
      permutations: z.union([z.literal('auto'), z.int().min(99)]).default('auto'),
    })
    .prefault({}),
  /** ANN recall against exact search, measured for every approximate arm (defaults when absent). */
  annRecall: annRecallConfigSchema.prefault({}),
  /** Regression gate checked by `ragbench compare` and `ragbench run --baseline`. */
  gate: gateSchema.optional(),
  /** Generate answers from each arm's retrieved chunks and score them (needs a QA file beside the corpus). */
  answers: answersConfigSchema.optional(),
  /** USD per 1M input/output tokens, over the built-in table, for the run's cost ledger. */
  prices: priceTableSchema.optional(),
  /** Settings of `ragbench decide` (prompt-only vs RAG vs fine-tuning); needs an answers: section. */
  decide: decideConfigSchema.optional(),
}).superRefine((config, ctx) => {
  if (config.depth !== undefined && config.maxDepth !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['maxDepth'], message: 'maxDepth caps the automatic depth; with an explicit depth it has no effect (remove one)' });
  }
  const primary = config.decide?.primaryMetric;
  if (primary && config.answers && !config.answers.metrics.includes(primary)) {
    ctx.addIssue({ code: 'custom', path: ['decide', 'primaryMetric'], message: `${primary} is not in answers.metrics (${config.answers.metrics.join(', ')})` });
  }
  // A gate on a metric the run does not compute could never fail: reject it at load time.
  if (!config.gate) return;
  const labels = new Set([...config.metrics.flatMap((metric) => labelOf(metric) ?? []), ...(config.answers?.metrics ?? [])]);
  for (const metric of Object.keys(config.gate)) {
    if (labels.has(metric)) continue;
    const message = `gate on ${metric}, which is not in metrics (${config.metrics.join(', ')})${config.answers ? ` or answers.metrics (${config.answers.metrics.join(', ')})` : ''}`;
    ctx.addIssue({ code: 'custom', path: ['gate', metric], message });
  }
});

export type EvalConfig = z.output<typeof evalConfigSchema>;

function isAnswerMetric(metric: string): boolean {
  return (answerMetricNames as readonly string[]).includes(metric);
}

/** A metric's canonical label, or undefined when it does not parse (load-eval reports that with its place). */
function labelOf(metric: string): string | undefined {
  try {
    return parseMetricName(metric).label;
  } catch {
    return undefined;
  }
}
