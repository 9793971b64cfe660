import { join, resolve } from 'node:path';
import { loadCorpusReference } from '../../config/load-eval.js';
import { loadYamlFile } from '../../shared/files/yaml-file.js';
import { chatModels } from '../../llms/registry.js';
import { createEnv } from '../../shared/env.js';
import { UsageError } from '../../shared/errors.js';
import { pluginConfigSchema } from '../../shared/plugin.js';
import { knownItemDefaults } from '../../synth/known-item.js';
import { llmQuestionDefaults, questionTypes, type QuestionType } from '../../synth/llm-questions.js';
import { synthesize, type SynthPlan } from '../../synth/synthesize.js';
import type { GlobalOptions } from '../global-options.js';
import { abortOnInterrupt } from '../interrupt.js';

/** Flags as commander hands them over (strings); checked here so every mistake is one UsageError line. */
export interface SynthCommandOptions {
  readonly out: string;
  readonly queries: string;
  readonly seed: string;
  readonly method: string;
  readonly noise?: string;
  readonly terms?: string;
  readonly passageSentences?: string;
  readonly llm?: string;
  readonly types?: string;
  readonly quoteTolerance?: string;
  readonly dedup?: string;
}

const chatModelFileSchema = pluginConfigSchema('chat model', chatModels);

/** `ragbench synth <corpus> --out <dir>`: a generated test set in the BEIR layout, with span labels. */
export async function synthCommand(corpusRef: string, options: SynthCommandOptions, globals: GlobalOptions): Promise<void> {
  const fromCwd = join(process.cwd(), '.cli');
  const corpus = await loadCorpusReference(corpusRef, fromCwd, { file: '(command line)' });
  const queries = integer('--queries', options.queries, 1);
  const seed = integer('--seed', options.seed, 0);
  const out = resolve(options.out);
  const interrupt = abortOnInterrupt();
  try {
    const plan = await planFor(options, queries, seed, globals);
    const command = [
      'ragbench synth',
      corpusRef,
      `--out ${options.out}`,
      `--method ${plan.method}`,
      `--queries ${queries}`,
      `--seed ${seed}`,
      // Every setting that shapes the output, so the README's command reproduces it byte for byte.
      ...(plan.method === 'known-item'
        ? [`--noise ${plan.options.noise}`, `--terms ${plan.options.termsPerQuery}`, `--passage-sentences ${plan.options.passageSentences}`]
        : [
            `--llm ${options.llm}`,
            `--types ${formatShares(plan.options.shares)}`,
            `--quote-tolerance ${plan.options.quoteTolerance}`,
            `--dedup ${plan.options.dedupThreshold}`,
          ]),
    ].join(' ');
    const report = await synthesize({ corpus, out, plan, command, signal: interrupt.signal });
    const dropped = Object.values(report.dropped).reduce((a, b) => a + b, 0);
    const types = Object.entries(report.byType).map(([type, n]) => `${n} ${type}`).join(', ') || 'none';
    process.stdout.write(
      `synth ${report.corpus.name}: ${report.generated} of ${report.requested} queries (${types}), ${dropped} candidate(s) dropped → ${out}\n` +
        `details in ${join(out, 'synth-report.json')}; evaluate with an eval file whose corpus is that folder\n` +
        (report.caveat ? `caveat: ${report.caveat}\n` : ''),
    );
  } finally {
    interrupt.dispose();
  }
}

async function planFor(options: SynthCommandOptions, queries: number, seed: number, globals: GlobalOptions): Promise<SynthPlan> {
  if (options.method === 'known-item') {
    return {
      method: 'known-item',
      options: {
        ...knownItemDefaults,
        queries,
        seed,
        ...(options.noise !== undefined ? { noise: share('--noise', options.noise) } : {}),
        ...(options.terms !== undefined ? { termsPerQuery: integer('--terms', options.terms, 1) } : {}),
        ...(options.passageSentences !== undefined ? { passageSentences: integer('--passage-sentences', options.passageSentences, 1) } : {}),
      },
    };
  }
  if (options.method !== 'llm') throw new UsageError(`unknown --method ${options.method}`, 'use known-item (offline) or llm');
  if (!options.llm) throw new UsageError('--method llm needs --llm <chat model yaml>', 'e.g. a file with kind: openai, model: gpt-4o-mini');
  const config = await loadYamlFile(resolve(options.llm), chatModelFileSchema);
  const model = await chatModels[config.kind as keyof typeof chatModels].create(config.options as never, {
    env: createEnv(),
    workDir: resolve(globals.workDir),
  });
  return {
    method: 'llm',
    model,
    options: {
      ...llmQuestionDefaults,
      queries,
      seed,
      ...(options.types !== undefined ? { shares: parseShares(options.types) } : {}),
      ...(options.quoteTolerance !== undefined ? { quoteTolerance: share('--quote-tolerance', options.quoteTolerance) } : {}),
      ...(options.dedup !== undefined ? { dedupThreshold: share('--dedup', options.dedup) } : {}),
    },
  };
}

/** `factoid=0.6,multi-hop=0.2,unanswerable=0.2`; types left out get share 0. */
function parseShares(text: string): Record<QuestionType, number> {
  const shares = Object.fromEntries(questionTypes.map((type) => [type, 0])) as Record<QuestionType, number>;
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [type, value] = part.split('=').map((p) => p.trim());
    if (!questionTypes.includes(type as QuestionType)) {
      throw new UsageError(`--types: unknown question type "${type}"`, `use ${questionTypes.join(', ')}, e.g. factoid=0.6,multi-hop=0.2,unanswerable=0.2`);
    }
    shares[type as QuestionType] = nonNegative(`--types ${type}`, value ?? '');
  }
  if (Object.values(shares).every((v) => v === 0)) throw new UsageError('--types: all shares are 0', 'give at least one type a positive share');
  return shares;
}

const formatShares = (shares: Readonly<Record<string, number>>) =>
  Object.entries(shares).filter(([, v]) => v > 0).map(([k, v]) => `${k}=${v}`).join(',');

function integer(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min) throw new UsageError(`${flag} must be an integer ≥ ${min}, got "${text}"`);
  return value;
}

function nonNegative(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`${flag} must be a number ≥ 0, got "${text}"`);
  return value;
}

function share(flag: string, text: string): number {
  const value = nonNegative(flag, text);
  if (value > 1) throw new UsageError(`${flag} must be in [0, 1], got "${text}"`);
  return value;
}
