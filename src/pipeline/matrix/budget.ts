import type { Document, Query } from '../../corpus/types.js';
import type { QaSet } from '../../corpus/qa.js';
import type { PriceTable } from '../../llms/ledger.js';
import type { Hit } from '../../retrievers/retriever.js';
import { ConfigError } from '../../shared/errors.js';
import { chunkText } from '../answer/answer-eval.js';
import { priceOfAnswerer } from '../decide/arms.js';
import type { MatrixCell } from './cells.js';

/** Characters per token for the estimate (English ≈ 4) and characters a prompt template adds around the inputs. */
const charsPerToken = 4;
const templateChars = 1000;
/** Output tokens assumed per call when neither the answerer nor its model sets maxTokens. */
const defaultOutputTokens = 512;

export interface MatrixBudgetEstimate {
  readonly calls: number;
  /** null when a model in the matrix has no price (named in `unpriced`). */
  readonly usd: number | null;
  readonly unpriced: readonly string[];
}

interface BudgetInputs {
  readonly cells: readonly MatrixCell[];
  readonly queries: readonly Query[];
  readonly qa: QaSet;
  readonly documents: ReadonlyMap<string, Document>;
  readonly hitsByArm: ReadonlyMap<string, ReadonlyMap<string, readonly Hit[]>>;
  readonly contextK: number;
  readonly prices: PriceTable;
}

/**
 * Every model call the matrix makes (cells with a model × queries × repeats) and their list-price cost: input
 * (question, passages and examples + a template allowance) / 4 characters per token, output at maxTokens (else 512).
 * Cached answers are counted as calls too, so on a resumed run this is an upper bound.
 */
export function estimateMatrix(inputs: BudgetInputs): MatrixBudgetEstimate {
  let calls = 0;
  let usd = 0;
  const unpriced = new Set<string>();
  for (const cell of inputs.cells) {
    if (cell.model === null) continue;
    calls += inputs.queries.length * cell.repeats;
    const price = priceOfAnswerer(cell.config, inputs.prices);
    if ('reason' in price) {
      unpriced.add(cell.model);
      continue;
    }
    const exampleChars = cell.examples.reduce((sum, e) => sum + e.question.length + e.answer.length, 0);
    const outputTokens = outputTokensOf(cell);
    for (const query of inputs.queries) {
      const chars = templateChars + exampleChars + (inputs.qa.get(query.id)?.question ?? query.text).length + contextChars(cell, query.id, inputs);
      usd += (cell.repeats * ((chars / charsPerToken) * price.input + outputTokens * price.output)) / 1e6;
    }
  }
  return { calls, usd: unpriced.size > 0 ? null : usd, unpriced: [...unpriced] };
}

function outputTokensOf(cell: MatrixCell): number {
  const own = cell.config.options.maxTokens;
  const model = (cell.config.options.model as { options?: { maxTokens?: unknown } } | undefined)?.options?.maxTokens;
  return typeof own === 'number' ? own : typeof model === 'number' ? model : defaultOutputTokens;
}

function contextChars(cell: MatrixCell, queryId: string, inputs: BudgetInputs): number {
  if (cell.contexts === 'closed-book') return 0;
  if (cell.contexts === 'gold') {
    return (inputs.qa.get(queryId)?.contextIds ?? []).reduce((sum, id) => sum + (inputs.documents.get(id)?.text.length ?? 0), 0);
  }
  const hits = inputs.hitsByArm.get(cell.arm ?? '')?.get(queryId) ?? [];
  return hits.slice(0, inputs.contextK).reduce((sum, hit) => sum + chunkText(hit, inputs.documents).length, 0);
}

/** Refuses (ConfigError, exit 2) before the first call when the estimate exceeds maxCalls or maxCostUsd. */
export function checkMatrixBudget(estimate: MatrixBudgetEstimate, limits: { readonly maxCalls?: number | undefined; readonly maxCostUsd?: number | undefined }, file: string): void {
  const place = { place: { file } };
  if (limits.maxCalls !== undefined && estimate.calls > limits.maxCalls) {
    throw new ConfigError(`the answer matrix needs ${estimate.calls.toLocaleString('en')} model calls, more than answers.maxCalls ${limits.maxCalls.toLocaleString('en')}; nothing was sent`, {
      ...place,
      fix: 'raise answers.maxCalls, or shrink the matrix (repeats, temperatures, prompts, answerers, queryLimit)',
    });
  }
  if (limits.maxCostUsd === undefined) return;
  if (estimate.usd === null) {
    throw new ConfigError(`answers.maxCostUsd needs a price for every model, and ${estimate.unpriced.join(', ')} has none; nothing was sent`, {
      ...place,
      fix: `add prices: { ${estimate.unpriced[0]}: { input, output } } (USD per 1M tokens) to the eval`,
    });
  }
  if (estimate.usd > limits.maxCostUsd) {
    throw new ConfigError(`the answer matrix is estimated at $${estimate.usd.toFixed(4)} (${estimate.calls.toLocaleString('en')} calls), more than answers.maxCostUsd $${limits.maxCostUsd}; nothing was sent`, {
      ...place,
      fix: 'raise answers.maxCostUsd, or shrink the matrix (repeats, temperatures, prompts, answerers, queryLimit)',
    });
  }
}
