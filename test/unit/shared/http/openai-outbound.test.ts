import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiEmbedder, openai as openaiEmbedder } from '../../../../src/embedders/openai.js';
import { createOpenAiChatModel, openai as openaiChat } from '../../../../src/llms/openai.js';
import { createEnv } from '../../../../src/shared/env.js';
import { ServiceError } from '../../../../src/shared/errors.js';
import { closePeers, redirectTo, startPeer, streamForever } from '../../../doubles/hostile-peer.js';

/** OpenAI-compatible embedders and chat models go through the outbound policy too (the SDK's `fetch`). */
afterEach(closePeers);

const key = 'sk-live-secret-123';
const env = createEnv({ OPENAI_API_KEY: key });
const fastRetry = { baseDelayMs: 1, maxDelayMs: 2 };

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error as Error,
  );
}

describe('OpenAI-compatible clients under the outbound policy', () => {
  it('an embeddings endpoint that redirects to another origin never sends the key there', async () => {
    const other = await startPeer((_req, res) => res.end('{}'));
    const server = await startPeer(redirectTo(307, `${other.url}/v1/embeddings`));
    const embedder = await createOpenAiEmbedder(openaiEmbedder.options.parse({ baseURL: `${server.url}/v1`, maxRetries: 2 }), { env, retry: fastRetry });
    const error = await failure(embedder.embed(['hello'], 'query'));
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toContain(`redirected to another origin, ${other.url}/v1/embeddings; refused so the credentials stay with ${server.url}`);
    expect(error.message).not.toContain(key);
    expect(other.requests).toHaveLength(0);
    // A refusal is final: no retries that would knock on the same door again.
    expect(server.requests).toHaveLength(1);
  });

  it('a chat completion whose body never ends stops at maxResponseBytes', async () => {
    const server = await startPeer((_req, res, self) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"x","choices":[{"message":{"content":"');
      streamForever(res, self, Buffer.alloc(64 * 1024, 'a'));
    });
    const model = await createOpenAiChatModel(openaiChat.options.parse({ model: 'gpt-4o-mini', baseURL: `${server.url}/v1`, maxResponseBytes: 1024 * 1024, maxRetries: 0 }), {
      env,
      retry: fastRetry,
    });
    const error = await failure(model.complete([{ role: 'user', content: 'hi' }], {}));
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toMatch(/openai: the response from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions is larger than 1\.0 MiB; stopped reading/);
    expect((error as ServiceError).fix).toContain('maxResponseBytes of the chat model');
    expect(server.bytesSent).toBeLessThan(64 * 1024 * 1024);
  });
});
