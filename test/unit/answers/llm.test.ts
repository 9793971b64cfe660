import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerers } from '../../../src/answers/registry.js';
import { createLedger } from '../../../src/llms/ledger.js';
import { createEnv } from '../../../src/shared/env.js';
import { ServiceError } from '../../../src/shared/errors.js';
import { startOpenAiServer, type OpenAiServer } from '../../doubles/openai-server.js';

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const passages = [
  { id: 'd1#0-30', docId: 'd1', text: 'Aspirin shortened headaches.' },
  { id: 'd2#0-20', docId: 'd2', text: 'Ibuprofen was similar.' },
];

async function makeAnswerer(options: Record<string, unknown> = {}) {
  const workDir = await mkdtemp(join(tmpdir(), 'ragbench-llm-'));
  const ledger = createLedger();
  const parsed = answerers.llm.options.parse({ model: { kind: 'openai', model: 'gpt-4o-mini', baseURL: server.url, maxRetries: 0 }, ...options });
  const answerer = await answerers.llm.create(parsed, { env: createEnv({ OPENAI_API_KEY: server.apiKey }), workDir, ledger });
  return { answerer, ledger, workDir };
}

const chats = () => server.requestsTo('/v1/chat/completions');

describe('llm answerer', () => {
  it('renders qa-v1 and returns the model text with its usage', async () => {
    server.onChat(() => 'Aspirin shortened headaches [1].');
    const { answerer } = await makeAnswerer();
    const answer = await answerer.answer('Does aspirin help?', passages);
    expect(answer).toMatchObject({ text: 'Aspirin shortened headaches [1].', cached: false, outputTokens: 4 });
    expect(answer.label).toBeUndefined();
    const [system, user] = chats()[0]!.chat!.messages;
    expect(system!.content).toMatch(/^You answer questions using only the numbered context passages/);
    expect(user!.content).toBe(
      'Context:\n[1] Aspirin shortened headaches.\n\n[2] Ibuprofen was similar.\n\nQuestion: Does aspirin help?\nAnswer in one to three sentences, citing passage numbers like [1].',
    );
    expect(chats()[0]!.chat!.temperature).toBe(0);
  });

  it('asks for {answer, decision} JSON on decision tasks and reads the label', async () => {
    server.onChat(() => JSON.stringify({ answer: 'It shortened headaches [1].', decision: 'yes' }));
    const { answerer } = await makeAnswerer();
    const answer = await answerer.answer('Does aspirin help?', passages, { decision: true });
    expect(answer).toMatchObject({ text: 'It shortened headaches [1].', label: 'yes' });
    const request = chats()[0]!.chat!;
    expect(request.responseFormat?.json_schema?.name).toBe('decision_answer');
    expect(request.messages[1]!.content).toMatch(/"decision" \("yes", "no" or "maybe"\)\.$/);
  });

  it('uses the closed-book variant without passages', async () => {
    const { answerer } = await makeAnswerer();
    await answerer.answer('Does aspirin help?', []);
    expect(chats()[0]!.chat!.messages[1]!.content).toBe('Question: Does aspirin help?');
  });

  it('answers a repeated question from the completion cache and the ledger counts it as cached', async () => {
    server.onChat(() => 'Yes [1].');
    const { answerer, ledger } = await makeAnswerer({ maxTokens: 50 });
    await answerer.answer('Does aspirin help?', passages);
    const again = await answerer.answer('Does aspirin help?', passages);
    expect(again).toMatchObject({ text: 'Yes [1].', cached: true, latencyMs: 0 });
    expect(chats()).toHaveLength(1);
    expect(chats()[0]!.chat!.maxTokens).toBe(50);
    expect(ledger.report().total).toMatchObject({ calls: 2, cachedCalls: 1 });
  });

  it('fingerprints model and prompt, and lets service errors through', async () => {
    const { answerer: v1 } = await makeAnswerer();
    const { answerer: concise } = await makeAnswerer({ prompt: 'qa-concise-v1' });
    expect(v1.fingerprint).not.toBe(concise.fingerprint);
    expect(v1.fingerprint).toContain('qa-v1.yaml');
    server.failNext(1, 400);
    await expect(v1.answer('q', passages)).rejects.toBeInstanceOf(ServiceError);
  });

  it('validates its model config against the chat model registry', () => {
    expect(answerers.llm.options.safeParse({ model: { kind: 'anthropic', model: 'x' } }).success).toBe(false);
    expect(answerers.llm.options.safeParse({ model: { kind: 'openai', model: 'x', temprature: 0 } }).success).toBe(false);
  });
});
