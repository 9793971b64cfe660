import { z } from 'zod';
import type { ChatModel, Completion } from './chat-model.js';

/** USD per 1M tokens, as providers publish them. */
const priceSchema = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
});

/** The `prices:` section of a config: `{ <model id>: { input, output } }`, overriding or adding to `defaultPrices`. */
export const priceTableSchema = z.record(z.string().min(1), priceSchema);

type Price = z.output<typeof priceSchema>;
export type PriceTable = Readonly<Record<string, Price>>;

/**
 * OpenAI standard-tier list prices, USD per 1M tokens, as published in March 2026 (unchanged since gpt-5's
 * launch in August 2025). Prices change: a run's report is an estimate; override them under `prices:`.
 */
export const defaultPrices: PriceTable = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
};

/** A cost, or why there is none: an unpriced model is never reported as free (promptfoo's graderError lesson). */
export type Cost = { readonly usd: number } | { readonly usd: null; readonly reason: string };

export interface Usage {
  readonly calls: number;
  /** Calls a cache answered: they cost nothing this run. */
  readonly cachedCalls: number;
  /** Tokens of calls that reached the service (the ones paid for). */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Tokens of cached calls: what a run without the cache would also have paid for. */
  readonly cachedInputTokens: number;
  readonly cachedOutputTokens: number;
  /** Of the paid tokens only. */
  readonly cost: Cost;
}

interface ModelUsage extends Usage {
  readonly model: string;
}

export interface LedgerReport {
  /** One row per model as the server named it, sorted by model. */
  readonly models: readonly ModelUsage[];
  /** Sums over all models; the cost is null when any model's is. */
  readonly total: Usage;
}

type LedgerEntry = Pick<Completion, 'model' | 'inputTokens' | 'outputTokens' | 'cached'>;

/** Tokens and cost of one run. Not shared between runs: create one per run and pass it down. */
export interface Ledger {
  record(entry: LedgerEntry): void;
  report(): LedgerReport;
}

interface Tally {
  calls: number;
  cachedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cachedOutputTokens: number;
}

/** `prices` are merged over `defaultPrices` (a user's entry wins), so a config only lists what it changes. */
export function createLedger(prices: PriceTable = {}): Ledger {
  const table: PriceTable = { ...defaultPrices, ...prices };
  const tallies = new Map<string, Tally>();
  return {
    record(entry) {
      let tally = tallies.get(entry.model);
      if (!tally) {
        tally = { calls: 0, cachedCalls: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cachedOutputTokens: 0 };
        tallies.set(entry.model, tally);
      }
      tally.calls++;
      if (entry.cached) {
        tally.cachedCalls++;
        tally.cachedInputTokens += entry.inputTokens;
        tally.cachedOutputTokens += entry.outputTokens;
      } else {
        tally.inputTokens += entry.inputTokens;
        tally.outputTokens += entry.outputTokens;
      }
    },
    report() {
      const models = [...tallies.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([model, tally]): ModelUsage => ({ model, ...tally, cost: costOf(model, tally, table) }));
      return { models, total: totalOf(models) };
    },
  };
}

/**
 * The price of a model id: exact, else without a date suffix, because the API answers with the snapshot it
 * served (`gpt-4o-mini-2024-07-18` for `gpt-4o-mini`). Never by prefix: gpt-4o would price gpt-4o-mini.
 */
export function priceOf(model: string, table: PriceTable): Price | undefined {
  if (Object.hasOwn(table, model)) return table[model];
  const undated = model.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  return undated !== model && Object.hasOwn(table, undated) ? table[undated] : undefined;
}

function costOf(model: string, tally: Tally, table: PriceTable): Cost {
  const price = priceOf(model, table);
  if (!price) {
    return {
      usd: null,
      reason: `no price for model ${model}; add prices: { ${model}: { input, output } } in USD per 1M tokens (0 for a free local model)`,
    };
  }
  return { usd: (tally.inputTokens * price.input + tally.outputTokens * price.output) / 1_000_000 };
}

function totalOf(models: readonly ModelUsage[]): Usage {
  const sum = (field: keyof Tally) => models.reduce((total, m) => total + m[field], 0);
  const unpriced = models.filter((m) => m.cost.usd === null).map((m) => m.model);
  const cost: Cost =
    unpriced.length > 0
      ? { usd: null, reason: `no price for ${unpriced.join(', ')}` }
      : { usd: models.reduce((total, m) => total + (m.cost.usd ?? 0), 0) };
  return {
    calls: sum('calls'),
    cachedCalls: sum('cachedCalls'),
    inputTokens: sum('inputTokens'),
    outputTokens: sum('outputTokens'),
    cachedInputTokens: sum('cachedInputTokens'),
    cachedOutputTokens: sum('cachedOutputTokens'),
    cost,
  };
}

/** Records every completion of `model` in `ledger`. Wrap outside a cache so cached answers count as cached. */
export function withLedger(model: ChatModel, ledger: Ledger): ChatModel {
  return {
    fingerprint: model.fingerprint,
    model: model.model,
    defaultTemperature: model.defaultTemperature,
    async complete(messages, options) {
      const completion = await model.complete(messages, options);
      ledger.record(completion);
      return completion;
    },
  };
}
