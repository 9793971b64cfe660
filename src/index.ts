/**
 * ragbench's library API, in data-flow order. Re-exports only; nothing inside src imports this file.
 */
// ① corpus
export type { Document, Query, Judgments, CorpusSource } from './corpus/types.js';
export { openCorpus } from './corpus/open-corpus.js';
export { readQrels } from './corpus/qrels.js';
// ② chunkers
export type { Chunk, Chunker, ChunkerDefinition } from './chunkers/chunker.js';
export { chunkers, type ChunkerKind } from './chunkers/registry.js';
// ③ embedders
export type { Embedder, EmbedRole, EmbedderDefinition } from './embedders/embedder.js';
export { embedders, type EmbedderKind } from './embedders/registry.js';
export { withEmbeddingCache } from './embedders/cache.js';
// ④ stores
export type { VectorStore, VectorRecord, Hit, IndexSpec, Distance, StoreCapabilities, StoreDefinition } from './stores/vector-store.js';
export { stores, type StoreKind } from './stores/registry.js';
export { manageStore } from './stores/managed-store.js';
// ⑤ retrievers
export type { Retriever, RetrieverDefinition } from './retrievers/retriever.js';
export { retrievers, type RetrieverKind } from './retrievers/registry.js';
// LLMs and answerers (used by answer evaluation)
export type { ChatModel, ChatMessage, Completion, CompleteOptions, ChatModelDefinition } from './llms/chat-model.js';
export { chatModels } from './llms/registry.js';
export { withCompletionCache } from './llms/cache.js';
export { createLedger, withLedger, priceTableSchema } from './llms/ledger.js';
export type { Answerer, ContextPassage, GeneratedAnswer } from './answers/answerer.js';
export { answerers } from './answers/registry.js';
// ⑥ metrics and statistics
export { retrievalMetrics, parseMetricName, toDocRanking } from './metrics/retrieval.js';
export { spanMetricsForQuery, chunkCost, parseSpanMetricName, withinTokenBudget, chunkTokenCounter } from './metrics/spans.js';
export { budgetMetricValue } from './metrics/token-budget.js';
export { jaccardAtK, rankBiasedOverlap, recallAgainst } from './metrics/overlap.js';
export { exactMatch, tokenF1, decisionAccuracy, judgeCorrectness } from './metrics/answers.js';
export { goldPassageRecall, answerCoverage } from './metrics/context-recall.js';
export { faithfulnessMetrics, kPrecision, lexicalFaithfulness, evaluateFaithfulness, readLabelledSet, type Score } from './metrics/faithfulness/index.js';
export { llmFaithfulness } from './metrics/faithfulness/judge/llm-judge.js';
export { rocAuc, balancedAccuracy, calibrationTable } from './stats/roc.js';
export { pairedRandomizationTest, pairedTTest, holmAdjust } from './stats/paired-tests.js';
export { scoreRun } from './metrics/evaluate-run.js';
export { readRun, writeRun, formatRun, type TrecRun, type RankedDoc } from './metrics/run-file.js';
export { bootstrapMean, pairedBootstrapDiff } from './stats/bootstrap.js';
// ⑦ reports
export type { RunSummary, ArmSummary, MetricEstimate } from './report/run/summary.js';
export { renderTable } from './report/run/terminal.js';
export { renderMarkdown } from './report/run/markdown.js';
// pipeline and config
export { loadEval, type ResolvedEval } from './config/load-eval.js';
export { runEval, type RunOptions, type RunOutcome } from './pipeline/run/run-eval.js';
export { ingest, type IngestPlan, type IngestResult } from './pipeline/index/ingest.js';
export { evaluate, type EvaluatePlan } from './pipeline/run/evaluate.js';
export { evaluateAnswers } from './pipeline/answer/answer-eval.js';
export { compareRuns, compareWithBaseline } from './pipeline/compare/compare.js';
export type { Comparison } from './report/comparison/summary.js';
export { runParity, type ParityReport } from './pipeline/parity/parity.js';
export { synthesize } from './synth/synthesize.js';
// shared
export { RagbenchError, ConfigError, DataError, ServiceError, DimensionError, IndexMismatchError, UsageError } from './shared/errors.js';
export { createEnv, type Env } from './shared/env.js';

export { catalog, type CatalogEntry, type UpstreamFile, type DatasetKind } from './datasets/catalog.js';
export { datasetsHome, datasetDir } from './datasets/location.js';
export { pullDataset, ensureDataset, verifyDataset, readManifest, type PullOptions, type PullResult, type DatasetManifest } from './datasets/store.js';
