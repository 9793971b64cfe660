import { z } from 'zod';
import { answerMetricNames } from '../metrics/answers.js';
import { pluginConfigSchema } from '../shared/plugin.js';
import { contextModes } from './answerer.js';
import { chatModelConfigSchema } from './chat-models.js';
import { answerers } from './registry.js';

const answererConfigSchema = pluginConfigSchema('answerer', answerers);

const judgedMetrics: readonly string[] = ['faithfulness-llm', 'correctness-llm'];

/**
 * The `answers:` section of an eval: generation + answer metrics per query, for every arm. Paths (`qa`) resolve
 * against the corpus folder; an llm answerer's `prompt` against the eval file's folder.
 */
export const answersConfigSchema = z
  .strictObject({
    answerer: answererConfigSchema,
    /** The QA file, relative to the corpus folder. */
    qa: z.string().min(1).default('qa.jsonl'),
    /** retrieved: the arm's top contextK chunks; gold: the QA's gold passages; closed-book: none. */
    contexts: z.enum(contextModes).default('retrieved'),
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
    const needsJudge = config.metrics.filter((m) => judgedMetrics.includes(m));
    if (needsJudge.length > 0 && !config.judge) {
      ctx.addIssue({ code: 'custom', path: ['judge'], message: `${needsJudge.join(', ')} need a judge: add judge: { kind: openai, model: … }` });
    }
  });

export type AnswersConfig = z.output<typeof answersConfigSchema>;
