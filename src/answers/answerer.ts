import type { z } from 'zod';
import type { Decision } from '../corpus/qa.js';
import type { Ledger } from '../llms/ledger.js';
import type { PluginContext, PluginDefinition } from '../shared/plugin.js';

/** Where an answer's contexts come from: the retriever's top-k chunks, the gold passages, or none. */
export type ContextMode = 'retrieved' | 'gold' | 'closed-book';
export const contextModes = ['retrieved', 'gold', 'closed-book'] as const satisfies readonly ContextMode[];

/** One passage given to an answerer: a retrieved chunk, a gold document, … `text` is exactly what it sees. */
export interface ContextPassage {
  /** Chunk id (`${docId}#${start}-${end}`) or document id. */
  readonly id: string;
  readonly docId: string;
  readonly text: string;
}

export interface AnswerOptions {
  /** The task asks a yes/no/maybe decision (PubMedQA): the answer then carries `label`. */
  readonly decision?: boolean;
  readonly signal?: AbortSignal;
  /** Sampling temperature of this call (the answer matrix); default the model's own. Offline answerers ignore it. */
  readonly temperature?: number;
  /** Sampling seed (the matrix's repeat number): a seeded call is cached, so repeats resume instead of paying twice. */
  readonly seed?: number;
  /** Few-shot examples shown before the question, from a held-out split (never the scored questions). */
  readonly examples?: readonly FewShotExample[];
}

/** One worked example of a few-shot prompt: a held-out question and its reference answer. */
export interface FewShotExample {
  readonly id: string;
  readonly question: string;
  readonly answer: string;
}

export interface GeneratedAnswer {
  readonly text: string;
  /** Set when the task asked a decision. */
  readonly label?: Decision;
  /** Token counts of the generating call(s); 0 for offline answerers. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Wall time of this answer; 0 when a cache answered. */
  readonly latencyMs: number;
  /** True when a cache answered and nothing was paid for. */
  readonly cached: boolean;
}

/**
 * Question + context passages → answer. Contexts come in the order the answerer should see them (best first for
 * retrieval); an empty list is the closed-book setting. Throws ServiceError when a service fails for good.
 */
export interface Answerer {
  /** kind + options (+ model and prompt fingerprints): two answerers with equal fingerprints answer alike. */
  readonly fingerprint: string;
  /**
   * Set when the answerer is a heuristic, not a language model: what it does, in one phrase. Its scores then say
   * how well retrieval feeds a rule, nothing about a model's behaviour, and `ragbench decide` draws no model
   * conclusions from them.
   */
  readonly heuristic?: string;
  answer(question: string, contexts: readonly ContextPassage[], options?: AnswerOptions): Promise<GeneratedAnswer>;
}

/** What an answerer may use when created: the plug-in context plus the run's ledger and where paths resolve. */
export interface AnswererContext extends PluginContext {
  /** Records every model call of the run (tokens, cost); wrapped outside the completion cache. */
  readonly ledger?: Ledger;
  /** Folder that relative paths in options (e.g. `prompt: ./my-prompt.yaml`) resolve against; default cwd. */
  readonly baseDir?: string;
}

/** An answerer kind; `create` is async so model clients load only when used. */
export type AnswererDefinition = PluginDefinition<z.ZodType, Promise<Answerer>, AnswererContext>;
