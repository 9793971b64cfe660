import { openCorpus } from '../corpus/open-corpus.js';
import type { Document } from '../corpus/types.js';
import type { ResolvedCorpus } from '../config/load-eval.js';
import type { ChatModel } from '../llms/chat-model.js';
import { ensureDataset } from '../datasets/store.js';
import { DataError } from '../shared/errors.js';
import { generateKnownItemQueries, type KnownItemOptions } from './known-item.js';
import { generateLlmQuestions, type LlmQuestionOptions } from './llm-questions.js';
import { knownItemCaveat, writeTestSet, type SynthQuery, type SynthReport } from './write-test-set.js';

export type SynthPlan =
  | { readonly method: 'known-item'; readonly options: KnownItemOptions }
  | { readonly method: 'llm'; readonly options: LlmQuestionOptions; readonly model: ChatModel };

interface SynthesizeOptions {
  readonly corpus: ResolvedCorpus;
  readonly out: string;
  readonly plan: SynthPlan;
  /** The command line that reproduces this test set, for the README. */
  readonly command: string;
  readonly signal?: AbortSignal;
}

/** `ragbench synth`: corpus → generated queries with span labels → a BEIR folder with report and README. */
export async function synthesize(options: SynthesizeOptions): Promise<SynthReport> {
  for (const name of options.corpus.datasets ?? []) await ensureDataset(name, options.signal ? { signal: options.signal } : {});
  const source = await openCorpus(options.corpus.path, {
    name: options.corpus.name,
    qrelsSplit: options.corpus.qrelsSplit,
    ...(options.corpus.layout ? { layout: options.corpus.layout } : {}),
  });
  const documents: Document[] = [];
  for await (const doc of source.documents()) documents.push(doc);
  if (documents.length === 0) {
    throw new DataError(`corpus ${options.corpus.name} has no documents`, { place: { file: options.corpus.file ?? options.corpus.path } });
  }
  const { plan } = options;
  let queries: readonly SynthQuery[];
  let dropped: Readonly<Record<string, number>>;
  let details: Record<string, unknown>;
  let description: string;
  if (plan.method === 'known-item') {
    const result = generateKnownItemQueries(documents, plan.options);
    queries = result.queries;
    dropped = result.dropped;
    const ops: Record<string, number> = { drop: 0, replace: 0, reorder: 0 };
    for (const q of result.queries) for (const p of q.perturbations) ops[p.op]!++;
    details = { noiseOperations: ops, meanTerms: mean(result.queries.map((q) => q.text.split(' ').length)) };
    description = knownItemDescription(plan.options);
  } else {
    const result = await generateLlmQuestions(documents, plan.model, { ...plan.options, ...(options.signal ? { signal: options.signal } : {}) });
    queries = result.queries;
    dropped = result.dropped;
    details = { ...result.details, model: plan.model.model };
    description = llmDescription(plan.options, plan.model.model);
  }
  const byType: Record<string, number> = {};
  for (const q of queries) byType[q.type] = (byType[q.type] ?? 0) + 1;
  const { signal: _signal, ...settings } = plan.options as typeof plan.options & { signal?: AbortSignal };
  const report: SynthReport = {
    method: plan.method,
    description,
    ...(plan.method === 'known-item' ? { caveat: knownItemCaveat } : {}),
    corpus: { name: options.corpus.name, documents: documents.length },
    options: settings,
    command: options.command,
    requested: plan.options.queries,
    generated: queries.length,
    byType,
    dropped,
    details,
  };
  await writeTestSet(options.out, { documents, queries, report });
  return report;
}

function knownItemDescription(o: KnownItemOptions): string {
  return [
    `Known-item queries (Azzopardi, de Rijke & Balog, SIGIR 2007), generated offline with seed ${o.seed}.`,
    `For each query a document is drawn (a seeded shuffle), then a passage of ${o.passageSentences} consecutive`,
    `sentence(s) of at least ${o.minPassageChars} characters inside it; ${o.termsPerQuery} distinct terms are drawn from`,
    'the passage without replacement with probability ∝ tf(passage) × idf(corpus) (lowercase alphanumeric tokens,',
    'a short stopword list, no numbers), and written in passage order. Then round(noise × terms) of them, noise =',
    `${o.noise}, are perturbed, each by an operation drawn uniformly: dropped, replaced by the corpus term sharing the`,
    'longest prefix of at least 4 letters (else a salient term of the same document), or moved to another position.',
    'The label is the passage: its span in qrels/test.spans.jsonl and its document, grade 1, in qrels/test.tsv.',
    'Duplicate query texts are dropped. Same corpus, same settings and seed: the same files, byte for byte.',
  ].join(' ');
}

function llmDescription(o: LlmQuestionOptions, model: string): string {
  const shares = Object.entries(o.shares).map(([type, share]) => `${type} ${share}`).join(', ');
  return [
    `Questions written by ${model} from sampled documents (seed ${o.seed}; type shares: ${shares}). Each answerable`,
    'question comes with an evidence quote that must occur in its document: found verbatim, else ignoring case and',
    `whitespace, else as the closest substring within an edit distance of ${o.quoteTolerance} × the quote's length;`,
    'a question whose quote cannot be located is dropped and counted. Multi-hop questions need a quote in each of',
    'their two documents. Unanswerable questions have no label (no qrels) and are kept for answer evaluation.',
    `Questions whose token sets overlap a kept question with Jaccard ≥ ${o.dedupThreshold} are dropped as near duplicates.`,
  ].join(' ');
}

const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
