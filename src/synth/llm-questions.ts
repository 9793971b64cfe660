/**
 * Questions written by a chat model, labelled by evidence it must quote from the document. A quote is located
 * with `locateQuote` (exact, then normalized, then fuzzy within a tolerance) and becomes the span label; a
 * question whose quote cannot be located is dropped and counted, never kept unlabelled. Documents are drawn
 * with a seeded random source, so the same model answers give the same test set.
 */
import type { Document, RelevantSpan } from '../corpus/types.js';
import type { ChatModel } from '../llms/chat-model.js';
import { tokenizeAlnumLower } from '../retrievers/tokenize.js';
import { mapConcurrent } from '../shared/batches.js';
import { ServiceError } from '../shared/errors.js';
import { createRandom, type Random } from '../stats/random.js';
import { inverseDocumentFrequencies } from './known-item.js';
import { locateQuote, type QuoteMatch } from './locate-quote.js';
import { questionPrompt, questionSchemas, type QuestionType } from './llm-prompts.js';
import type { DropCounts, SynthQuery } from './write-test-set.js';

export { questionTypes, type QuestionType } from './llm-prompts.js';

export interface LlmQuestionOptions {
  readonly queries: number;
  readonly seed: number;
  /** Share of each question type; normalised to sum 1, counts by largest remainder. */
  readonly shares: Readonly<Record<QuestionType, number>>;
  /** Allowed edit distance of a fuzzy quote match, as a share of the quote's length. */
  readonly quoteTolerance: number;
  /** A question whose token set has Jaccard similarity ≥ this with a kept question is a near duplicate. */
  readonly dedupThreshold: number;
  /** Quotes shorter than this (after trimming) are too weak to label a span. */
  readonly minQuoteChars: number;
  /** Documents shorter than this are not drawn (too little to ask about), unless no document is long enough. */
  readonly minDocumentChars: number;
  /** Longer documents are cut to this in the prompt; quotes are still searched in the whole text. */
  readonly maxDocumentChars: number;
  /** Model calls in flight at once (the model also bounds its own). */
  readonly concurrency: number;
  readonly signal?: AbortSignal;
}

export const llmQuestionDefaults: Omit<LlmQuestionOptions, 'queries' | 'seed'> = {
  shares: { factoid: 0.6, 'multi-hop': 0.2, unanswerable: 0.2 },
  quoteTolerance: 0.1,
  dedupThreshold: 0.8,
  minQuoteChars: 12,
  minDocumentChars: 200,
  maxDocumentChars: 6000,
  concurrency: 4,
};

interface LlmQuestionResult {
  readonly queries: readonly SynthQuery[];
  readonly dropped: DropCounts;
  readonly details: {
    readonly calls: number;
    readonly inputTokens: number;
    readonly outputTokens: number;
    /** How the kept quotes were located. */
    readonly quotes: Readonly<Record<QuoteMatch['method'], number>>;
  };
}

interface Task {
  readonly type: QuestionType;
  readonly docs: readonly Document[];
  readonly seed: number;
}

/**
 * Generates `queries` questions in the configured type shares. Each type is asked for until its count is met
 * or its attempts (2 × count + 2) run out; the shortfall shows in `dropped`. An unusable answer is a dropped
 * candidate; a failing service (HTTP error after the model's own retries) ends the run with its ServiceError,
 * since a test set built around a failing service would be silently skewed.
 */
export async function generateLlmQuestions(
  documents: readonly Document[],
  model: ChatModel,
  options: LlmQuestionOptions,
): Promise<LlmQuestionResult> {
  const targets = typeCounts(options.queries, options.shares);
  const random = createRandom(options.seed);
  const pool = drawable(documents, options.minDocumentChars);
  const related = relatedDocumentFinder(pool, random);
  const dropped: Record<string, number> = {};
  const drop = (reason: string) => (dropped[reason] = (dropped[reason] ?? 0) + 1);
  const kept: SynthQuery[] = [];
  const keptTokens: Set<string>[] = [];
  const quotes = { exact: 0, normalized: 0, fuzzy: 0 };
  const attemptsLeft = new Map([...targets].map(([type, n]) => [type, n === 0 ? 0 : 2 * n + 2]));
  const have = new Map([...targets].map(([type]) => [type, 0]));
  let calls = 0;
  let inputTokens = 0;
  let outputTokens = 0;

  for (;;) {
    // One wave asks for every question still missing; answers are processed in task order, so the result does
    // not depend on which call finishes first.
    const tasks: Task[] = [];
    for (const [type, target] of targets) {
      const wanted = Math.min(target - have.get(type)!, attemptsLeft.get(type)!);
      for (let i = 0; i < wanted; i++) {
        const first = pool[random.int(pool.length)]!;
        const docs = type === 'multi-hop' ? [first, related(first)].filter((d): d is Document => d !== undefined) : [first];
        tasks.push({ type, docs, seed: options.seed + calls + tasks.length });
      }
      attemptsLeft.set(type, attemptsLeft.get(type)! - wanted);
    }
    if (tasks.length === 0 || pool.length === 0) break;
    const answers = await mapConcurrent(tasks, options.concurrency, async (task) => {
      if (task.type === 'multi-hop' && task.docs.length < 2) return undefined;
      const { system, user } = questionPrompt(task.type, task.docs, options.maxDocumentChars);
      try {
        return await model.complete(
          [{ role: 'system', content: system }, { role: 'user', content: user }],
          { jsonSchema: questionSchemas[task.type], seed: task.seed, ...(options.signal ? { signal: options.signal } : {}) },
        );
      } catch (error) {
        if (isUnusableAnswer(error)) return 'unusable' as const;
        throw error;
      }
    });
    tasks.forEach((task, index) => {
      const answer = answers[index];
      if (!answer) return drop('multi-hop: no second document');
      calls++;
      if (answer === 'unusable') return drop(`${task.type}: answer unusable (not JSON, off-schema, or refused)`);
      inputTokens += answer.inputTokens;
      outputTokens += answer.outputTokens;
      const parsed = readAnswer(answer.text, task, options);
      if ('reason' in parsed) return drop(`${task.type}: ${parsed.reason}`);
      const tokens = new Set(tokenizeAlnumLower(parsed.question));
      if (keptTokens.some((other) => jaccard(tokens, other) >= options.dedupThreshold)) return drop(`${task.type}: near-duplicate question`);
      keptTokens.push(tokens);
      for (const match of parsed.matches) quotes[match.method]++;
      have.set(task.type, have.get(task.type)! + 1);
      kept.push({ id: `llm-${kept.length + 1}`, text: parsed.question, type: task.type, spans: parsed.spans, answer: parsed.answer });
    });
  }
  for (const [type, target] of targets) {
    const missing = target - have.get(type)!;
    if (missing > 0) dropped[`${type}: attempts exhausted, questions missing`] = missing;
  }
  return { queries: kept, dropped, details: { calls, inputTokens, outputTokens, quotes } };
}

