import { afterEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../../../../src/shared/errors.js';
import { fetchUnderPolicy, type OutboundPolicy } from '../../../../src/shared/http/outbound.js';
import { closePeers, redirectTo, startPeer as peer, streamForever } from '../../../doubles/hostile-peer.js';

afterEach(closePeers);

const policy = (extra: Partial<OutboundPolicy> = {}): OutboundPolicy => ({
  service: 'test client',
  maxResponseBytes: 1024 * 1024,
  maxResponseBytesSetting: 'maxResponseBytes of the test client',
  ...extra,
});

const secret = 'Bearer s3cret-token-value';

describe('outbound HTTP policy', () => {
  it('refuses a redirect to another origin when the request carries a secret, naming the location; the other origin sees nothing', async () => {
    const other = await peer((_req, res) => res.end('{"results":[]}'));
    const service = await peer(redirectTo(307, `${other.url}/steal`));
    let refused = 0;
    for (let i = 0; i < 15; i++) {
      const error = await fetchUnderPolicy(`${service.url}/search`, { method: 'POST', headers: { authorization: secret }, body: '{}' }, policy()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as Error).message).toContain(`redirected to another origin, ${other.url}/steal; refused so the credentials stay with ${service.url}`);
      expect((error as Error).message).not.toContain('s3cret');
      refused++;
    }
    expect(refused).toBe(15);
    expect(service.requests).toHaveLength(15);
    expect(other.requests).toHaveLength(0);
  });

  it('a custom secret header counts as a secret too, and so does user-info in the URL', async () => {
    const other = await peer((_req, res) => res.end('ok'));
    const service = await peer(redirectTo(302, `${other.url}/`));
    const follow = policy({ crossOriginRedirects: 'follow', secretHeaders: ['X-Api-Key'] });
    await expect(fetchUnderPolicy(service.url, { headers: { 'x-api-key': 'k-123' } }, follow)).rejects.toThrow(/refused so the credentials stay/);
    const withUserInfo = service.url.replace('http://', 'http://user:pw@');
    // fetch itself refuses user-info URLs, so this only checks that the policy does not forward them either.
    await expect(fetchUnderPolicy(withUserInfo, {}, follow)).rejects.toThrow();
    expect(other.requests).toHaveLength(0);
  });

  it('follows a same-origin redirect with the secret, and a cross-origin one without secrets only when told to', async () => {
    const other = await peer((_req, res) => res.end('from other'));
    const service = await peer((req, res) => {
      if (req.url === '/old') {
        res.writeHead(308, { location: '/new' });
        res.end();
      } else if (req.url === '/away') {
        res.writeHead(301, { location: `${other.url}/there` });
        res.end();
      } else res.end('from new');
    });
    const same = await fetchUnderPolicy(`${service.url}/old`, { headers: { authorization: secret } }, policy());
    expect(await same.text()).toBe('from new');
    expect(service.requests.at(-1)!.headers.authorization).toBe(secret);

    await expect(fetchUnderPolicy(`${service.url}/away`, {}, policy())).rejects.toThrow(/redirected to another origin/);
    const followed = await fetchUnderPolicy(`${service.url}/away`, {}, policy({ crossOriginRedirects: 'follow' }));
    expect(await followed.text()).toBe('from other');
    expect(other.requests).toHaveLength(1);
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('caps redirects', async () => {
    const loop = await peer((req, res) => {
      res.writeHead(302, { location: `/hop${Number(req.url!.slice(4) || 0) + 1}` });
      res.end();
    });
    await expect(fetchUnderPolicy(`${loop.url}/hop0`, {}, policy({ maxRedirects: 3 }))).rejects.toThrow(/redirected more than 3 times/);
    expect(loop.requests).toHaveLength(4);
  });

  it('stops an endless body at the cap with an error naming the URL and the setting', async () => {
    const endless = await peer((_req, res, self) => streamForever(res, self, Buffer.alloc(64 * 1024, 'x')));
    const response = await fetchUnderPolicy(`${endless.url}/big?token=abc`, { headers: { authorization: secret } }, policy());
    const error = await response.text().catch((e: unknown) => e);
    const reason = error instanceof ServiceError ? error : (error as Error).cause;
    expect(reason).toBeInstanceOf(ServiceError);
    expect((reason as Error).message).toMatch(/the response from http:\/\/127\.0\.0\.1:\d+\/big\?token=\*\*\* is larger than 1\.0 MiB; stopped reading/);
    expect((reason as ServiceError).fix).toContain('maxResponseBytes of the test client');
    // The peer could push only what the socket buffers took before the client hung up, not the gigabyte it meant to.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(endless.bytesSent).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a declared content-length over the cap before reading anything', async () => {
    const huge = await peer((_req, res) => {
      res.writeHead(200, { 'content-length': String(5 * 1024 * 1024) });
      res.write('x');
    });
    await expect(fetchUnderPolicy(huge.url, {}, policy())).rejects.toThrow(/is larger than 1\.0 MiB/);
  });

  it('abandons a body that stops flowing after the idle timeout', async () => {
    const drip = await peer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first bytes');
      // …and never another
    });
    const response = await fetchUnderPolicy(drip.url, {}, policy({ idleTimeoutMs: 200 }));
    const error = await response.text().catch((e: unknown) => e);
    const reason = error instanceof ServiceError ? error : (error as Error).cause;
    expect((reason as Error).message).toMatch(/sent nothing for 200 ms; stopped waiting/);
  });

  it('turns a 303 after a POST into a GET without a body', async () => {
    const service = await peer((req, res) => {
      if (req.url === '/post') {
        res.writeHead(303, { location: '/result' });
        res.end();
      } else res.end(req.method);
    });
    const response = await fetchUnderPolicy(`${service.url}/post`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }, policy());
    expect(await response.text()).toBe('GET');
    expect(service.requests.at(-1)!.headers['content-type']).toBeUndefined();
  });
});
