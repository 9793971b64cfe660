import { afterEach, describe, expect, it } from 'vitest';
import { closePeers, redirectTo, startPeer as peer, streamForever } from '../../doubles/hostile-peer.js';
import { runSample } from '../../helpers/external-index.js';

/** The kind: http retriever pointed at a hostile or broken service: what reaches whom, and what it costs. */
afterEach(closePeers);

const token = 's3cret-token-value';
const config = (url: string, extra: Record<string, unknown> = {}) => ({
  kind: 'http',
  url,
  secretHeaders: { Authorization: { env: 'SEARCH_TOKEN', prefix: 'Bearer ' } },
  fields: { docId: 'doc_id' },
  retries: 0,
  timeoutMs: 5_000,
  ...extra,
});

describe('kind: http retriever against a hostile service', () => {
  it('a 307 to another origin is refused: the secret header never reaches it', async () => {
    const other = await peer((_req, res) => res.end('{"results":[]}'));
    const service = await peer(redirectTo(307, `${other.url}/collect`));
    const error = await runSample(config(`${service.url}/search`), { env: { SEARCH_TOKEN: token } }).then(
      () => new Error('expected a refusal'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain(`redirected to another origin, ${other.url}/collect; refused so the credentials stay with ${service.url}`);
    expect(error.message).not.toContain(token);
    expect(service.requests.length).toBeGreaterThan(0);
    expect(service.requests.every(({ headers }) => headers.authorization === `Bearer ${token}`)).toBe(true);
    expect(other.requests).toHaveLength(0);
  });

  it('crossOriginRedirects: follow does not apply to a request with secrets', async () => {
    const other = await peer((_req, res) => res.end('{"results":[]}'));
    const service = await peer(redirectTo(302, other.url));
    await expect(runSample(config(service.url, { crossOriginRedirects: 'follow' }), { env: { SEARCH_TOKEN: token } })).rejects.toThrow(/refused so the credentials stay/);
    expect(other.requests).toHaveLength(0);
  });

  it('an endless body stops at maxResponseBytes with one line naming the URL and the setting', async () => {
    const endless = await peer((_req, res, self) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"results":[');
      streamForever(res, self, Buffer.from('{"doc_id":"x"},'.repeat(4096)));
    });
    const error = await runSample(config(endless.url, { maxResponseBytes: 2 * 1024 * 1024 }), { env: { SEARCH_TOKEN: token } }).then(
      () => new Error('expected a refusal'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(/http retriever: the response from http:\/\/127\.0\.0\.1:\d+\/ is larger than 2\.0 MiB; stopped reading/);
    expect((error as Error & { fix?: string }).fix).toContain('maxResponseBytes of the http retriever');
    expect(endless.bytesSent).toBeLessThan(64 * 1024 * 1024);
  });
});
