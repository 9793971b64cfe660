import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmbeddingCache } from '../../../src/embedders/cache.js';
import { createOpenAiEmbedder, openai } from '../../../src/embedders/openai.js';
import { createEnv } from '../../../src/shared/env.js';
import { redactUrl, redactUrlsInText, redactUrlsInValue } from '../../../src/shared/redact-url.js';
import { startOpenAiServer, type OpenAiServer } from '../../doubles/openai-server.js';

describe('URL redaction (issue 11 #4)', () => {
  it.each([
    ['https://user:pa%40ss@host:8443/v1?token=abc&model=x', 'https://***@host:8443/v1?token=***&model=x'],
    ['http://h/v1?api_key=1&sig=2&Signature=3&X-Amz-Credential=4&page=5', 'http://h/v1?api_key=***&sig=***&Signature=***&X-Amz-Credential=***&page=5'],
    ['http://h/v1?secret=s&password=p&access_token=t', 'http://h/v1?secret=***&password=***&access_token=***'],
    ['http://localhost:11434/v1', 'http://localhost:11434/v1'],
    ['not a url', 'not a url'],
  ])('redacts %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('redacts URLs inside text and nested values, leaving the rest', () => {
    expect(redactUrlsInText('cannot reach http://u:p@h/x?key=k (timeout)')).toBe('cannot reach http://***@h/x?key=*** (timeout)');
    expect(redactUrlsInValue({ a: ['http://h/?token=t'], b: 3, c: { d: 'plain' } })).toEqual({ a: ['http://h/?token=***'], b: 3, c: { d: 'plain' } });
  });
});

describe('a baseURLEnv with user-info and a token (issue 11 #4)', () => {
  let server: OpenAiServer;
  beforeAll(async () => {
    server = await startOpenAiServer({ apiKey: 'sk-unused', basicAuth: 'alice:s3cr3t' });
  });
  afterAll(() => server.close());

  it('works (Basic auth from the user-info, the query on every request) and records the URL redacted', async () => {
    const url = new URL(server.url);
    const secretUrl = `http://alice:s3cr3t@${url.host}${url.pathname}?token=t0k3n&region=eu`;
    const env = createEnv({ EMBED_URL: secretUrl });
    const options = openai.options.parse({ model: 'text-embedding-3-small', dimensions: 16, baseURLEnv: 'EMBED_URL' });
    const inner = await createOpenAiEmbedder(options, { env });
    const dir = await mkdtemp(join(tmpdir(), 'rb-redact-'));
    const embedder = withEmbeddingCache(inner, { dir });
    const [vector] = await embedder.embed(['hello'], 'document');
    expect(vector).toHaveLength(16);
    const [request] = server.requestsTo('/v1/embeddings');
    expect(request!.status).toBe(200);
    expect(request!.query).toEqual({ token: 't0k3n', region: 'eu' });
    for (const text of [inner.fingerprint, await readFile(join(embedder.path, 'meta.json'), 'utf8')]) {
      expect(text).not.toContain('s3cr3t');
      expect(text).not.toContain('t0k3n');
      expect(text).not.toContain('alice');
      expect(text).toContain('token=***');
    }
    expect(await readdir(embedder.path)).toContain('meta.json');
  });
});
