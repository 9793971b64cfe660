import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../../src/llms/chat-model.js';
import { createOpenAiChatModel, openai } from '../../../src/llms/openai.js';
import { chatModels } from '../../../src/llms/registry.js';
import { createEnv } from '../../../src/shared/env.js';
import { ConfigError, exitCodes, ServiceError } from '../../../src/shared/errors.js';
import { defaultChatAnswer, startOpenAiServer, type OpenAiServer } from '../../doubles/openai-server.js';

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: 'sk-test-secret-123' });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const env = (vars: Record<string, string> = { OPENAI_API_KEY: 'sk-test-secret-123' }) => createEnv(vars);
const fastRetry = { baseDelayMs: 1, maxDelayMs: 5 };
const ask = (content: string): ChatMessage[] => [
  { role: 'system', content: 'You answer briefly.' },
  { role: 'user', content },
];
const verdictSchema = {
  name: 'verdict',
  schema: {
    type: 'object',
    properties: { supported: { type: 'boolean' }, reason: { type: 'string' } },
    required: ['supported', 'reason'],
    additionalProperties: false,
  },
};

function make(options: Record<string, unknown> = {}, vars?: Record<string, string>, url = server.url) {
  return createOpenAiChatModel(openai.options.parse({ model: 'gpt-4o-mini', baseURL: url, ...options }), {
    env: env(vars),
    retry: fastRetry,
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const chatRequests = () => server.requestsTo('/v1/chat/completions');

describe('openai chat model', () => {
  it('returns the answer with the server-reported usage', async () => {
    const completion = await (await make()).complete(ask('what is the capital of France'));
    expect(completion.text).toBe('Echo: what is the capital of France');
    // The double counts words: 3 + 6 prompt words, 7 answer words.
    expect(completion.inputTokens).toBe(9);
    expect(completion.outputTokens).toBe(7);
    expect(completion.cached).toBe(false);
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.latencyMs).toBeGreaterThanOrEqual(0);
    expect(chatRequests()[0]!.chat!.messages).toEqual(ask('what is the capital of France'));
  });

  it('sends temperature 0 by default and passes call options through', async () => {
    const model = await make({ maxTokens: 50 });
    await model.complete(ask('a'));
    await model.complete(ask('b'), { temperature: 0.7, maxTokens: 3, seed: 42 });
    const [first, second] = chatRequests().map((r) => r.chat!);
    expect(first).toMatchObject({ temperature: 0, maxTokens: 50, maxTokensField: 'max_tokens' });
    expect(first!.seed).toBeUndefined();
    expect(first!.responseFormat).toBeUndefined();
    expect(second).toMatchObject({ temperature: 0.7, maxTokens: 3, seed: 42 });
  });

  it('sends no temperature when the option is null (models that accept only their default)', async () => {
    const model = await make({ temperature: null });
    expect(model.defaultTemperature).toBeUndefined();
    await model.complete(ask('a'));
    expect(chatRequests()[0]!.chat!.temperature).toBeUndefined();
  });

  it('returns the answer cut at maxTokens', async () => {
    server.onChat(() => 'one two three four five six');
    const completion = await (await make()).complete(ask('count'), { maxTokens: 4 });
    expect(completion.text).toBe('one two three four');
    expect(completion.outputTokens).toBe(4);
  });

  it.each([429, 500, 503])('retries a %i and then succeeds', async (status) => {
    server.failNext(2, status);
    const completion = await (await make({ maxRetries: 3 })).complete(ask('retry me'));
    expect(completion.text).toBe('Echo: retry me');
    expect(chatRequests().map((r) => r.status)).toEqual([status, status, 200]);
  });

  it('gives up after maxRetries retries with a retryable ServiceError (exit code 3)', async () => {
    server.failNext(10, 429);
    const error = await failure((await make({ maxRetries: 2 })).complete(ask('never')));
    expect(error).toBeInstanceOf(ServiceError);
    expect(exitCodes[(error as ServiceError).code]).toBe(3);
    expect((error as ServiceError).retryable).toBe(true);
    expect((error as ServiceError).status).toBe(429);
    expect((error as ServiceError).fix).toMatch(/concurrency/);
    expect(chatRequests()).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    server.failNext(1, 400, { message: 'bad request' });
    const error = await failure((await make()).complete(ask('x')));
    expect((error as ServiceError).retryable).toBe(false);
    expect(chatRequests()).toHaveLength(1);
  });

  it('fails a rejected key at once, naming the variable and never the key', async () => {
    const model = await make({ apiKeyEnv: 'JUDGE_KEY' }, { JUDGE_KEY: 'sk-wrong-key-987654' });
    const error = await failure(model.complete(ask('x')));
    expect(error).toBeInstanceOf(ServiceError);
    const serviceError = error as ServiceError;
    expect(serviceError.status).toBe(401);
    expect(serviceError.retryable).toBe(false);
    expect(serviceError.message).toContain('JUDGE_KEY');
    expect(serviceError.fix).toContain('JUDGE_KEY');
    expect(`${serviceError.message} ${serviceError.fix}`).not.toMatch(/wrong-key|987654/);
    expect(chatRequests()).toHaveLength(1);
  });

  it('says the key variable is unset when a keyless local server turns out to need one', async () => {
    const error = await failure((await make({}, {})).complete(ask('x')));
    expect((error as ServiceError).message).toMatch(/OPENAI_API_KEY is not set/);
  });

  it('keeps the key out of other server error messages', async () => {
    server.failNext(1, 400, { message: 'bad request for key sk-test-secret-123' });
    const error = await failure((await make()).complete(ask('x')));
    expect((error as ServiceError).message).not.toContain('sk-test-secret-123');
  });

  it('maps a slow server to a retryable timeout', async () => {
    server.delayMs = 300;
    const error = await failure((await make({ timeoutMs: 50, maxRetries: 0 })).complete(ask('x')));
    expect((error as ServiceError).message).toMatch(/timed out/);
    expect((error as ServiceError).retryable).toBe(true);
  });

  it('passes an abort through without retrying', async () => {
    // Held far longer than any test takes, and aborted once the double has the request: no timer decides.
    server.delayMs = 60_000;
    const controller = new AbortController();
    const pending = (await make()).complete(ask('x'), { signal: controller.signal });
    await vi.waitFor(() => expect(server.received).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    controller.abort(new Error('user stopped'));
    await expect(pending).rejects.toThrow('user stopped');
    expect(chatRequests().length).toBeLessThanOrEqual(1);
  });

  it('bounds requests in flight by concurrency, whoever calls', async () => {
    // No timing decides the outcome for a correct client: answers are held until two of this test's requests
    // wait (or the last one arrives), so both slots are always used; a third concurrent request would be seen
    // while they wait. Only this test's questions count: under CPU load a request aborted by the previous test
    // can reach the double after the reset, and used to show up here as an 8th request or a 3rd in flight.
    const total = 7;
    const questions = new Set(Array.from({ length: total }, (_, i) => `q${i}`));
    const isMine = (messages: readonly { content: string }[]) => messages.some((m) => questions.has(m.content));
    let started = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const waiting: (() => void)[] = [];
    server.onChat(async (request) => {
      if (!isMine(request.messages)) return defaultChatAnswer(request);
      started++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        // Released a moment later, so a client that sends more than two at once shows its third here.
        if (waiting.length === 2 || started === total) setTimeout(() => waiting.splice(0).forEach((release) => release()), 5);
      });
      inFlight--;
      return defaultChatAnswer(request);
    });
    const model = await make({ concurrency: 2 });
    const answers = await Promise.all(Array.from({ length: total }, (_, i) => model.complete(ask(`q${i}`))));
    expect(answers.map((a) => a.text)).toEqual(Array.from({ length: total }, (_, i) => `Echo: q${i}`));
    expect(maxInFlight).toBe(2);
    expect(chatRequests().filter((r) => r.chat && isMine(r.chat.messages))).toHaveLength(total);
  });

  it('asks for json_schema structured output and returns the checked JSON', async () => {
    server.onChat(() => '{"supported": true, "reason": "stated in the context"}');
    const completion = await (await make()).complete(ask('judge'), { jsonSchema: verdictSchema });
    expect(JSON.parse(completion.text)).toEqual({ supported: true, reason: 'stated in the context' });
    const request = chatRequests()[0]!.chat!;
    expect(request.responseFormat).toEqual({ type: 'json_schema', json_schema: { ...verdictSchema, strict: true } });
    expect(request.messages).toEqual(ask('judge'));
  });

  it('falls back to json_object with the schema in the system message when the server rejects json_schema', async () => {
    server.rejectJsonSchema = true;
    server.onChat(() => 'Here you go: {"supported": false, "reason": "not in the context"}');
    const model = await make();
    const completion = await model.complete(ask('judge'), { jsonSchema: verdictSchema });
    expect(JSON.parse(completion.text)).toEqual({ supported: false, reason: 'not in the context' });
    await model.complete(ask('again'), { jsonSchema: verdictSchema });
    const requests = chatRequests();
    // Rejected once, then json_object for this call and every later one.
    expect(requests.map((r) => [r.status, r.chat!.responseFormat!.type])).toEqual([
      [400, 'json_schema'],
      [200, 'json_object'],
      [200, 'json_object'],
    ]);
    const system = requests[1]!.chat!.messages[0]!;
    expect(system.role).toBe('system');
    expect(system.content).toMatch(/^You answer briefly\.\n\n.*JSON.*"supported"/s);
    expect(requests[1]!.chat!.messages).toHaveLength(2);
  });

  it('surfaces a schema the server calls invalid instead of falling back', async () => {
    const message = "Invalid schema for response_format 'verdict': 'additionalProperties' is required to be false";
    server.onChat(() => ({ status: 400, body: { error: { message, type: 'invalid_request_error', code: null } } }));
    const error = await failure((await make()).complete(ask('judge'), { jsonSchema: verdictSchema }));
    expect((error as ServiceError).message).toMatch(/Invalid schema/);
    expect(chatRequests()).toHaveLength(1);
  });

  it('sends no response_format with structuredOutputs none but still checks the answer', async () => {
    server.onChat(() => '```json\n{"supported": true}\n```');
    const error = await failure((await make({ structuredOutputs: 'none' })).complete([{ role: 'user', content: 'judge' }], { jsonSchema: verdictSchema }));
    expect(chatRequests()[0]!.chat!.responseFormat).toBeUndefined();
    expect(chatRequests()[0]!.chat!.messages[0]!.role).toBe('system');
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).message).toMatch(/\$\.reason: is required/);
    expect((error as ServiceError).retryable).toBe(false);
  });

  it('rejects an answer that is not JSON, pointing at maxTokens when it was cut off', async () => {
    server.onChat(() => '{"supported": true, "reason": "a long reason that goes on"}');
    const error = await failure((await make()).complete(ask('judge'), { jsonSchema: verdictSchema, maxTokens: 3 }));
    expect((error as ServiceError).message).toMatch(/not JSON/);
    expect((error as ServiceError).fix).toMatch(/maxTokens/);
  });

  it('passes a scripted server error through the mapping', async () => {
    server.onChat(() => ({ status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } }));
    const error = await failure((await make({ maxRetries: 1 })).complete(ask('x')));
    expect((error as ServiceError).status).toBe(503);
    expect(chatRequests()).toHaveLength(2);
  });

  it('fingerprints model, endpoint and answer-shaping defaults only', async () => {
    const a = await make();
    expect((await make({ concurrency: 1, maxRetries: 0, timeoutMs: 10 })).fingerprint).toBe(a.fingerprint);
    expect((await make({ temperature: 0.5 })).fingerprint).not.toBe(a.fingerprint);
    expect((await make({ model: 'gpt-4.1' })).fingerprint).not.toBe(a.fingerprint);
    expect(a.fingerprint).toMatch(/^openai:.*gpt-4o-mini/);
    expect(a.fingerprint).not.toContain('sk-test');
  });

  it('throws ConfigError naming the missing key variable for api.openai.com', async () => {
    const parsed = openai.options.parse({ model: 'gpt-4o', apiKeyEnv: 'MY_JUDGE_KEY' });
    const error = await failure(createOpenAiChatModel(parsed, { env: createEnv({}) }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('MY_JUDGE_KEY');
  });

  it('reads the endpoint from baseURLEnv', async () => {
    const parsed = openai.options.parse({ model: 'llama3', baseURLEnv: 'LLM_URL' });
    const model = await createOpenAiChatModel(parsed, { env: env({ OPENAI_API_KEY: 'sk-test-secret-123', LLM_URL: server.url }) });
    expect((await model.complete(ask('hi'))).text).toBe('Echo: hi');
    const error = await failure(createOpenAiChatModel(parsed, { env: env() }));
    expect((error as ConfigError).message).toContain('LLM_URL');
  });

  it.each([
    [{}],
    [{ model: 'm', concurrency: 0 }],
    [{ model: 'm', temperature: 3 }],
    [{ model: 'm', structuredOutputs: 'xml' }],
    [{ model: 'm', baseURL: 'http://x/v1', baseURLEnv: 'X' }],
    [{ model: 'm', apiKey: 'sk-inline' }],
  ])('rejects invalid options %j', (options) => {
    expect(openai.options.safeParse(options).success).toBe(false);
  });

  it('creates through the registry with the context env', async () => {
    const options = chatModels.openai.options.parse({ model: 'gpt-4o-mini', baseURL: server.url });
    const model = await chatModels.openai.create(options, { env: env(), workDir: '/unused' });
    expect((await model.complete(ask('registry'))).text).toBe('Echo: registry');
  });
});
