import { dirname, resolve } from 'node:path';
import type { ContextMode } from '../../answers/answerer.js';
import type { AnswersConfig } from '../../answers/answers-config.js';
import { createConfiguredChatModel } from '../../answers/chat-models.js';
import type { ResolvedEval } from '../../config/load-eval.js';
import { answerers } from '../../answers/registry.js';
import { checkQaIds, readQaFile, type QaSet } from '../../corpus/qa.js';
import type { Document, Query } from '../../corpus/types.js';
import type { Ledger } from '../../llms/ledger.js';
import type { ScoredEstimate } from '../../report/run/summary.js';
import type { Hit } from '../../retrievers/retriever.js';
import type { Env } from '../../shared/env.js';
import type { Progress } from '../../shared/progress.js';
import { evaluateAnswers, type QueryAnswer } from './answer-eval.js';
import { estimateOverScored } from '../run/estimates.js';
import { readAllDocuments, type LoadedCorpus } from '../load-corpus.js';

export interface ArmAnswers {
  readonly estimates: Readonly<Record<string, ScoredEstimate>>;
  readonly perQuery: ReadonlyMap<string, QueryAnswer>;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number; readonly cachedAnswers: number };
}

/** The answer step of a run, set up once (QA file, answerer, judge) and applied to every arm's retrieval. */
export interface AnswerRunner {
  readonly metrics: readonly string[];
  /** The QA set answers are scored against (gold answers, labels, passages), e.g. for reports. */
  readonly qa: QaSet;
  /** The answerer's `heuristic` description when it is not a language model (see Answerer). */
  readonly heuristic?: string;
  /** Every document of the corpus by id, in file order: read once here, for contexts (and decide's whole corpus). */
  readonly documents: ReadonlyMap<string, Document>;
  /**
   * `contexts` and `contextK` override the config's for this arm only (`ragbench decide` answers the same
   * questions closed-book, from retrieval and from the gold passages); `chunkHits` is needed for 'retrieved'.
   */
  answerArm(options: {
    queries: readonly Query[];
    chunkHits?: ReadonlyMap<string, readonly Hit[]>;
    contexts?: ContextMode;
    contextK?: number;
    progress?: Progress;
    signal?: AbortSignal;
  }): Promise<ArmAnswers>;
}

export async function prepareAnswering(
  plan: Pick<ResolvedEval, 'corpus' | 'file' | 'bootstrap'>,
  config: AnswersConfig,
  corpus: LoadedCorpus,
  options: { readonly env: Env; readonly workDir: string; readonly ledger: Ledger },
): Promise<AnswerRunner> {
  const qaFile = resolve(plan.corpus.path, config.qa);
  const qa = await readQaFile(qaFile);
  checkQaIds(qa, corpus.queries, qaFile);
  const context = { env: options.env, workDir: options.workDir, ledger: options.ledger, baseDir: dirname(plan.file) };
  const answerer = await answerers[config.answerer.kind as keyof typeof answerers].create(config.answerer.options as never, context);
  const judge = config.judge ? await createConfiguredChatModel(config.judge, context) : undefined;
  const documents = new Map<string, Document>((await readAllDocuments(corpus)).map((doc) => [doc.id, doc]));
  return {
    metrics: config.metrics,
    qa,
    documents,
    ...(answerer.heuristic ? { heuristic: answerer.heuristic } : {}),
    async answerArm({ queries, chunkHits, contexts, contextK, progress, signal }) {
      const evaluation = await evaluateAnswers({
        queries,
        qa,
        documents,
        ...(chunkHits ? { chunkHits } : {}),
        contexts: contexts ?? config.contexts,
        contextK: contextK ?? config.contextK,
        answerer,
        metrics: config.metrics,
        judgeSamples: config.judgeSamples,
        concurrency: config.concurrency,
        ...(judge ? { judge } : {}),
        ...(progress ? { progress } : {}),
        ...(signal ? { signal } : {}),
      });
      const answers = [...evaluation.perQuery.values()];
      const estimates: ArmAnswers['estimates'] = Object.fromEntries(
        config.metrics.map((metric) => [metric, estimateOverScored(answers.map((answer) => answer.scores[metric]), plan.bootstrap)]),
      );
      return { estimates, perQuery: evaluation.perQuery, usage: evaluation.usage };
    },
  };
}
