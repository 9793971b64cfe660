import type { Answerer, ContextMode, ContextPassage, GeneratedAnswer } from '../../answers/answerer.js';
import { referenceAnswers, type QaItem, type QaSet } from '../../corpus/qa.js';
import type { Document, Query } from '../../corpus/types.js';
import type { ChatModel } from '../../llms/chat-model.js';
import { answerMetricNames, decisionAccuracy, exactMatch, judgeCorrectness, tokenF1, type AnswerMetricName } from '../../metrics/answers.js';
import { answerCoverage, goldPassageRecall } from '../../metrics/context-recall.js';
import { lexicalFaithfulness } from '../../metrics/faithfulness/model/lexical-alignment.js';
import { llmFaithfulness } from '../../metrics/faithfulness/judge/llm-judge.js';
import { unscorable, type ClaimVerdict, type Score } from '../../metrics/faithfulness/score.js';
import type { Hit } from '../../retrievers/retriever.js';
import { mapConcurrent } from '../../shared/batches.js';
import { ConfigError, DataError } from '../../shared/errors.js';
import { silentProgress, type Progress } from '../../shared/progress.js';

const judged: readonly AnswerMetricName[] = ['faithfulness-llm', 'correctness-llm'];

interface AnswerEvalPlan {
  /** The queries to answer, in order; the QA record (if any) gives the gold data. */
  readonly queries: readonly Query[];
  readonly qa: QaSet;
  /** docId → document: chunk text is sliced from it, gold passages are whole documents. */
  readonly documents: ReadonlyMap<string, Document>;
  /** queryId → chunk hits best first (`ArmEvaluation.chunkHits`); needed for `contexts: retrieved`. */
  readonly chunkHits?: ReadonlyMap<string, readonly Hit[]>;
  /** Default 'retrieved'. */
  readonly contexts?: ContextMode;
  /** Retrieved chunks shown to the answerer (ignored for gold and closed-book). */
  readonly contextK: number;
  readonly answerer: Answerer;
  readonly metrics: readonly string[];
  /** Required by faithfulness-llm and correctness-llm. */
  readonly judge?: ChatModel;
  /** faithfulness-llm samples per answer (spread in `details`); default 1. */
  readonly judgeSamples?: number;
  /** Queries answered at once; default 4 (a chat model also limits its own requests). */
  readonly concurrency?: number;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

export interface QueryAnswer {
  readonly queryId: string;
  readonly question: string;
  /** Ids of the passages the answerer saw, in order. */
  readonly contextIds: readonly string[];
  readonly answer: GeneratedAnswer;
  /** Metric → value in [0, 1], or null when it could not score (see `reasons`). */
  readonly scores: Readonly<Record<string, number | null>>;
  readonly reasons: Readonly<Record<string, string>>;
  /** Metric → numbers behind the value (claim counts, sample spread, …). */
  readonly details: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Metric → the judge's per-claim verdicts (faithfulness-llm), for reading why an answer scored as it did. */
  readonly claims?: Readonly<Record<string, readonly ClaimVerdict[]>>;
}

/** Mean over the scored queries only; `nulls` counts those left out. mean is null when none scored. */
interface MetricMean {
  readonly mean: number | null;
  readonly scored: number;
  readonly nulls: number;
}

export interface AnswerEvaluation {
  readonly perQuery: ReadonlyMap<string, QueryAnswer>;
  readonly means: Readonly<Record<string, MetricMean>>;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number; readonly cachedAnswers: number };
  readonly seconds: number;
}

/** Throws ConfigError for an unknown metric name or a judged metric without a judge. */
export function checkAnswerMetrics(metrics: readonly string[], hasJudge: boolean): AnswerMetricName[] {
  for (const metric of metrics) {
    if (!(answerMetricNames as readonly string[]).includes(metric)) {
      throw new ConfigError(`unknown answer metric "${metric}"`, { fix: `use: ${answerMetricNames.join(', ')}` });
    }
    if (judged.includes(metric as AnswerMetricName) && !hasJudge) {
      throw new ConfigError(`answer metric ${metric} needs a judge model`, { fix: 'add answers.judge: { kind: openai, model: … }' });
    }
  }
  return metrics as AnswerMetricName[];
}

/** queries → contexts → answers → answer metrics per query, and their means over non-null scores. */
export async function evaluateAnswers(plan: AnswerEvalPlan): Promise<AnswerEvaluation> {
  const started = performance.now();
  const metrics = checkAnswerMetrics(plan.metrics, plan.judge !== undefined);
  const mode = plan.contexts ?? 'retrieved';
  if (mode === 'retrieved' && !plan.chunkHits) throw new ConfigError('contexts: retrieved needs the chunk hits of a retrieval run');
  const progress = plan.progress ?? silentProgress;
  progress.start('answer (queries)', plan.queries.length);
  const answers = await mapConcurrent(plan.queries, plan.concurrency ?? 4, async (query) => {
    plan.signal?.throwIfAborted();
    const result = await answerOne(plan, metrics, mode, query);
    progress.advance(1);
    return result;
  });
  progress.done();
  const means: Record<string, MetricMean> = {};
  for (const metric of metrics) {
    const values = answers.map((a) => a.scores[metric]).filter((v): v is number => typeof v === 'number');
    means[metric] = {
      mean: values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null,
      scored: values.length,
      nulls: answers.length - values.length,
    };
  }
  const usage = {
    inputTokens: answers.reduce((sum, a) => sum + a.answer.inputTokens, 0),
    outputTokens: answers.reduce((sum, a) => sum + a.answer.outputTokens, 0),
    cachedAnswers: answers.filter((a) => a.answer.cached).length,
  };
  return { perQuery: new Map(answers.map((a) => [a.queryId, a])), means, usage, seconds: (performance.now() - started) / 1000 };
}

