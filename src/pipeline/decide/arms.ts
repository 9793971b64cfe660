import type { AnswersConfig } from '../../answers/answers-config.js';
import type { QaSet } from '../../corpus/qa.js';
import type { Query } from '../../corpus/types.js';
import { defaultPrices, priceOf, type PriceTable } from '../../llms/ledger.js';
import { summarizeFailures, type AnsweredQuestion } from '../../report/decision/failures.js';
import type { ArmCost, DecisionArm, DecisionArmKind, DecisionSettings } from '../../report/decision/summary.js';
import type { ArmAnswers } from '../answer/answering.js';
import type { QueryResult } from '../run/results.js';

/** One answered arm of `ragbench decide` before it becomes a report row. */
export interface AnsweredArm {
  readonly name: string;
  readonly kind: DecisionArmKind;
  readonly chunker?: string;
  readonly retriever?: string;
  readonly answers: ArmAnswers;
  readonly recallCurve?: readonly number[];
}

/** The report row of an arm: estimates (already bootstrapped by the answer step), cost and categorised failures. */
export function toDecisionArm(
  arm: AnsweredArm,
  context: { readonly queries: readonly Query[]; readonly qa: QaSet; readonly settings: DecisionSettings; readonly price: PriceLookup },
): DecisionArm {
  const questions: AnsweredQuestion[] = context.queries.flatMap((query) => {
    const answer = arm.answers.perQuery.get(query.id);
    if (!answer) return [];
    const item = context.qa.get(query.id);
    return [
      {
        queryId: query.id,
        question: answer.question,
        answer: answer.answer.text,
        ...(answer.answer.label ? { label: answer.answer.label } : {}),
        ...(item?.decision ? { goldLabel: item.decision } : {}),
        goldAnswers: item ? [...(item.longAnswer ? [item.longAnswer] : []), ...item.answers.filter((a) => a !== item.decision)] : [],
        scores: answer.scores,
      },
    ];
  });
  const failures = summarizeFailures(questions, context.settings);
  return {
    name: arm.name,
    kind: arm.kind,
    ...(arm.chunker ? { chunker: arm.chunker } : {}),
    ...(arm.retriever ? { retriever: arm.retriever } : {}),
    metrics: arm.answers.estimates,
    cost: costOf(arm.answers, questions.length, context.price),
    ...(arm.recallCurve ? { recallCurve: arm.recallCurve } : {}),
    failureCounts: failures.counts,
    failing: failures.failing,
    topFailures: failures.top,
  };
}

/** What the answerer's model costs per 1M tokens, or why it has no price (null: an offline answerer, free). */
type PriceLookup = { readonly model: string | null; readonly input: number; readonly output: number } | { readonly model: string; readonly reason: string };

/** The answerer's model as configured (`answerer: { kind: llm, model: { kind: openai, model: … } }`), priced. */
export function answererPrice(config: AnswersConfig, prices: PriceTable = {}): PriceLookup {
  const modelConfig = config.answerer.options.model as { options?: { model?: unknown } } | undefined;
  const model = typeof modelConfig?.options?.model === 'string' ? modelConfig.options.model : null;
  if (model === null) return { model: null, input: 0, output: 0 };
  const price = priceOf(model, { ...defaultPrices, ...prices });
  if (!price) return { model, reason: `no price for ${model}; add prices: { ${model}: { input, output } } (USD per 1M tokens)` };
  return { model, ...price };
}

/** Answer tokens (cached answers included: a run without the cache pays for them) and their list-price cost. */
function costOf(answers: ArmAnswers, questions: number, price: PriceLookup): ArmCost {
  const { inputTokens, outputTokens } = answers.usage;
  if ('reason' in price) return { questions, inputTokens, outputTokens, usd: null, reason: price.reason };
  return { questions, inputTokens, outputTokens, usd: (inputTokens * price.input + outputTokens * price.output) / 1e6 };
}

/** results.jsonl lines for an arm without retrieval (closed-book, gold, whole-corpus): answers only, no retrieval metrics. */
export function answerResults(arm: AnsweredArm): QueryResult[] {
  return [...arm.answers.perQuery.values()].map((a) => ({
    arm: arm.name,
    queryId: a.queryId,
    metrics: {},
    top: [],
    answer: {
      text: a.answer.text,
      ...(a.answer.label ? { label: a.answer.label } : {}),
      contextIds: a.contextIds,
      scores: a.scores,
      reasons: a.reasons,
    },
  }));
}
