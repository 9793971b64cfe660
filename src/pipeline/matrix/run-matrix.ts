import { dirname, resolve } from 'node:path';
import type { Answerer } from '../../answers/answerer.js';
import type { AnswersConfig } from '../../answers/answers-config.js';
import { createConfiguredChatModel } from '../../answers/chat-models.js';
import type { ResolvedEval } from '../../config/load-eval.js';
import { checkQaIds, readQaFile } from '../../corpus/qa.js';
import type { Document, Query } from '../../corpus/types.js';
import type { Ledger } from '../../llms/ledger.js';
import type { AnswerMatrixRow, AnswerRecord } from '../../report/matrix/summary.js';
import type { Hit } from '../../retrievers/retriever.js';
import type { Env } from '../../shared/env.js';
import { silentProgress, type Progress } from '../../shared/progress.js';
import { medianOf, repeatedEstimate } from '../../stats/repeats.js';
import { evaluateAnswers, type QueryAnswer } from '../answer/answer-eval.js';
import type { AnswerRunner } from '../answer/answering.js';
import { priceOfAnswerer } from '../decide/arms.js';
import { readAllDocuments, type LoadedCorpus } from '../load-corpus.js';
import { checkMatrixBudget, estimateMatrix, type MatrixBudgetEstimate } from './budget.js';
import { buildMatrixCells, type MatrixCell } from './cells.js';

export interface MatrixOutcome {
  readonly rows: readonly AnswerMatrixRow[];
  readonly records: readonly AnswerRecord[];
  readonly estimate: MatrixBudgetEstimate;
}

/**
 * Stands in for the answer step while the retrieval arms run: it keeps each arm's chunk hits for the matrix and
 * answers nothing (the matrix answers every cell afterwards, once the budget is checked against all of them).
 */
export function matrixCollector(): { runnerFor(arm: string): AnswerRunner; readonly hitsByArm: Map<string, ReadonlyMap<string, readonly Hit[]>> } {
  const hitsByArm = new Map<string, ReadonlyMap<string, readonly Hit[]>>();
  return {
    hitsByArm,
    runnerFor(arm) {
      return {
        metrics: [],
        qa: new Map(),
        documents: new Map(),
        async answerArm({ chunkHits }) {
          if (chunkHits) hitsByArm.set(arm, chunkHits);
          return { estimates: {}, perQuery: new Map(), usage: { inputTokens: 0, outputTokens: 0, cachedAnswers: 0 } };
        },
      };
    },
  };
}

