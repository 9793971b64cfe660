import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCompletionCache } from '../../../src/llms/cache.js';
import { createOpenAiChatModel, openai } from '../../../src/llms/openai.js';
import { createLedger, defaultPrices, priceOf, priceTableSchema, withLedger } from '../../../src/llms/ledger.js';
import { createEnv } from '../../../src/shared/env.js';
import { startOpenAiServer, type OpenAiServer } from '../../doubles/openai-server.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const call = (model: string, inputTokens: number, outputTokens: number, cached = false) => ({ model, inputTokens, outputTokens, cached });

describe('ledger', () => {
  it.each([
    // model, input, output, hand-computed USD = (in × price_in + out × price_out) / 1e6
    ['gpt-4o', 1_000_000, 1_000_000, 2.5 + 10],
    ['gpt-4o-mini', 2_000, 500, (2_000 * 0.15 + 500 * 0.6) / 1e6],
    ['gpt-4.1', 10_000, 1_000, 0.02 + 0.008],
    ['gpt-4.1-mini', 123_456, 7_890, 0.0493824 + 0.012624],
    ['gpt-4.1-nano', 1_000_000, 0, 0.1],
    ['gpt-5', 40_000, 2_000, 0.05 + 0.02],
    ['gpt-5-mini', 0, 1_000_000, 2],
  ])('prices %s: %i in, %i out = $%s', (model, input, output, usd) => {
    const ledger = createLedger();
    ledger.record(call(model, input, output));
    const [row] = ledger.report().models;
    expect(row).toMatchObject({ model, calls: 1, inputTokens: input, outputTokens: output });
    expect(row!.cost.usd).toBeCloseTo(usd, 12);
  });

  it('sums per model and in total, and does not charge cached calls', () => {
    const ledger = createLedger();
    ledger.record(call('gpt-4o-mini', 1_000, 200));
    ledger.record(call('gpt-4o-mini', 3_000, 800));
    ledger.record(call('gpt-4o-mini', 5_000, 5_000, true));
    ledger.record(call('gpt-4.1', 2_000, 100));
    const { models, total } = ledger.report();
    expect(models.map((m) => m.model)).toEqual(['gpt-4.1', 'gpt-4o-mini']);
    const mini = models[1]!;
    expect(mini).toMatchObject({ calls: 3, cachedCalls: 1, inputTokens: 4_000, outputTokens: 1_000, cachedInputTokens: 5_000, cachedOutputTokens: 5_000 });
    // 4000 × 0.15 + 1000 × 0.60 = 1200 µ$ → $0.0012; gpt-4.1: 2000 × 2 + 100 × 8 = 4800 µ$ → $0.0048.
    expect(mini.cost.usd).toBeCloseTo(0.0012, 12);
    expect(total).toMatchObject({ calls: 4, cachedCalls: 1, inputTokens: 6_000, outputTokens: 1_100 });
    expect(total.cost.usd).toBeCloseTo(0.006, 12);
  });

  it('prices a dated snapshot by its base model but never by prefix', () => {
    expect(priceOf('gpt-4o-mini-2024-07-18', defaultPrices)).toEqual(defaultPrices['gpt-4o-mini']);
    expect(priceOf('gpt-4o-mini-preview', defaultPrices)).toBeUndefined();
    expect(priceOf('gpt-4o-audio', defaultPrices)).toBeUndefined();
  });

  it('reports an unknown model as null cost with a reason, never 0, and the total as null too', () => {
    const ledger = createLedger();
    ledger.record(call('llama3.1:8b', 100, 100));
    ledger.record(call('gpt-4o', 100, 100));
    const { models, total } = ledger.report();
    const llama = models.find((m) => m.model === 'llama3.1:8b')!;
    expect(llama.cost.usd).toBeNull();
    expect('reason' in llama.cost && llama.cost.reason).toMatch(/no price for model llama3\.1:8b.*prices:/);
    expect(total.cost.usd).toBeNull();
    expect('reason' in total.cost && total.cost.reason).toContain('llama3.1:8b');
    expect(total.inputTokens).toBe(200);
  });

  it('lets user prices override and extend the defaults', () => {
    const prices = priceTableSchema.parse({ 'gpt-4o': { input: 1, output: 2 }, 'llama3.1:8b': { input: 0, output: 0 } });
    const ledger = createLedger(prices);
    ledger.record(call('gpt-4o', 1_000_000, 500_000));
    ledger.record(call('llama3.1:8b', 9_999, 9_999));
    ledger.record(call('gpt-4o-mini', 1_000_000, 0));
    const cost = Object.fromEntries(ledger.report().models.map((m) => [m.model, m.cost.usd]));
    expect(cost).toEqual({ 'gpt-4o': 2, 'llama3.1:8b': 0, 'gpt-4o-mini': 0.15 });
    expect(ledger.report().total.cost.usd).toBeCloseTo(2.15, 12);
  });

  it.each([
    [{ 'gpt-4o': { input: -1, output: 1 } }],
    [{ 'gpt-4o': { input: 1 } }],
    [{ 'gpt-4o': { input: 1, output: 1, cached: 0.5 } }],
    [{ '': { input: 1, output: 1 } }],
  ])('rejects an invalid price table %j', (table) => {
    expect(priceTableSchema.safeParse(table).success).toBe(false);
  });
});

describe('withLedger', () => {
  let server: OpenAiServer;
  let dir: string;
  beforeAll(async () => {
    server = await startOpenAiServer();
    dir = await mkdtemp(join(tmpdir(), 'ragbench-ledger-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records each completion, cached ones as cached, outside a cache', async () => {
    const inner = await createOpenAiChatModel(openai.options.parse({ model: 'gpt-4o-mini', baseURL: server.url }), {
      env: createEnv({ OPENAI_API_KEY: server.apiKey }),
    });
    const ledger = createLedger();
    const model = withLedger(withCompletionCache(inner, { dir }), ledger);
    expect(model.fingerprint).toBe(inner.fingerprint);
    const messages = [{ role: 'user', content: 'one two three' }] as const;
    await model.complete(messages);
    await model.complete(messages);
    const [row] = ledger.report().models;
    // Prompt: 3 words; answer "Echo: one two three": 4 words, as the double counts tokens.
    expect(row).toMatchObject({ model: 'gpt-4o-mini', calls: 2, cachedCalls: 1, inputTokens: 3, outputTokens: 4, cachedInputTokens: 3, cachedOutputTokens: 4 });
    expect(row!.cost.usd).toBeCloseTo((3 * 0.15 + 4 * 0.6) / 1e6, 15);
  });
});
