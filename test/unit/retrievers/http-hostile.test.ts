import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runSample } from '../../helpers/external-index.js';

/** The kind: http retriever pointed at a hostile or broken service: what reaches whom, and what it costs. */
interface Peer {
  readonly url: string;
  readonly requests: IncomingMessage['headers'][];
  bytesSent: number;
  close(): Promise<void>;
}
const peers: Peer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function peer(handler: (req: IncomingMessage, res: ServerResponse, self: Peer) => void): Promise<Peer> {
  let self!: Peer;
  const server: Server = createServer((req, res) => {
    self.requests.push(req.headers);
    req.resume();
    req.on('end', () => handler(req, res, self));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    bytesSent: 0,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  peers.push(self);
  return self;
}

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
    const service = await peer((_req, res) => {
      res.writeHead(307, { location: `${other.url}/collect` });
      res.end();
    });
    const error = await runSample(config(`${service.url}/search`), { env: { SEARCH_TOKEN: token } }).then(
      () => new Error('expected a refusal'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain(`redirected to another origin, ${other.url}/collect; refused so the credentials stay with ${service.url}`);
    expect(error.message).not.toContain(token);
    expect(service.requests.length).toBeGreaterThan(0);
    expect(service.requests.every((h) => h.authorization === `Bearer ${token}`)).toBe(true);
    expect(other.requests).toHaveLength(0);
  });

  it('crossOriginRedirects: follow does not apply to a request with secrets', async () => {
    const other = await peer((_req, res) => res.end('{"results":[]}'));
    const service = await peer((_req, res) => {
      res.writeHead(302, { location: other.url });
      res.end();
    });
    await expect(runSample(config(service.url, { crossOriginRedirects: 'follow' }), { env: { SEARCH_TOKEN: token } })).rejects.toThrow(/refused so the credentials stay/);
    expect(other.requests).toHaveLength(0);
  });

  it('an endless body stops at maxResponseBytes with one line naming the URL and the setting', async () => {
    const endless = await peer((_req, res, self) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"results":[');
      const chunk = Buffer.from('{"doc_id":"x"},'.repeat(4096));
      const pump = () => {
        while (!res.destroyed && self.bytesSent < 1 << 30) {
          self.bytesSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
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
