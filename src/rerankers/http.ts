import { z } from 'zod';
import { chunkArray } from '../shared/batches.js';
import { ConfigError, ServiceError } from '../shared/errors.js';
import { fetchUnderPolicy } from '../shared/http/outbound.js';
import { fingerprintOf } from '../shared/hash.js';
import { definePlugin } from '../shared/plugin.js';
import { withRetry } from '../shared/retry.js';
import { priceOf, type Reranker, type RerankUsage } from './reranker.js';

/**
 * The request shapes in use. `cohere`: POST {model, query, documents, top_n} → {results: [{index, relevance_score}]}
 * (Cohere /v2/rerank, Jina /v1/rerank, vLLM /rerank, Infinity, LiteLLM). `voyage`: {model, query, documents, top_k}
 * → {data: [{index, relevance_score}]}. `tei`: Hugging Face text-embeddings-inference, {query, texts, raw_scores}
 * → [{index, score}].
 */
const apis = ['cohere', 'voyage', 'tei'] as const;

const options = z
  .strictObject({
    /** The rerank endpoint, e.g. https://api.cohere.com/v2/rerank or http://localhost:8000/rerank… */
    url: z.url().optional(),
    /** …or the environment variable holding it. */
    urlEnv: z.string().min(1).optional(),
    api: z.enum(apis).default('cohere'),
    /** Sent as `model` (not by the tei shape, whose server serves one model). */
    model: z.string().min(1).optional(),
    /** Environment variable holding the API key, sent as `Authorization: Bearer …` to `url` only; none for a local server. */
    apiKeyEnv: z.string().min(1).optional(),
    /** Documents per request: Cohere and Jina accept up to 1000, Voyage 1000, TEI its --max-client-batch-size (32). */
    maxDocuments: z.int().min(1).max(10_000).default(100),
    timeoutMs: z.int().min(100).default(30_000),
    /** The largest response accepted; a larger (or endless) body fails instead of filling memory. */
    maxResponseBytes: z.int().min(1024).default(16 * 1024 * 1024),
    retries: z.int().min(0).max(10).default(4),
    retryDelayMs: z.int().min(0).default(500),
    price: z
      .strictObject({ usdPerSearch: z.number().nonnegative().optional(), usdPerMillionTokens: z.number().nonnegative().optional() })
      .default({})
      .describe('usdPerSearch (Cohere: per search unit) or usdPerMillionTokens (Jina, Voyage); unset: cost unknown'),
  })
  .refine((o) => (o.url === undefined) !== (o.urlEnv === undefined), { message: 'give url or urlEnv, one of them', path: ['url'] })
  .refine((o) => o.api === 'tei' || o.model !== undefined, { message: 'the cohere and voyage shapes send a model: name it', path: ['model'] });

type HttpRerankOptions = z.output<typeof options>;

export const http = definePlugin({
  description: 'a rerank API over HTTP (Cohere/Jina/vLLM /rerank shape, Voyage, or text-embeddings-inference)',
  options,
  async create(o, context): Promise<Reranker> {
    const url = o.url ?? context.env.secret(o.urlEnv!);
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new ConfigError(`http reranker: ${o.urlEnv ? `environment variable ${o.urlEnv}` : 'url'} is not an http(s) URL`, { fix: 'e.g. http://localhost:8080/rerank' });
    }
    const apiKey = o.apiKeyEnv ? context.env.secret(o.apiKeyEnv) : undefined;
    return new HttpReranker(o, url, apiKey);
  },
});

class HttpReranker implements Reranker {
  readonly fingerprint: string;
  readonly label: string;
  readonly #o: HttpRerankOptions;
  readonly #url: string;
  readonly #where: string;
  readonly #apiKey: string | undefined;
  #requests = 0;
  #pairs = 0;
  #searchUnits: number | undefined;
  #tokens: number | undefined;

