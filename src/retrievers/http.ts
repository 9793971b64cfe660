import { z } from 'zod';
import type { Query } from '../corpus/types.js';
import { mapConcurrent } from '../shared/batches.js';
import { ConfigError, ServiceError } from '../shared/errors.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin, type PluginContext } from '../shared/plugin.js';
import { fetchUnderPolicy, type OutboundPolicy } from '../shared/http/outbound.js';
import { withRetry } from '../shared/retry.js';
import { metadataPath, readPath } from '../stores/existing-index.js';
import type { Approximation } from '../stores/vector-store.js';
import { ExternalRetriever, type ExternalHit, type ExternalSource } from './external.js';
import { hitFieldsSchema, toExternalHit, type HitFields } from './hit-mapping.js';

const secretHeader = z.union([z.string().min(1), z.strictObject({ env: z.string().min(1), prefix: z.string().default('') })]);

const options = z
  .strictObject({
    /** The retrieval service's endpoint (POST)… */
    url: z.url().optional(),
    /** …or the environment variable holding it. */
    urlEnv: z.string().min(1).optional(),
    /** Plain headers (no secrets: they go into the manifest). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Header → environment variable NAME holding its value (`Authorization: { env: SEARCH_TOKEN, prefix: "Bearer " }`). */
    secretHeaders: z.record(z.string(), secretHeader).default({}),
    /** Extra JSON body fields sent with every query. */
    body: z.record(z.string(), z.unknown()).default({}),
    queryField: z.string().min(1).default('query'),
    kField: z.string().min(1).default('k'),
    /** Dot path of the result array in the response JSON; `.` when the response is the array itself. */
    results: z.string().min(1).default('results'),
    fields: hitFieldsSchema.prefault({}),
    /** Requests in flight at once. */
    concurrency: z.int().min(1).max(64).default(4),
    timeoutMs: z.int().min(100).default(30_000),
    /** Retries after a 429, a 5xx, a timeout or a dropped connection (exponential backoff with jitter). */
    retries: z.int().min(0).max(10).default(4),
    retryDelayMs: z.int().min(0).default(500),
    /** The largest response accepted per query; a larger (or endless) body fails instead of filling memory. */
    maxResponseBytes: z.int().min(1024).default(16 * 1024 * 1024),
    /**
     * A redirect to another origin is refused (the secret headers stay with the configured origin); `follow`
     * follows it, and only for a service configured without secretHeaders.
     */
    crossOriginRedirects: z.enum(['refuse', 'follow']).default('refuse'),
  })
  .refine((o) => (o.url === undefined) !== (o.urlEnv === undefined), { message: 'give url or urlEnv, one of them', path: ['url'] });

type HttpOptions = z.output<typeof options>;

/** Your running retrieval service, evaluated as it is: one POST per query, the JSON response mapped to hits. */
export const http = definePlugin({
  description: 'a retrieval service over HTTP: POST {query, k}, map the JSON response to document ids (and text, score)',
  options,
  async create(o, context) {
    const source = new HttpSource(o, context);
    const fingerprint = fingerprintOf('http', {
      url: source.where,
      headers: o.headers,
      secretHeaders: Object.keys(o.secretHeaders).sort(),
      body: o.body,
      queryField: o.queryField,
      kField: o.kField,
      results: o.results,
      fields: o.fields,
    });
    return new ExternalRetriever(fingerprint, source);
  },
});

/**
 * Scheme, host and path only: user info and EVERY query value are masked. Stricter than shared/redact-url.ts
 * (which masks credential-like parameter names): a retrieval service's parameters are the user's own, so none
 * is assumed harmless.
 */
function serviceUrlForDisplay(url: string): string {
  const parsed = new URL(url);
  const query = [...parsed.searchParams.keys()].map((key) => `${key}=***`).join('&');
  return `${parsed.origin}${parsed.pathname}${query ? `?${query}` : ''}`;
}

class HttpSource implements ExternalSource {
  readonly where: string;
  /** Whatever the service does inside (an ANN index?) is unknown: its ANN recall column says "not measured", never "exact". */
  readonly approximation: Approximation;
  readonly #url: string;
  readonly #o: HttpOptions;
  readonly #headers: Record<string, string>;
  readonly #secrets: string[];
  readonly #fields: HitFields;
  readonly #policy: OutboundPolicy;