type ReadAnswer =
  | { question: string; answer: string; spans: RelevantSpan[]; matches: QuoteMatch[] }
  | { reason: string };

/** Parses and checks one model answer; every way to fail has its own reason for the report. */
function readAnswer(text: string, task: Task, options: LlmQuestionOptions): ReadAnswer {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { reason: 'answer is not JSON' };
  }
  const field = (name: string) => (typeof value?.[name] === 'string' ? (value[name] as string).trim() : '');
  const question = field('question').replace(/\s+/g, ' ');
  if (question === '') return { reason: 'empty question' };
  if (task.type === 'unanswerable') return { question, answer: '', spans: [], matches: [] };
  const quoteFields = task.type === 'multi-hop' ? ['evidenceQuoteA', 'evidenceQuoteB'] : ['evidenceQuote'];
  const spans: RelevantSpan[] = [];
  const matches: QuoteMatch[] = [];
  for (const [i, name] of quoteFields.entries()) {
    const doc = task.docs[i]!;
    const quote = field(name);
    if (quote.length < options.minQuoteChars) return { reason: `evidence quote shorter than ${options.minQuoteChars} characters` };
    const match = locateQuote(doc.text, quote, options.quoteTolerance);
    if (!match) return { reason: 'evidence quote not found in its document' };
    spans.push({ docId: doc.id, start: match.start, end: match.end, grade: 1 });
    matches.push(match);
  }
  return { question, answer: field('answer'), spans, matches };
}

/**
 * The model answered, but with nothing usable: not JSON, not the schema, a refusal. One such answer costs one
 * candidate; HTTP and connection failures (which carry a status or are retryable) still end the run.
 */
function isUnusableAnswer(error: unknown): boolean {
  return error instanceof ServiceError && !error.retryable && error.status === undefined;
}

/** Counts per type by largest remainder: they sum to `total`, ties go to the earlier type. */
export function typeCounts(total: number, shares: Readonly<Record<QuestionType, number>>): Map<QuestionType, number> {
  const entries = Object.entries(shares) as [QuestionType, number][];
  const sum = entries.reduce((s, [, share]) => s + share, 0);
  if (!(sum > 0) || entries.some(([, share]) => !(share >= 0))) throw new RangeError('question type shares must be ≥ 0 and not all 0');
  const exact = entries.map(([type, share]) => ({ type, value: (total * share) / sum }));
  const counts = new Map(exact.map(({ type, value }) => [type, Math.floor(value)]));
  let left = total - [...counts.values()].reduce((a, b) => a + b, 0);
  for (const { type } of [...exact].sort((a, b) => (b.value % 1) - (a.value % 1))) {
    if (left-- <= 0) break;
    counts.set(type, counts.get(type)! + 1);
  }
  return counts;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return shared / (a.size + b.size - shared);
}

function drawable(documents: readonly Document[], minChars: number): Document[] {
  const long = documents.filter((d) => d.text.trim().length >= minChars);
  return long.length > 0 ? long : documents.filter((d) => d.text.trim() !== '');
}

/**
 * For multi-hop questions: the second document is, among 30 drawn at random, the one sharing the most of the
 * first's 20 highest tf-idf terms (a question across two unrelated documents would be contrived).
 */
function relatedDocumentFinder(pool: readonly Document[], random: Random): (doc: Document) => Document | undefined {
  const idf = inverseDocumentFrequencies(pool);
  const topTerms = (doc: Document) => {
    const tf = new Map<string, number>();
    for (const t of tokenizeAlnumLower(doc.text)) tf.set(t, (tf.get(t) ?? 0) + 1);
    return new Set([...tf].map(([t, n]) => [t, n * (idf.get(t) ?? 0)] as const).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20).map(([t]) => t));
  };
  return (doc) => {
    const others = pool.filter((d) => d !== doc);
    if (others.length === 0) return undefined;
    const terms = topTerms(doc);
    let best: Document | undefined;
    let bestScore = -1;
    for (let i = 0; i < Math.min(30, others.length); i++) {
      const candidate = others[random.int(others.length)]!;
      const score = jaccard(terms, topTerms(candidate));
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
    return best;
  };
}
