import { resolve } from 'node:path';
import type { Answerer, AnswererContext, ContextMode, FewShotExample } from '../../answers/answerer.js';
import type { AnswersConfig, MatrixPrompt } from '../../answers/answers-config.js';
import { answerers } from '../../answers/registry.js';
import { readQaFile, type QaItem, type QaSet } from '../../corpus/qa.js';
import type { Query } from '../../corpus/types.js';
import { ConfigError } from '../../shared/errors.js';
import type { PluginConfig } from '../../shared/plugin.js';
import { cellKey } from '../../report/matrix/summary.js';

/** One cell of the answer matrix, ready to answer: every repeat of it sends `temperature` and seed = repeat. */
export interface MatrixCell {
  readonly key: string;
  readonly answerer: string;
  /** The chat model id (for prices and reports); null for offline answerers. */
  readonly model: string | null;
  readonly prompt: string;
  /** null: the answerer does not sample (extractive), so it gets one repeat. */
  readonly temperature: number | null;
  readonly arm: string | null;
  readonly contexts: ContextMode;
  readonly repeats: number;
  readonly examples: readonly FewShotExample[];
  readonly instance: Answerer;
  readonly config: PluginConfig;
}

interface CellInputs {
  readonly config: AnswersConfig;
  /** The retrieval arms' names (`chunker × retriever`), crossed with `contexts: retrieved`. */
  readonly arms: readonly string[];
  readonly scored: readonly Query[];
  readonly qa: QaSet;
  readonly corpusPath: string;
  readonly file: string;
  readonly context: AnswererContext;
}

/**
 * answerers × prompts × temperatures × (retrieved × arms, closed-book, gold). An llm answerer is crossed with every
 * named prompt (default: its own, named "default") and temperature; an offline answerer gets one cell per context
 * mode (no prompt, no sampling, one repeat). Few-shot examples are loaded here and checked to be held out.
 */
export async function buildMatrixCells(inputs: CellInputs): Promise<MatrixCell[]> {
  const { config } = inputs;
  const modes = Array.isArray(config.contexts) ? config.contexts : [config.contexts];
  const temperatures = config.temperatures ?? [0];
  const repeats = config.repeats ?? 1;
  const placements = modes.flatMap((contexts): { contexts: ContextMode; arm: string | null }[] => (contexts === 'retrieved' ? inputs.arms.map((arm) => ({ contexts, arm })) : [{ contexts, arm: null }]));
  const cells: MatrixCell[] = [];
  for (const [name, answerer] of Object.entries(config.answerers ?? {})) {
    const definition = answerers[answerer.kind as keyof typeof answerers];
    if (answerer.kind !== 'llm') {
      const instance = await definition.create(answerer.options as never, inputs.context);
      for (const p of placements) cells.push(cell({ answerer: name, model: null, prompt: '-', temperature: null, ...p, repeats: 1, examples: [], instance, config: answerer }));
      continue;
    }
    const prompts: Record<string, MatrixPrompt> = config.prompts ?? { default: String(answerer.options.prompt) };
    for (const [promptName, prompt] of Object.entries(prompts)) {
      const reference = typeof prompt === 'string' ? prompt : prompt.prompt;
      const examples = typeof prompt === 'string' || !prompt.fewShot ? [] : await fewShotExamples(prompt.fewShot, promptName, inputs);
      const instance = await definition.create({ ...answerer.options, prompt: reference } as never, inputs.context);
      const model = modelOf(answerer);
      for (const temperature of temperatures) {
        for (const p of placements) cells.push(cell({ answerer: name, model, prompt: promptName, temperature, ...p, repeats, examples, instance, config: answerer }));
      }
    }
  }
  return cells;
}

function cell(c: Omit<MatrixCell, 'key'>): MatrixCell {
  return { ...c, key: cellKey(c) };
}

export function modelOf(answerer: PluginConfig): string | null {
  const model = (answerer.options.model as { options?: { model?: unknown } } | undefined)?.options?.model;
  return typeof model === 'string' ? model : null;
}

/**
 * The examples of a few-shot prompt: from `fewShot.qa` (relative to the corpus) or the eval's QA set, never a scored
 * question (by id or by question text: a duplicate under another id would leak the answer just the same).
 */
async function fewShotExamples(
  fewShot: NonNullable<Exclude<MatrixPrompt, string>['fewShot']>,
  promptName: string,
  inputs: CellInputs,
): Promise<FewShotExample[]> {
  const pool: QaSet = fewShot.qa ? await readQaFile(resolve(inputs.corpusPath, fewShot.qa)) : inputs.qa;
  const scoredIds = new Set(inputs.scored.map((q) => q.id));
  const scoredQuestions = new Set(inputs.scored.map((q) => (inputs.qa.get(q.id)?.question ?? q.text).trim().toLowerCase()));
  const leaks = (id: string, item: QaItem) => scoredIds.has(id) || scoredQuestions.has(item.question.trim().toLowerCase());
  const place = { place: { file: inputs.file } };
  let chosen: [string, QaItem][];
  if (fewShot.ids) {
    chosen = fewShot.ids.map((id) => {
      const item = pool.get(id);
      if (!item) throw new ConfigError(`answers.prompts.${promptName}.fewShot.ids: ${id} is not in the QA file`, { ...place, fix: 'name ids of the held-out QA records' });
      if (leaks(id, item)) {
        throw new ConfigError(`answers.prompts.${promptName}.fewShot: example ${id} is one of the scored questions; few-shot examples must come from a held-out split`, {
          ...place,
          fix: 'pick ids outside the scored questions (queryLimit/querySample), or give fewShot.qa: a separate held-out file',
        });
      }
      return [id, item] as [string, QaItem];
    });
  } else {
    chosen = [...pool.entries()].filter(([id, item]) => !leaks(id, item)).slice(0, fewShot.examples);
  }
  if (chosen.length < fewShot.examples) {
    throw new ConfigError(`answers.prompts.${promptName}.fewShot: only ${chosen.length} held-out QA records for ${fewShot.examples} examples`, {
      ...place,
      fix: 'lower fewShot.examples, score fewer questions (queryLimit), or give fewShot.qa: a held-out file',
    });
  }
  return chosen.map(([id, item]) => ({ id, question: item.question, answer: exampleAnswer(item) }));
}

/** What the example's assistant turn says: the JSON a decision task asks for, else the first reference answer. */
function exampleAnswer(item: QaItem): string {
  if (item.decision) return JSON.stringify({ answer: item.longAnswer ?? item.decision, decision: item.decision });
  return item.answers[0] ?? '';
}