async function answerOne(plan: AnswerEvalPlan, metrics: readonly AnswerMetricName[], mode: ContextMode, query: Query): Promise<QueryAnswer> {
  const item = plan.qa.get(query.id);
  const question = item?.question ?? query.text;
  const contexts = contextsFor(plan, mode, query.id, item);
  const answer = await plan.answerer.answer(question, contexts, {
    ...(item?.decision ? { decision: true } : {}),
    ...(plan.signal ? { signal: plan.signal } : {}),
  });
  const scores: Record<string, number | null> = {};
  const reasons: Record<string, string> = {};
  const details: Record<string, Record<string, number>> = {};
  const claims: Record<string, readonly ClaimVerdict[]> = {};
  for (const metric of metrics) {
    const score = await scoreOne(metric, { plan, mode, question, item, contexts, answer });
    scores[metric] = score.value;
    if (score.value === null) reasons[metric] = score.reason;
    else {
      if (score.detail) details[metric] = { ...score.detail };
      if (score.claims) claims[metric] = score.claims;
    }
  }
  const judged = Object.keys(claims).length > 0 ? { claims } : {};
  return { queryId: query.id, question, contextIds: contexts.map((c) => c.id), answer, scores, reasons, details, ...judged };
}

interface Scoring {
  readonly plan: AnswerEvalPlan;
  readonly mode: ContextMode;
  readonly question: string;
  readonly item: QaItem | undefined;
  readonly contexts: readonly ContextPassage[];
  readonly answer: GeneratedAnswer;
}

async function scoreOne(metric: AnswerMetricName, s: Scoring): Promise<Score> {
  const { item, answer, contexts, plan } = s;
  const contextText = contexts.map((c) => c.text).join('\n\n');
  const noQa = unscorable('no QA record for this query');
  const noContext = unscorable('closed-book: no context');
  switch (metric) {
    case 'exact-match':
      return item ? exactMatch(answer.text, referenceAnswers(item)) : noQa;
    case 'token-f1':
      return item ? tokenF1(answer.text, referenceAnswers(item)) : noQa;
    case 'decision-accuracy':
      return item ? decisionAccuracy(answer.label, item.decision) : noQa;
    case 'context-recall':
      if (s.mode === 'closed-book') return noContext;
      return item ? goldPassageRecall(contexts.map((c) => c.docId), item.contextIds) : noQa;
    case 'answer-coverage':
      if (s.mode === 'closed-book') return noContext;
      return item ? answerCoverage(referenceAnswers(item), contextText) : noQa;
    case 'faithfulness-lexical':
      return s.mode === 'closed-book' ? noContext : lexicalFaithfulness(answer.text, contextText);
    case 'faithfulness-llm':
      if (s.mode === 'closed-book') return noContext;
      return llmFaithfulness({
        model: plan.judge!,
        question: s.question,
        answer: answer.text,
        context: contextText,
        ...(plan.judgeSamples ? { samples: plan.judgeSamples } : {}),
        ...(plan.signal ? { signal: plan.signal } : {}),
      });
    case 'correctness-llm': {
      if (!item) return noQa;
      // For a decision set the label is part of what is graded: "yes" with the conclusion as reference.
      const golds = item.decision ? [`${item.decision}${item.longAnswer ? `: ${item.longAnswer}` : ''}`] : item.answers;
      const text = answer.label ? `${answer.label}: ${answer.text}` : answer.text;
      return judgeCorrectness({ model: plan.judge!, question: s.question, answer: text, golds, ...(plan.signal ? { signal: plan.signal } : {}) });
    }
  }
}

function contextsFor(plan: AnswerEvalPlan, mode: ContextMode, queryId: string, item: QaItem | undefined): ContextPassage[] {
  if (mode === 'closed-book') return [];
  if (mode === 'gold') {
    return (item?.contextIds ?? []).map((docId) => {
      const doc = plan.documents.get(docId);
      if (!doc) {
        throw new DataError(`QA ${queryId} names gold passage ${docId}, which is not in the corpus`, {
          fix: 'qa.jsonl context_ids must be corpus document ids',
        });
      }
      return { id: doc.id, docId: doc.id, text: doc.text };
    });
  }
  return (plan.chunkHits?.get(queryId) ?? []).slice(0, plan.contextK).map((hit) => ({ id: hit.id, docId: hit.docId, text: chunkText(hit, plan.documents) }));
}

/**
 * The text of a hit. Hits carry ids, not text; a chunk id is `${docId}#${start}-${end}` and chunkers keep the span
 * invariant `text === doc.text.slice(start, end)`, so slicing the document gives the exact chunk text back (no
 * indexOf, so repeated passages cannot be confused). An id without that suffix is a whole document.
 */
export function chunkText(hit: Pick<Hit, 'id' | 'docId'>, documents: ReadonlyMap<string, Document>): string {
  const doc = documents.get(hit.docId);
  if (!doc) throw new DataError(`retrieved chunk ${hit.id} belongs to document ${hit.docId}, which is not in the corpus`, { fix: 're-ingest the index' });
  const span = /#(\d+)-(\d+)$/.exec(hit.id);
  if (!span || hit.id.slice(0, span.index) !== hit.docId) return doc.text;
  const start = Number(span[1]);
  const end = Number(span[2]);
  if (end > doc.text.length || start > end) {
    throw new DataError(`chunk ${hit.id} lies outside its document (${doc.text.length} characters)`, { fix: 'the index is stale: re-ingest it' });
  }
  return doc.text.slice(start, end);
}
