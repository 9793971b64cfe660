import { z } from 'zod';
import { answerMetricNames } from '../metrics/answers.js';
import { pluginConfigSchema } from '../shared/plugin.js';
import { contextModes, type ContextMode } from './answerer.js';
import { chatModelConfigSchema } from './chat-models.js';
import { answerers } from './registry.js';

const answererConfigSchema = pluginConfigSchema('answerer', answerers);

const judgedMetrics: readonly string[] = ['faithfulness-llm', 'correctness-llm'];

/**
 * The `answers:` section of an eval: generation + answer metrics per query, for every arm. Paths (`qa`) resolve
 * against the corpus folder; an llm answerer's `prompt` against the eval file's folder.
 */
/**
 * A named prompt of the answer matrix: a prompt reference (`qa-v1`, `./my-prompt.yaml`), or one with few-shot
 * examples drawn from a held-out QA split (`fewShot`): never from the questions being scored (refused otherwise).
 */
const matrixPromptSchema = z.union([
  z.string().min(1),
  z.strictObject({
    prompt: z.string().min(1),
    fewShot: z
      .strictObject({
        /** Examples shown before the question (user/assistant turns). */
        examples: z.int().min(1).max(20),
        /** The held-out QA file (relative to the corpus folder); default the eval's qa file minus the scored questions. */
        qa: z.string().min(1).optional(),
        /** Exact example ids; each must be outside the scored questions. Default: the first `examples` held-out records. */
        ids: z.array(z.string().min(1)).optional(),
      })
      .optional(),
  }),
]);
export type MatrixPrompt = z.output<typeof matrixPromptSchema>;

export const answersConfigSchema = z
  .strictObject({
    /** One answerer (the single-answerer form). Give either this or `answerers`. */
    answerer: answererConfigSchema.optional(),
    /** The answer matrix: named answerers (`base: { kind: llm, model: … }`, `ft: …`, `extractive: { kind: extractive }`). */
    answerers: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/, 'answerer names may hold letters, digits, ".", "_" and "-"'), answererConfigSchema).optional(),
    /** Matrix: named prompts crossed with every llm answerer (default: each answerer's own prompt, named "default"). */
    prompts: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), matrixPromptSchema).optional(),
    /** Matrix: sampling temperatures crossed with every llm answerer; default [0]. */
    temperatures: z.array(z.number().min(0).max(2)).min(1).optional(),
    /** Matrix: answers per question and cell (seeds 1..repeats, so each repeat is cached and resumable); default 1. */
    repeats: z.int().min(1).max(100).optional(),
    /** Matrix: refuse up front when the estimated cost of the uncached-or-not calls exceeds this (USD, list prices). */
    maxCostUsd: z.number().positive().optional(),
    /** Matrix: refuse up front when the matrix needs more model calls than this. */
    maxCalls: z.int().positive().optional(),
    /** The QA file, relative to the corpus folder. */
    qa: z.string().min(1).default('qa.jsonl'),
    /** retrieved: the arm's top contextK chunks; gold: the QA's gold passages; closed-book: none. */
    contexts: z.union([z.enum(contextModes), z.array(z.enum(contextModes)).min(1)]).default('retrieved'),
    contextK: z.int().positive().max(100).default(5),
    metrics: z
      .array(z.enum(answerMetricNames))
      .min(1)
      .default(['exact-match', 'token-f1', 'decision-accuracy', 'context-recall', 'answer-coverage', 'faithfulness-lexical']),
    /** The judge of faithfulness-llm and correctness-llm (temperature 0 is forced per call). */
    judge: chatModelConfigSchema.optional(),
    /** faithfulness-llm samples per answer; > 1 reports their spread (std, min, max). */
    judgeSamples: z.int().min(1).max(10).default(1),
    /** Queries answered at once. */
    concurrency: z.int().min(1).max(64).default(4),
  })
  .superRefine((config, ctx) => {
    if ((config.answerer === undefined) === (config.answerers === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['answerer'], message: 'give answerer (one answerer) or answerers (the answer matrix), exactly one of them' });
    }
    if (config.answerer !== undefined) {
      for (const key of ['prompts', 'temperatures', 'repeats', 'maxCostUsd', 'maxCalls'] as const) {
        if (config[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} belongs to the answer matrix: name your answerers under answers.answerers` });
      }
      if (Array.isArray(config.contexts)) ctx.addIssue({ code: 'custom', path: ['contexts'], message: 'a list of contexts belongs to the answer matrix (answers.answerers); one answerer takes one mode' });
    }
    const needsJudge = config.metrics.filter((m) => judgedMetrics.includes(m));
    if (needsJudge.length > 0 && !config.judge) {
      ctx.addIssue({ code: 'custom', path: ['judge'], message: `${needsJudge.join(', ')} need a judge: add judge: { kind: openai, model: … }` });
    }
  });

export type AnswersConfig = z.output<typeof answersConfigSchema>;

/** The one context mode of the single-answerer form (the schema refuses a list there). */
export function singleContextMode(config: AnswersConfig): ContextMode {
  return Array.isArray(config.contexts) ? config.contexts[0]! : config.contexts;
}

/** The single answerer; ConfigError-free because the schema guarantees one of answerer/answerers. */
export function singleAnswerer(config: AnswersConfig): NonNullable<AnswersConfig['answerer']> {
  if (config.answerer) return config.answerer;
  const first = Object.values(config.answerers ?? {})[0];
  if (!first) throw new Error('answers has neither answerer nor answerers (the schema should have refused it)');
  return first;
}
