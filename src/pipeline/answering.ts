import { dirname, resolve } from 'node:path';
import type { AnswersConfig } from '../answers/answers-config.js';
import { createConfiguredChatModel } from '../answers/chat-models.js';
import { answerers } from '../answers/registry.js';
import { checkQaIds, readQaFile } from '../corpus/qa.js';
import type { Document, Query } from '../corpus/types.js';
import type { Ledger } from '../llms/ledger.js';
import type { AnswerEstimate } from '../report/run-summary.js';
import type { Hit } from '../retrievers/retriever.js';
import type { Env } from '../shared/env.js';
import type { Progress } from '../shared/progress.js';
import { bootstrapMean, type BootstrapOptions } from '../stats/bootstrap.js';
import { evaluateAnswers, type QueryAnswer } from './answer-eval.js';
import type { LoadedCorpus } from './load-corpus.js';

export interface ArmAnswers {
  readonly estimates: Readonly<Record<string, AnswerEstimate>>;
  readonly perQuery: ReadonlyMap<string, QueryAnswer>;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number; readonly cachedAnswers: number };
}

/** The answer step of a run, set up once (QA file, answerer, judge) and applied to every arm's retrieval. */
export interface AnswerRunner {
  readonly metrics: readonly string[];
  answerArm(options: {
    queries: readonly Query[];
    chunkHits: ReadonlyMap<string, readonly Hit[]>;
    progress?: Progress;
    signal?: AbortSignal;
  }): Promise<ArmAnswers>;
}

export async function prepareAnswering(options: {
  readonly config: AnswersConfig;
  readonly corpus: LoadedCorpus;
  readonly corpusPath: string;
  readonly evalFile: string;
  readonly env: Env;
  readonly workDir: string;
  readonly ledger: Ledger;
  readonly bootstrap: BootstrapOptions;
}): Promise<AnswerRunner> {
  const { config } = options;
  const qaFile = resolve(options.corpusPath, config.qa);
  const qa = await readQaFile(qaFile);
  checkQaIds(qa, options.corpus.queries, qaFile);
  const context = { env: options.env, workDir: options.workDir, ledger: options.ledger, baseDir: dirname(options.evalFile) };
  const answerer = await answerers[config.answerer.kind as keyof typeof answerers].create(config.answerer.options as never, context);
  const judge = config.judge ? await createConfiguredChatModel(config.judge, context) : undefined;
  const documents = new Map<string, Document>(options.corpus.documents.map((doc) => [doc.id, doc]));
  return {
    metrics: config.metrics,
    async answerArm({ queries, chunkHits, progress, signal }) {
      const evaluation = await evaluateAnswers({
        queries,
        qa,
        documents,
        chunkHits,
        contexts: config.contexts,
        contextK: config.contextK,
        answerer,
        metrics: config.metrics,
        judgeSamples: config.judgeSamples,
        concurrency: config.concurrency,
        ...(judge ? { judge } : {}),
        ...(progress ? { progress } : {}),
        ...(signal ? { signal } : {}),
      });
      const estimates: ArmAnswers['estimates'] = Object.fromEntries(
        config.metrics.map((metric) => {
          const values = [...evaluation.perQuery.values()]
            .map((answer) => answer.scores[metric])
            .filter((value): value is number => typeof value === 'number');
          const nulls = evaluation.perQuery.size - values.length;
          // Unscorable queries are reported as a count, never averaged in as 0.
          return [metric, values.length > 0 ? { ...bootstrapMean(values, options.bootstrap), scored: values.length, nulls } : { mean: null, scored: 0, nulls }];
        }),
      );
      return { estimates, perQuery: evaluation.perQuery, usage: evaluation.usage };
    },
  };
}
