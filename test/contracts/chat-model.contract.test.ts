import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCompletionCache } from '../../src/llms/cache.js';
import type { ChatMessage, ChatModel } from '../../src/llms/chat-model.js';
import { createLedger, withLedger } from '../../src/llms/ledger.js';
import { chatModels } from '../../src/llms/registry.js';
import { createEnv } from '../../src/shared/env.js';
import { startOpenAiServer, type ChatRequest, type OpenAiServer } from '../doubles/openai-server.js';

/**
 * One behaviour suite over every chat model (Kysely's DIALECTS), wrappers included. Filter with
 * RAGBENCH_CHAT_MODELS=openai-double. The real OpenAI variant runs only when OPENAI_API_KEY is set, on
 * RAGBENCH_CHAT_MODEL (default gpt-4.1-nano, the cheapest that takes temperature 0).
 */
interface ChatModelCase {
  readonly name: string;
  /** Why the case cannot run here; undefined when it can. */
  readonly skipReason?: string;
  /** Remote models are not bitwise deterministic even at temperature 0; the double is. */
  readonly exact: boolean;
  create(): Promise<ChatModel>;
}

let server: OpenAiServer | undefined;
let cacheDir: string | undefined;
const workDir = '/nonexistent-workdir';

/** The double plays a tiny model that follows this suite's prompts, so the expectations are the real ones. */
function tinyModel(request: ChatRequest): string {
  const wantsJson = request.responseFormat !== undefined || request.messages.some((m) => /JSON/.test(m.content));
  if (wantsJson) return '{"answer": "pong", "confidence": 0.9}';
  const last = request.messages.at(-1)?.content ?? '';
  return /pong/.test(last) ? 'pong' : `You said: ${last}`;
}

async function doubleModel(): Promise<ChatModel> {
  server ??= await startOpenAiServer({ apiKey: 'contract-key' });
  server.onChat(tinyModel);
  const options = chatModels.openai.options.parse({ model: 'gpt-4o-mini', baseURL: server.url });
  return chatModels.openai.create(options, { env: createEnv({ OPENAI_API_KEY: 'contract-key' }), workDir });
}

const cases: ChatModelCase[] = [
  { name: 'openai-double', exact: true, create: doubleModel },
  {
    name: 'openai-double, cached and metered',
    exact: true,
    async create() {
      cacheDir ??= await mkdtemp(join(tmpdir(), 'ragbench-chat-contract-'));
      return withLedger(withCompletionCache(await doubleModel(), { dir: cacheDir }), createLedger());
    },
  },
  {
    name: 'openai (real service)',
    exact: false,
    skipReason: process.env.OPENAI_API_KEY ? undefined : 'OPENAI_API_KEY is not set',
    create: () =>
      chatModels.openai.create(
        chatModels.openai.options.parse({ model: process.env.RAGBENCH_CHAT_MODEL ?? 'gpt-4.1-nano', maxRetries: 2 }),
        { env: createEnv(process.env), workDir },
      ),
  },
];

const only = process.env.RAGBENCH_CHAT_MODELS?.split(',').map((s) => s.trim());
const selected = cases.filter((c) => !only || only.includes(c.name));

afterAll(async () => {
  await server?.close();
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

const pingPong: ChatMessage[] = [
  { role: 'system', content: 'You are a terse test fixture.' },
  { role: 'user', content: 'Reply with exactly one word: pong' },
];
const answerSchema = {
  name: 'answer',
  schema: {
    type: 'object',
    properties: { answer: { type: 'string' }, confidence: { type: 'number' } },
    required: ['answer', 'confidence'],
    additionalProperties: false,
  },
};

for (const modelCase of selected) {
  if (modelCase.skipReason) {
    it.skip(`chat model contract: ${modelCase.name} (skipped: ${modelCase.skipReason})`, () => {});
    continue;
  }
  describe(`chat model contract: ${modelCase.name}`, () => {
    let model: ChatModel;
    beforeAll(async () => {
      model = await modelCase.create();
    });

    it('declares a non-empty fingerprint and model without secrets', () => {
      expect(model.fingerprint.length).toBeGreaterThan(0);
      expect(model.model.length).toBeGreaterThan(0);
      expect(model.fingerprint).not.toMatch(/contract-key|sk-/);
    });

    it('answers with text, whole token counts, a latency and the serving model', async () => {
      const completion = await model.complete(pingPong);
      expect(completion.text.toLowerCase()).toContain('pong');
      expect(Number.isInteger(completion.inputTokens) && completion.inputTokens > 0).toBe(true);
      expect(Number.isInteger(completion.outputTokens) && completion.outputTokens > 0).toBe(true);
      expect(Number.isFinite(completion.latencyMs) && completion.latencyMs >= 0).toBe(true);
      expect(typeof completion.cached).toBe('boolean');
      expect(completion.model).toContain(model.model);
    });

    it('keeps the answer within maxTokens', async () => {
      const completion = await model.complete([{ role: 'user', content: 'Count from 1 to 200, one number per line.' }], {
        maxTokens: 16,
      });
      expect(completion.outputTokens).toBeLessThanOrEqual(16);
    });

    it('returns JSON matching the requested schema', async () => {
      const completion = await model.complete(
        [{ role: 'user', content: 'Reply "pong" as the answer, with your confidence from 0 to 1.' }],
        { jsonSchema: answerSchema },
      );
      const value = JSON.parse(completion.text) as { answer: unknown; confidence: unknown };
      expect(typeof value.answer).toBe('string');
      expect(typeof value.confidence).toBe('number');
      expect(Object.keys(value).sort()).toEqual(['answer', 'confidence']);
    });

    it('rejects at once when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort(new Error('stopped by the caller'));
      await expect(model.complete(pingPong, { signal: controller.signal })).rejects.toThrow('stopped by the caller');
    });

    it.runIf(modelCase.exact)('answers the same prompt the same way at temperature 0', async () => {
      const a = await model.complete(pingPong, { temperature: 0 });
      const b = await model.complete(pingPong, { temperature: 0 });
      expect(b.text).toBe(a.text);
    });
  });
}
