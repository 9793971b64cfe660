import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completionCacheDir, withCompletionCache } from '../../../src/llms/cache.js';
import type { ChatMessage, ChatModel } from '../../../src/llms/chat-model.js';
import { createOpenAiChatModel, openai } from '../../../src/llms/openai.js';
import { createEnv } from '../../../src/shared/env.js';
import { startOpenAiServer, type OpenAiServer } from '../../doubles/openai-server.js';

let server: OpenAiServer;
let dir: string;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(() => server.close());
beforeEach(async () => {
  server.reset();
  dir = completionCacheDir(await mkdtemp(join(tmpdir(), 'ragbench-llm-cache-')));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const inner = (options: Record<string, unknown> = {}): Promise<ChatModel> =>
  createOpenAiChatModel(openai.options.parse({ model: 'gpt-4o-mini', baseURL: server.url, ...options }), {
    env: createEnv({ OPENAI_API_KEY: server.apiKey }),
  });
const ask = (content: string): ChatMessage[] => [{ role: 'user', content }];
const chatRequests = () => server.requestsTo('/v1/chat/completions');

describe('withCompletionCache', () => {
  it('answers a second identical call from the cache without a request', async () => {
    const model = withCompletionCache(await inner(), { dir });
    const first = await model.complete(ask('what is BM25'));
    const second = await model.complete(ask('what is BM25'));
    expect(chatRequests()).toHaveLength(1);
    expect(first.cached).toBe(false);
    expect(second).toEqual({ ...first, cached: true, latencyMs: 0 });
    expect(model.stats).toEqual({ hits: 1, misses: 1, bypassed: 0 });
    expect(model.fingerprint).toBe((await inner()).fingerprint);
  });

  it.each([
    ['other messages', [ask('b'), {}]],
    ['another role', [[{ role: 'system', content: 'a' }], {}]],
    ['maxTokens', [ask('a'), { maxTokens: 5 }]],
    ['seed', [ask('a'), { seed: 7 }]],
    ['temperature with a seed', [ask('a'), { temperature: 0.9, seed: 1 }]],
    ['jsonSchema', [ask('a'), { jsonSchema: { name: 'x', schema: { type: 'object' } } }]],
  ] as const)('misses when %s differ', async (_, [messages, options]) => {
    server.onChat(() => '{}');
    const model = withCompletionCache(await inner(), { dir });
    await model.complete(ask('a'));
    await model.complete(messages as ChatMessage[], options);
    expect(chatRequests()).toHaveLength(2);
    expect(model.stats.hits).toBe(0);
  });

  it('keys by the inner fingerprint: another model never reuses the entries', async () => {
    await withCompletionCache(await inner(), { dir }).complete(ask('a'));
    const other = withCompletionCache(await inner({ model: 'gpt-4.1' }), { dir });
    expect((await other.complete(ask('a'))).cached).toBe(false);
    expect(chatRequests()).toHaveLength(2);
  });

  it('shares an entry between an explicit temperature 0 and the default 0', async () => {
    const model = withCompletionCache(await inner(), { dir });
    await model.complete(ask('a'));
    expect((await model.complete(ask('a'), { temperature: 0 })).cached).toBe(true);
  });

  it('reopens from disk: a new process pays nothing for answers it already has', async () => {
    await withCompletionCache(await inner(), { dir }).complete(ask('persist me'));
    const reopened = withCompletionCache(await inner(), { dir });
    const completion = await reopened.complete(ask('persist me'));
    expect(completion.cached).toBe(true);
    expect(completion.text).toBe('Echo: persist me');
    expect(chatRequests()).toHaveLength(1);
    expect(JSON.parse(await readFile(join(reopened.path, 'meta.json'), 'utf8'))).toEqual({ fingerprint: reopened.fingerprint });
  });

  it('tolerates a truncated last line and keeps appending cleanly after it', async () => {
    const first = withCompletionCache(await inner(), { dir });
    await first.complete(ask('kept'));
    const file = join(first.path, 'completions.jsonl');
    await appendFile(file, '{"key":"abc","text":"half a li');
    const second = withCompletionCache(await inner(), { dir });
    expect((await second.complete(ask('kept'))).cached).toBe(true);
    await second.complete(ask('new'));
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.at(-1)).toBe('');
    lines.slice(0, 2).forEach((line) => expect(() => JSON.parse(line)).not.toThrow());
    expect((await withCompletionCache(await inner(), { dir }).complete(ask('new'))).cached).toBe(true);
  });

  it('does not cache sampled calls unless asked to', async () => {
    const model = withCompletionCache(await inner(), { dir });
    await model.complete(ask('a'), { temperature: 0.8 });
    await model.complete(ask('a'), { temperature: 0.8 });
    expect(chatRequests()).toHaveLength(2);
    expect(model.stats).toEqual({ hits: 0, misses: 0, bypassed: 2 });

    const caching = withCompletionCache(await inner(), { dir, cacheNonDeterministic: true });
    await caching.complete(ask('a'), { temperature: 0.8 });
    expect((await caching.complete(ask('a'), { temperature: 0.8 })).cached).toBe(true);
  });

  it('treats a model without a default temperature as sampled', async () => {
    const model = withCompletionCache(await inner({ temperature: null }), { dir });
    await model.complete(ask('a'));
    await model.complete(ask('a'));
    expect(model.stats.bypassed).toBe(2);
    expect((await model.complete(ask('a'), { seed: 3 })).cached).toBe(false);
    expect((await model.complete(ask('a'), { seed: 3 })).cached).toBe(true);
  });

  it('stores nothing when the inner call fails', async () => {
    server.failNext(1, 400);
    const model = withCompletionCache(await inner({ maxRetries: 0 }), { dir });
    await expect(model.complete(ask('a'))).rejects.toThrow();
    expect((await model.complete(ask('a'))).cached).toBe(false);
  });

  it('keeps every answer when calls run concurrently', async () => {
    const model = withCompletionCache(await inner(), { dir });
    await Promise.all(Array.from({ length: 12 }, (_, i) => model.complete(ask(`q${i}`))));
    const reopened = withCompletionCache(await inner(), { dir });
    const again = await Promise.all(Array.from({ length: 12 }, (_, i) => reopened.complete(ask(`q${i}`))));
    expect(again.every((c) => c.cached)).toBe(true);
    expect(again.map((c) => c.text)).toEqual(Array.from({ length: 12 }, (_, i) => `Echo: q${i}`));
  });
});
