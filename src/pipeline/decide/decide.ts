import { join } from 'node:path';
import { decideConfigSchema, decisionMetricNames } from '../../config/eval-config.js';
import type { ResolvedEval } from '../../config/load-eval.js';
import { createLedger } from '../../llms/ledger.js';
import type { RankedDoc } from '../../metrics/run-file.js';
import { compareArmPairs, recallCurve } from '../../report/decision/comparisons.js';
import { renderDecisionHtml } from '../../report/decision/html.js';
import { renderDecisionMarkdown } from '../../report/decision/markdown.js';
import { recommend } from '../../report/decision/rules.js';
import type { DecisionReport, DecisionSettings, SkippedArm } from '../../report/decision/summary.js';
import { renderMarkdown } from '../../report/run/markdown.js';
import type { ArmSummary } from '../../report/run/summary.js';
import type { Hit } from '../../retrievers/retriever.js';
import type { Env } from '../../shared/env.js';
import { ConfigError } from '../../shared/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../shared/files/write-atomic.js';
import { silentProgress, type Progress } from '../../shared/progress.js';
import { answererPrice, answerResults, toDecisionArm, type AnsweredArm } from './arms.js';
import { prepareAnswering, type AnswerRunner, type ArmAnswers } from '../answer/answering.js';
import { documentTokens } from '../run/document-tokens.js';
import { loadCorpus } from '../load-corpus.js';
import { runArm } from '../run/arm.js';
import { armFileName, newRunId, writeRunFolder, type QueryResult } from '../run/results.js';
import { buildRunManifest, buildRunSummary, selectQueries } from '../run/record.js';

