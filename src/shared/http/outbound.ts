import { ServiceError } from '../errors.js';
import { redactUrl } from '../redact-url.js';

/**
 * What ragbench allows a peer it calls (a retrieval service, a model API, a dataset host) to do to the user:
 * redirects are followed by hand, a bounded number of times, and never carry credentials to an origin the user
 * did not configure; a response body is read through a byte counter that stops at a cap, so an endless or huge
 * body costs a bounded amount of memory; a body that stops flowing is abandoned after an idle timeout.
 */
export interface OutboundPolicy {
  /** Names the client in errors ("http retriever", "download", "the embedder"). */
  readonly service: string;
  /** The largest response body accepted, in bytes. */
  readonly maxResponseBytes: number;
  /** The setting that raises `maxResponseBytes`, named in the error (e.g. "maxResponseBytes of the http retriever"). */
  readonly maxResponseBytesSetting: string;
  /** Redirects followed at most; one more is an error. */
  readonly maxRedirects?: number;
  /**
   * A redirect to another origin (scheme, host or port): `refuse` (the default, and the only behaviour when the
   * request carries credentials) or `follow` (allowed only for requests without any).
   */
  readonly crossOriginRedirects?: 'refuse' | 'follow';
  /** Header names (any case) holding secrets; `authorization`, `cookie` and `proxy-authorization` always are. */
  readonly secretHeaders?: readonly string[];
  /** Abandon a body when no byte arrived for this long (a slow-drip peer); default: no idle limit. */
  readonly idleTimeoutMs?: number;
}

export const defaultMaxRedirects = 5;
const alwaysSecret = ['authorization', 'cookie', 'proxy-authorization'];
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * `fetch` under the policy: redirects are resolved here (`redirect: 'manual'`), and the returned response's body
 * is capped. A redirect to another origin is refused with the new location named when the request carries
 * secrets; without secrets it is followed only when the policy says `follow`.
 */
export async function fetchUnderPolicy(input: string | URL, init: RequestInit, policy: OutboundPolicy): Promise<Response> {
  const origin = new URL(input).origin;
  const secretNames = new Set([...alwaysSecret, ...(policy.secretHeaders ?? []).map((name) => name.toLowerCase())]);
  const headers = new Headers(init.headers);
  const carriesSecrets = [...headers.keys()].some((name) => secretNames.has(name)) || hasUserInfo(input);
  const maxRedirects = policy.maxRedirects ?? defaultMaxRedirects;
  let url = new URL(input);
  let request: RequestInit = { ...init, headers, redirect: 'manual' };
  for (let redirects = 0; ; redirects++) {
    const response = await fetch(url, request);
    if (!redirectStatuses.has(response.status)) return capResponse(response, url, policy);
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (location === null) return capResponse(response, url, policy);
    const next = new URL(location, url);
    if (redirects >= maxRedirects) {
      throw new ServiceError(policy.service, `${redactUrl(url.href)} redirected more than ${maxRedirects} times (last to ${redactUrl(next.href)})`, {
        fix: 'point the configuration at the final URL',
      });
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new ServiceError(policy.service, `${redactUrl(url.href)} redirected to ${redactUrl(next.href)}, which is not http(s); refused`, {
        fix: 'point the configuration at the final URL',
      });
    }
    if (next.origin !== origin && (carriesSecrets || policy.crossOriginRedirects !== 'follow')) {
      throw new ServiceError(
        policy.service,
        `${redactUrl(url.href)} redirected to another origin, ${redactUrl(next.href)}; refused${carriesSecrets ? ' so the credentials stay with ' + origin : ''}`,
        { fix: `configure ${next.origin} directly if you trust it` },
      );
    }
    // 303, and 301/302 after a POST, turn into a GET without a body (as browsers and the Fetch standard do).
    const toGet = response.status === 303 || ((response.status === 301 || response.status === 302) && (request.method ?? 'GET') === 'POST');
    if (toGet) {
      const withoutBody = new Headers(request.headers);
      withoutBody.delete('content-type');
      withoutBody.delete('content-length');
      const { body: _dropped, ...rest } = request;
      request = { ...rest, method: 'GET', headers: withoutBody };
    }
    url = next;
  }
}

function hasUserInfo(input: string | URL): boolean {
  const url = new URL(input);
  return url.username !== '' || url.password !== '';
}

/** The response with its body read through a byte counter (and idle timer) that errors past the policy's limits. */
export function capResponse(response: Response, url: URL, policy: OutboundPolicy): Response {
  const tooLarge = () =>
    new ServiceError(policy.service, `the response from ${redactUrl(url.href)} is larger than ${formatBytes(policy.maxResponseBytes)}; stopped reading`, {
      fix: `raise ${policy.maxResponseBytesSetting} if the response is expected to be that large`,
    });
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > policy.maxResponseBytes) {
    void response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return response;
  const body = response.body.pipeThrough(byteLimit(policy, tooLarge, url));
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function byteLimit(policy: OutboundPolicy, tooLarge: () => Error, url: URL): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  let idle: NodeJS.Timeout | undefined;
  let controllerRef: TransformStreamDefaultController<Uint8Array> | undefined;
  const arm = () => {
    if (policy.idleTimeoutMs === undefined) return;
    clearTimeout(idle);
    idle = setTimeout(() => {
      controllerRef?.error(
        new ServiceError(policy.service, `${redactUrl(url.href)} sent nothing for ${policy.idleTimeoutMs} ms; stopped waiting`, {
          retryable: true,
          fix: 'check the server, or try again later',
        }),
      );
    }, policy.idleTimeoutMs);
    idle.unref();
  };
  return new TransformStream({
    start(controller) {
      controllerRef = controller;
      arm();
    },
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > policy.maxResponseBytes) {
        clearTimeout(idle);
        controller.error(tooLarge());
        return;
      }
      arm();
      controller.enqueue(chunk);
    },
    flush() {
      clearTimeout(idle);
    },
  });
}

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(1)} GiB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