interface MatrixPlan {
  readonly plan: Pick<ResolvedEval, 'corpus' | 'file' | 'bootstrap' | 'prices'>;
  readonly config: AnswersConfig;
  readonly corpus: LoadedCorpus;
  readonly queries: readonly Query[];
  readonly arms: readonly string[];
  readonly hitsByArm: ReadonlyMap<string, ReadonlyMap<string, readonly Hit[]>>;
  readonly env: Env;
  readonly workDir: string;
  readonly ledger: Ledger;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

/**
 * Every cell × repeat answered and scored through the ordinary answer step (evaluateAnswers), after the budget
 * check: nothing is sent when the estimate exceeds maxCalls or maxCostUsd. Repeat r sends seed r, so each answer is
 * cached and an interrupted matrix resumes from the cache at no cost.
 */
export async function runAnswerMatrix(m: MatrixPlan): Promise<MatrixOutcome> {
  const { config } = m;
  const qaFile = resolve(m.plan.corpus.path, config.qa);
  const qa = await readQaFile(qaFile);
  checkQaIds(qa, m.corpus.queries, qaFile);
  const documents = new Map<string, Document>((await readAllDocuments(m.corpus)).map((doc) => [doc.id, doc]));
  const context = { env: m.env, workDir: m.workDir, ledger: m.ledger, baseDir: dirname(m.plan.file) };
  const cells = await buildMatrixCells({ config, arms: m.arms, scored: m.queries, qa, corpusPath: m.plan.corpus.path, file: m.plan.file, context });
  const estimate = estimateMatrix({ cells, queries: m.queries, qa, documents, hitsByArm: m.hitsByArm, contextK: config.contextK, prices: m.plan.prices ?? {} });
  checkMatrixBudget(estimate, config, m.plan.file);
  const judge = config.judge ? await createConfiguredChatModel(config.judge, context) : undefined;
  const progress = m.progress ?? silentProgress;
  const rows: AnswerMatrixRow[] = [];
  const records: AnswerRecord[] = [];
  for (const cell of cells) {
    const answers: ReadonlyMap<string, QueryAnswer>[] = [];
    for (let repeat = 1; repeat <= cell.repeats; repeat++) {
      const hits = cell.arm !== null ? m.hitsByArm.get(cell.arm) : undefined;
      const evaluation = await evaluateAnswers({
        queries: m.queries,
        qa,
        documents,
        ...(hits ? { chunkHits: hits } : {}),
        contexts: cell.contexts,
        contextK: config.contextK,
        answerer: sampling(cell, repeat),
        metrics: config.metrics,
        judgeSamples: config.judgeSamples,
        concurrency: config.concurrency,
        ...(judge ? { judge } : {}),
        progress,
        ...(m.signal ? { signal: m.signal } : {}),
      });
      answers.push(evaluation.perQuery);
      for (const a of evaluation.perQuery.values()) records.push(recordOf(cell, repeat, a));
    }
    rows.push(...rowsOf(cell, answers, m));
  }
  return { rows, records, estimate };
}

/** The cell's answerer with its temperature, the repeat's seed and the prompt's few-shot examples on every call. */
function sampling(cell: MatrixCell, repeat: number): Answerer {
  const extra = {
    ...(cell.temperature !== null ? { temperature: cell.temperature, seed: repeat } : {}),
    ...(cell.examples.length > 0 ? { examples: cell.examples } : {}),
  };
  return { ...cell.instance, answer: (question, contexts, options = {}) => cell.instance.answer(question, contexts, { ...options, ...extra }) };
}

function recordOf(cell: MatrixCell, repeat: number, a: QueryAnswer): AnswerRecord {
  return {
    cell: cell.key,
    queryId: a.queryId,
    repeat,
    text: a.answer.text,
    ...(a.answer.label ? { label: a.answer.label } : {}),
    scores: a.scores,
    cached: a.answer.cached,
    latencyMs: Math.round(a.answer.latencyMs),
    inputTokens: a.answer.inputTokens,
    outputTokens: a.answer.outputTokens,
  };
}

function rowsOf(cell: MatrixCell, repeats: readonly ReadonlyMap<string, QueryAnswer>[], m: MatrixPlan): AnswerMatrixRow[] {
  const all = repeats.flatMap((r) => [...r.values()]);
  const price = priceOfAnswerer(cell.config, m.plan.prices ?? {});
  const inputTokens = all.reduce((sum, a) => sum + a.answer.inputTokens, 0);
  const outputTokens = all.reduce((sum, a) => sum + a.answer.outputTokens, 0);
  const cost = 'reason' in price ? { cost: null, costReason: price.reason } : { cost: (inputTokens * price.input + outputTokens * price.output) / 1e6 };
  const latencyP50 = medianOf(all.filter((a) => !a.answer.cached).map((a) => a.answer.latencyMs));
  return m.config.metrics.map((metric) => {
    const scores = m.queries.map((q) => repeats.map((r) => r.get(q.id)?.scores[metric] ?? null));
    const e = repeatedEstimate(scores, m.plan.bootstrap);
    return {
      cell: cell.key,
      answerer: cell.answerer,
      model: cell.model,
      prompt: cell.prompt,
      temperature: cell.temperature,
      arm: cell.arm,
      contexts: cell.contexts,
      metric,
      mean: e.mean,
      lower: e.lower,
      upper: e.upper,
      queries: e.queries,
      repeats: cell.repeats,
      repeatSd: e.repeatSd,
      nullShare: e.nullShare,
      ...cost,
      latencyP50: latencyP50 === null ? null : Math.round(latencyP50),
    };
  });
}