  constructor(o: HttpOptions, context: PluginContext) {
    this.#o = o;
    this.#fields = o.fields;
    const url = o.url ?? context.env.secret(o.urlEnv!);
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new ConfigError(`http retriever: ${o.urlEnv ? `environment variable ${o.urlEnv}` : 'url'} is not an http(s) URL`, { fix: 'e.g. http://localhost:8000/search' });
    }
    this.#url = url;
    this.where = serviceUrlForDisplay(url);
    this.approximation = { index: `the retrieval service at ${this.where} (ragbench cannot tell whether its search is exact)` };
    const secretValues = Object.entries(o.secretHeaders).map(([name, spec]) => {
      const { env, prefix } = typeof spec === 'string' ? { env: spec, prefix: '' } : spec;
      return [name, `${prefix}${context.env.secret(env)}`] as const;
    });
    this.#secrets = [...secretValues.map(([, value]) => value), new URL(url).password, new URL(url).search].filter((s) => s.length > 1);
    this.#headers = { 'content-type': 'application/json', accept: 'application/json', ...o.headers, ...Object.fromEntries(secretValues) };
    this.#policy = {
      service: 'http retriever',
      maxResponseBytes: o.maxResponseBytes,
      maxResponseBytesSetting: 'maxResponseBytes of the http retriever',
      crossOriginRedirects: o.crossOriginRedirects,
      secretHeaders: Object.keys(o.secretHeaders),
    };
  }

  search(queries: readonly Query[], k: number, signal?: AbortSignal): Promise<ExternalHit[][]> {
    return mapConcurrent(queries, this.#o.concurrency, (query) =>
      withRetry(() => this.#post(query, k, signal), {
        attempts: this.#o.retries + 1,
        baseDelayMs: this.#o.retryDelayMs,
        maxDelayMs: Math.max(this.#o.retryDelayMs, 20_000),
        ...(signal ? { signal } : {}),
      }),
    );
  }

  async describe(): Promise<Record<string, unknown>> {
    return { service: 'http', url: this.where, results: this.#o.results, fields: this.#o.fields, headers: Object.keys(this.#headers).sort() };
  }

  async close(): Promise<void> {}

  async #post(query: Query, k: number, signal?: AbortSignal): Promise<ExternalHit[]> {
    const what = `POST ${this.where} (query ${query.id})`;
    const timeout = AbortSignal.timeout(this.#o.timeoutMs);
    let response: Response;
    let body: string;
    try {
      response = await fetchUnderPolicy(
        this.#url,
        {
          method: 'POST',
          headers: this.#headers,
          body: JSON.stringify({ ...this.#o.body, [this.#o.queryField]: query.text, [this.#o.kField]: k }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        },
        this.#policy,
      );
      body = await response.text();
    } catch (error) {
      if (signal?.aborted) throw error;
      // Refused redirects and oversized bodies: the policy's own one-line errors, not worth a retry.
      if (error instanceof ServiceError) throw error;
      const policyError = (error as Error).cause;
      if (policyError instanceof ServiceError) throw policyError;
      if (timeout.aborted) {
        throw new ServiceError('http retriever', `${what}: no answer within ${this.#o.timeoutMs} ms`, { retryable: true, fix: 'check the service, or raise timeoutMs' });
      }
      throw new ServiceError('http retriever', `${what}: ${this.#scrub((error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message)}`, {
        retryable: true,
        fix: 'check that the service is running at that URL',
      });
    }
    if (!response.ok) {
      const retryable = response.status === 429 || response.status >= 500;
      throw new ServiceError('http retriever', `${what}: HTTP ${response.status} ${this.#scrub(body.slice(0, 120))}`.trim(), {
        status: response.status,
        retryable,
        fix:
          response.status === 401 || response.status === 403
            ? 'check the credentials in the environment variables named under secretHeaders'
            : retryable
              ? `still failing after ${this.#o.retries} retries; check the service's health or lower concurrency`
              : 'check url, body and queryField/kField against the service’s API',
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ServiceError('http retriever', `${what}: the response is not JSON (starts ${JSON.stringify(this.#scrub(body.slice(0, 60)))})`, {
        status: response.status,
        fix: 'the service must answer application/json',
      });
    }
    const items = this.#o.results === '.' ? json : readPath(json, metadataPath(this.#o.results));
    if (!Array.isArray(items)) {
      throw new ConfigError(`http retriever: the response to ${what} has no array at "${this.#o.results}"`, { fix: 'set results: to the path of the result list (`.` for a top-level array)' });
    }
    return items.map((item, i) => toExternalHit(item, this.#fields, `result ${i} of ${what}`));
  }

  #scrub(text: string): string {
    let clean = text;
    for (const secret of this.#secrets) clean = clean.replaceAll(secret, '***');
    return clean;
  }
}
