import { request } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewServer } from '../../../src/viewer/server.js';

/** `ragbench view` against the browser-borne attacks a local server meets: rebinding, cross-site requests. */
let server: Awaited<ReturnType<typeof startViewServer>>;
beforeAll(async () => {
  server = await startViewServer({ workDir: await mkdtemp(join(tmpdir(), 'rb-view-')), port: 0 });
});
afterAll(() => server.close());

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ragbench view refuses what a hostile web page could make a browser send', () => {
  it('binds to loopback and serves its own pages with the security headers', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('a DNS-rebinding Host header is refused', async () => {
    expect((await get('/', { host: 'attacker.example:4173' })).status).toBe(403);
    expect((await get('/runs/x/', { host: `rebind.example:${new URL(server.url).port}` })).status).toBe(403);
  });

  it('a request carrying another site\'s Origin is refused, the viewer\'s own is not', async () => {
    expect((await get('/', { origin: 'https://evil.example' })).status).toBe(403);
    expect((await get('/', { origin: server.url.replace(/\/$/, '') })).status).toBe(200);
  });

  it('a comparison is never started by another site (a link, an <img>), only from the viewer or the address bar', async () => {
    const path = '/compare?baseline=a&candidate=b';
    expect((await get(path, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(path, { 'sec-fetch-site': 'same-site' })).status).toBe(403);
    // same-origin and typed URLs get through to the lookup (these runs do not exist: 404, not 403)
    expect((await get(path, { 'sec-fetch-site': 'same-origin' })).status).toBe(404);
    expect((await get(path, { 'sec-fetch-site': 'none' })).status).toBe(404);
  });

  it('is read-only', async () => {
    const { hostname, port } = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ hostname, port, path: '/', method: 'POST' }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      req.end('x');
    });
    expect(status).toBe(405);
  });
});