interface DecideOptions {
  readonly workDir: string;
  readonly env: Env;
  /** Default `<workDir>/runs/<runId>`. */
  readonly outDir?: string;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

interface DecideOutcome {
  readonly report: DecisionReport;
  readonly dir: string;
}

/** Tokens per character when sizing the whole corpus against a context window: the usual ≈ 4 characters per token for English. */
const charsPerToken = 4;

/**
 * `ragbench decide`: the eval's questions answered closed-book, from each chunker × retriever arm's top chunks, from
 * the gold passages and, when the corpus fits the context window, from the whole corpus; then paired comparisons and
 * the recommendation (report/decision-rules.ts). The `answers.contexts` of the eval is overridden arm by arm.
 * Writes an ordinary run folder (the retrieved arms, so `ragbench compare` works on it; every arm's answers in
 * results.jsonl) plus decision.json, decision.md and decision.html.
 */
export async function runDecide(plan: ResolvedEval, options: DecideOptions): Promise<DecideOutcome> {
  const answersConfig = plan.answers;
  if (!answersConfig) {
    throw new ConfigError('ragbench decide needs an answers: section (answerer and metrics)', {
      place: { file: plan.file },
      fix: 'add answers: { answerer: { kind: extractive }, metrics: [decision-accuracy, token-f1, faithfulness-lexical, context-recall] }',
    });
  }
  const progress = options.progress ?? silentProgress;
  const signal = options.signal ? { signal: options.signal } : {};
  const context = { env: options.env, workDir: options.workDir };
  const corpus = await loadCorpus(plan.corpus, { requireQueries: true, progress });
  const { allQueries, queries } = selectQueries(plan, corpus);
  const settings = resolveSettings(plan, answersConfig.metrics, answersConfig.contextK);
  const ledger = createLedger(plan.prices ?? {});
  const answering = await prepareAnswering(plan, answersConfig, corpus, { ...context, ledger });

  const answered: AnsweredArm[] = [];
  answered.push({ name: 'closed-book', kind: 'closed-book', answers: await answering.answerArm({ queries, contexts: 'closed-book', progress, ...signal }) });
  const tokenOffsetsOf = await documentTokens(corpus, [...plan.metrics, ...plan.spanMetrics]);
  const tokens = tokenOffsetsOf ? { tokenOffsetsOf } : {};
  const retrievedArms: ArmSummary[] = [];
  const results: QueryResult[] = [];
  const runs = new Map<string, Map<string, RankedDoc[]>>();
  const manifestArms: unknown[] = [];
  for (const chunker of plan.chunkers) {
    for (const retriever of plan.retrievers) {
      const capture = capturing(answering);
      const outcome = await runArm({ plan, corpus, queries, chunker, retriever, context, progress, answering: capture.runner, ...tokens, ...signal });
      retrievedArms.push(outcome.summary);
      results.push(...outcome.results);
      runs.set(armFileName(chunker.name, retriever.name), outcome.run);
      manifestArms.push(outcome.manifest);
      const curve = recallCurve(
        outcome.results.map((r) => r.relevantRanks ?? {}),
        outcome.results.map((r) => [...(corpus.judgments.get(r.queryId)?.values() ?? [])].filter((grade) => grade > 0).length),
        plan.depth,
      );
      const name = `retrieved: ${outcome.summary.arm}`;
      answered.push({ name, kind: 'retrieved', chunker: chunker.name, retriever: retriever.name, answers: capture.answers(), recallCurve: curve });
    }
  }
  answered.push({ name: 'gold', kind: 'gold', answers: await answering.answerArm({ queries, contexts: 'gold', progress, ...signal }) });
  // The answering step already holds every document (in file order): no second read of the corpus.
  const documents = [...answering.documents.values()];
  const estimatedTokens = Math.ceil(documents.reduce((sum, doc) => sum + doc.text.length + (doc.title?.length ?? 0), 0) / charsPerToken);
  const skipped: SkippedArm[] = [];
  if (estimatedTokens <= settings.contextWindowTokens) {
    // Every document as one whole-document "hit" (chunkText gives whole documents for ids without a span), in corpus order.
    const everything: Hit[] = documents.map((doc) => ({ id: doc.id, docId: doc.id, score: 0 }));
    const chunkHits = new Map(queries.map((q) => [q.id, everything] as const));
    const answers = await answering.answerArm({ queries, contexts: 'retrieved', chunkHits, contextK: everything.length, progress, ...signal });
    answered.push({ name: 'whole-corpus', kind: 'whole-corpus', answers });
  } else {
    skipped.push({
      name: 'whole-corpus',
      reason: `the corpus is about ${estimatedTokens.toLocaleString('en')} tokens (characters / ${charsPerToken}), more than the ${settings.contextWindowTokens.toLocaleString('en')}-token context window (decide.contextWindowTokens)`,
    });
  }
  for (const arm of answered) if (arm.kind !== 'retrieved') results.push(...answerResults(arm));

  const price = answererPrice(answersConfig, plan.prices ?? {});
  const arms = answered.map((arm) => toDecisionArm(arm, { queries, qa: answering.qa, settings, price }));
  const retrievedNames = arms.filter((a) => a.kind === 'retrieved').map((a) => a.name);
  const pairs = [
    ...retrievedNames.flatMap((name) => [
      { a: name, b: 'closed-book' },
      { a: 'gold', b: name },
    ]),
    { a: 'gold', b: 'closed-book' },
    ...(skipped.length === 0 ? retrievedNames.map((name) => ({ a: 'whole-corpus', b: name })) : []),
  ];
  const scores = new Map(answered.map((arm) => [arm.name, new Map([...arm.answers.perQuery].map(([id, a]) => [id, a.scores[settings.primaryMetric] ?? null]))]));
  const comparisons = compareArmPairs(pairs, scores, { metric: settings.primaryMetric, bootstrap: plan.bootstrap });
  const runId = newRunId(plan.name);
  const createdAt = new Date().toISOString();
  const report: DecisionReport = {
    evalName: plan.name,
    runId,
    createdAt,
    corpus: { name: corpus.name, documents: corpus.documentCount, estimatedTokens },
    questions: queries.length,
    answerer: answererName(answersConfig.answerer),
    answerMetrics: answersConfig.metrics,
    settings,
    arms,
    skipped,
    comparisons,
    recommendation: recommend({ settings, arms, comparisons, ...(answering.heuristic ? { heuristicAnswerer: answering.heuristic } : {}) }),
  };

  const usage = ledger.report();
  const summary = buildRunSummary({ plan, corpus, allQueries, runId, createdAt, arms: retrievedArms, answerMetrics: answering.metrics, usage });
  const manifest = buildRunManifest({ plan, corpus, runId, createdAt, arms: manifestArms, usage, command: 'decide' });
  const dir = await writeRunFolder(options.outDir ?? join(options.workDir, 'runs', runId), { manifest, summary, results, runs, reportMarkdown: renderMarkdown(summary) });
  // The decision files go in after the run folder is complete; decision.json last, so its presence means all are there.
  await writeFileAtomic(join(dir, 'decision.md'), renderDecisionMarkdown(report));
  await writeFileAtomic(join(dir, 'decision.html'), renderDecisionHtml(report));
  await writeJsonAtomic(join(dir, 'decision.json'), report);
  return { report, dir };
}

/** The decide: section with its defaults; the primary metric defaults to the first correctness metric measured. */
function resolveSettings(plan: ResolvedEval, metrics: readonly string[], contextK: number): DecisionSettings {
  const decide = plan.decide ?? decideConfigSchema.parse({});
  const primaryMetric = decide.primaryMetric ?? decisionMetricNames.find((m) => metrics.includes(m));
  if (!primaryMetric || !metrics.includes(primaryMetric)) {
    throw new ConfigError(`ragbench decide compares arms on a correctness metric, and answers.metrics has none (${decisionMetricNames.join(', ')})`, {
      place: { file: plan.file },
      fix: 'add decision-accuracy (yes/no/maybe sets), token-f1 or correctness-llm to answers.metrics',
    });
  }
  const { goodEnough, equivalenceMargin, alpha, faithfulEnough, contextWindowTokens } = decide;
  return { primaryMetric, goodEnough, equivalenceMargin, alpha, faithfulEnough, contextWindowTokens, contextK, depth: plan.depth, confidence: plan.bootstrap.confidence };
}

/** Wraps the answer step so the retrieved arm's answers (usage included), which runArm keeps only in part, come back out. */
function capturing(answering: AnswerRunner): { runner: AnswerRunner; answers: () => ArmAnswers } {
  let captured: ArmAnswers | undefined;
  const runner: AnswerRunner = {
    metrics: answering.metrics,
    qa: answering.qa,
    documents: answering.documents,
    ...(answering.heuristic ? { heuristic: answering.heuristic } : {}),
    async answerArm(call) {
      captured = await answering.answerArm({ ...call, contexts: 'retrieved' });
      return captured;
    },
  };
  return {
    runner,
    answers: () => {
      if (!captured) throw new Error('runArm did not answer: the decide pipeline passes an answer runner to every arm');
      return captured;
    },
  };
}

function answererName(config: { kind: string; options: Record<string, unknown> }): string {
  const model = (config.options.model as { options?: { model?: unknown } } | undefined)?.options?.model;
  return typeof model === 'string' ? `${config.kind} (${model})` : config.kind;
}