  constructor(o: HttpRerankOptions, url: string, apiKey: string | undefined) {
    this.#o = o;
    this.#url = url;
    this.#apiKey = apiKey;
    const parsed = new URL(url);
    this.#where = `${parsed.origin}${parsed.pathname}`;
    // The endpoint's host and path, not its credentials: a different server with the same model may score differently.
    this.fingerprint = fingerprintOf('http-reranker', { api: o.api, model: o.model ?? null, url: this.#where });
    this.label = `http ${o.model ?? o.api} at ${parsed.origin}`;
  }

  async score(query: string, documents: readonly string[], signal?: AbortSignal): Promise<number[]> {
    const scores: number[] = [];
    for (const batch of chunkArray(documents, this.#o.maxDocuments)) {
      const retry = { attempts: this.#o.retries + 1, baseDelayMs: this.#o.retryDelayMs, maxDelayMs: Math.max(this.#o.retryDelayMs, 20_000), ...(signal ? { signal } : {}) };
      scores.push(...(await withRetry(() => this.#post(query, batch, signal), retry)));
    }
    return scores;
  }

  usage(): RerankUsage {
    const units = { requests: this.#requests, ...(this.#searchUnits !== undefined ? { searchUnits: this.#searchUnits } : {}), ...(this.#tokens !== undefined ? { tokens: this.#tokens } : {}) };
    return { ...units, pairs: this.#pairs, cachedPairs: 0, ...priceOf(units, this.#o.price) };
  }

  #body(query: string, documents: readonly string[]): unknown {
    switch (this.#o.api) {
      case 'cohere':
        return { model: this.#o.model, query, documents, top_n: documents.length };
      case 'voyage':
        return { model: this.#o.model, query, documents, top_k: documents.length };
      case 'tei':
        return { query, texts: documents, raw_scores: false, truncate: true };
    }
  }

  async #post(query: string, documents: readonly string[], signal?: AbortSignal): Promise<number[]> {
    const what = `POST ${this.#where}`;
    const timeout = AbortSignal.timeout(this.#o.timeoutMs);
    let response: Response;
    let text: string;
    try {
      // Under the outbound policy: the key never follows a redirect to another origin; the body is capped.
      response = await fetchUnderPolicy(
        this.#url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...(this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {}) },
          body: JSON.stringify(this.#body(query, documents)),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        },
        { service: 'http reranker', maxResponseBytes: this.#o.maxResponseBytes, maxResponseBytesSetting: 'maxResponseBytes of the http reranker' },
      );
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof ServiceError) throw error;
      if ((error as Error).cause instanceof ServiceError) throw (error as Error).cause;
      const reason = timeout.aborted ? `no answer within ${this.#o.timeoutMs} ms` : this.#scrub(((error as Error).cause as Error | undefined)?.message ?? (error as Error).message);
      throw new ServiceError('http reranker', `${what}: ${reason}`, { retryable: true, fix: 'check that the rerank server is running at that URL (or raise timeoutMs)' });
    }
    this.#requests++;
    if (!response.ok) {
      const retryable = response.status === 429 || response.status >= 500;
      throw new ServiceError('http reranker', `${what}: HTTP ${response.status} ${this.#scrub(text.slice(0, 160))}`.trim(), {
        status: response.status,
        retryable,
        fix:
          response.status === 401 || response.status === 403
            ? `check the key in ${this.#o.apiKeyEnv ?? 'apiKeyEnv (none set)'}`
            : response.status === 413 || response.status === 422
              ? 'lower maxDocuments (documents per request) or the rerank stage’s candidates'
              : retryable
                ? `still failing after ${this.#o.retries} retries`
                : 'check url, api (cohere|voyage|tei) and model against the server’s API',
      });
    }
    return this.#parse(text, documents.length, what);
  }

  #parse(text: string, count: number, what: string): number[] {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ServiceError('http reranker', `${what}: the response is not JSON`, { fix: 'the server must answer application/json' });
    }
    const body = json as { results?: unknown; data?: unknown; meta?: { billed_units?: { search_units?: unknown } }; usage?: { total_tokens?: unknown } };
    const items = this.#o.api === 'tei' ? json : this.#o.api === 'voyage' ? body.data : body.results;
    const field = this.#o.api === 'tei' ? 'score' : 'relevance_score';
    if (!Array.isArray(items)) throw new ServiceError('http reranker', `${what}: the response has no result list (${this.#o.api} shape)`, { fix: `set api: to the server's shape (${apis.join(', ')})` });
    const scores = new Array<number>(count).fill(Number.NaN);
    for (const item of items as Array<Record<string, unknown>>) {
      const index = item?.index;
      const value = item?.[field];
      if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= count || typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ServiceError('http reranker', `${what}: result ${JSON.stringify(item).slice(0, 80)} needs an index in 0..${count - 1} and a numeric ${field}`, { fix: `set api: to the server's shape (${apis.join(', ')})` });
      }
      scores[index as number] = value;
    }
    const missing = scores.findIndex((s) => Number.isNaN(s));
    if (missing >= 0) throw new ServiceError('http reranker', `${what}: document ${missing} of ${count} got no score`, { fix: 'the server must score every document sent (top_n is the number sent)' });
    this.#pairs += count;
    const units = body.meta?.billed_units?.search_units;
    if (typeof units === 'number') this.#searchUnits = (this.#searchUnits ?? 0) + units;
    const tokens = body.usage?.total_tokens;
    if (typeof tokens === 'number') this.#tokens = (this.#tokens ?? 0) + tokens;
    return scores;
  }

  #scrub(text: string): string {
    return this.#apiKey ? text.replaceAll(this.#apiKey, '***') : text;
  }
}
