import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A rerank service, wire-level (node:http on 127.0.0.1, a free port), as strict as the real ones:
 *
 * - `POST /v2/rerank` — Cohere's shape (also Jina's and vLLM's): {model, query, documents: string[], top_n?} →
 *   {id, results: [{index, relevance_score}] sorted best first, top_n of them, meta: {billed_units: {search_units}}}.
 *   Limits as Cohere documents them: at most 1000 documents per request, query and every document non-empty, model
 *   required, top_n ≥ 1; a search unit per query with up to 100 documents. Errors are `{"message": …}` with 400
 *   (bad request), 401 (missing or wrong bearer key) and 429 (scripted).
 * - `POST /rerank` — text-embeddings-inference: {query, texts: string[], raw_scores?, truncate?} → [{index, score}]
 *   sorted best first. At most `maxClientBatch` texts (TEI's --max-client-batch-size, default 32): more is a 413
 *   `{"error": "batch size N > maximum allowed batch size 32", "error_type": "Validation"}`; an empty list a 422.
 *
 * The relevance function is the test's (so expected scores are known); it answers out of order on purpose (best
 * first, as the services do), so a client that ignores `index` fails.
 */
export interface RerankServer {
  readonly url: string;
  readonly requests: { readonly path: string; readonly body: Record<string, unknown>; readonly authorization: string | undefined; readonly status: number }[];
  /** A status (429, 500) for the next `times` requests. */
  fault: { readonly status: number; readonly times: number } | undefined;
  close(): Promise<void>;
}

export async function startRerankServer(
  relevance: (query: string, document: string) => number,
  options: { readonly apiKey?: string; readonly maxClientBatch?: number } = {},
): Promise<RerankServer> {
  const maxClientBatch = options.maxClientBatch ?? 32;
  const sockets = new Set<import('node:net').Socket>();
  const state: RerankServer = {
    url: '',
    requests: [],
    fault: undefined,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body: Record<string, unknown> = {};
    const reply = (status: number, value: unknown) => {
      state.requests.push({ path, body, authorization: req.headers.authorization, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return reply(400, path === '/rerank' ? { error: 'Failed to parse the request body as JSON', error_type: 'Validation' } : { message: 'invalid request: body is not JSON' });
    }
    if (req.method !== 'POST') return reply(405, { message: 'method not allowed' });
    if (state.fault && state.fault.times > 0) {
      const { status } = state.fault;
      state.fault = state.fault.times > 1 ? { ...state.fault, times: state.fault.times - 1 } : undefined;
      return reply(status, { message: status === 429 ? 'You are using a Trial key, which is limited to 10 API calls / minute.' : 'internal server error' });
    }
    const ranked = (query: string, texts: string[]) =>
      texts.map((text, index) => ({ index, score: relevance(query, text) })).sort((a, b) => b.score - a.score || a.index - b.index);
    if (path === '/v2/rerank') {
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) return reply(401, { message: 'invalid api token' });
      const { model, query, documents, top_n: topN } = body;
      if (typeof model !== 'string' || model === '') return reply(400, { message: 'invalid request: model must be a non-empty string' });
      if (typeof query !== 'string' || query.trim() === '') return reply(400, { message: 'invalid request: query must not be empty' });
      if (!Array.isArray(documents) || documents.length === 0 || documents.some((d) => typeof d !== 'string' || d.trim() === '')) {
        return reply(400, { message: 'invalid request: documents must be a non-empty list of non-empty strings' });
      }
      if (documents.length > 1000) return reply(400, { message: `invalid request: documents can have at most 1000 items, got ${documents.length}` });
      if (topN !== undefined && (!Number.isInteger(topN) || (topN as number) < 1)) return reply(400, { message: 'invalid request: top_n must be a positive integer' });
      const results = ranked(query, documents as string[])
        .slice(0, (topN as number | undefined) ?? documents.length)
        .map(({ index, score }) => ({ index, relevance_score: score }));
      return reply(200, { id: `r${state.requests.length}`, results, meta: { api_version: { version: '2' }, billed_units: { search_units: Math.ceil(documents.length / 100) } } });
    }
    if (path === '/rerank') {
      const { query, texts } = body;
      if (typeof query !== 'string' || !Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
        return reply(422, { error: 'Failed to deserialize the JSON body: missing field `texts` or `query`', error_type: 'Validation' });
      }
      if (texts.length === 0) return reply(422, { error: '`texts` cannot be empty', error_type: 'Validation' });
      if (texts.length > maxClientBatch) return reply(413, { error: `batch size ${texts.length} > maximum allowed batch size ${maxClientBatch}`, error_type: 'Validation' });
      return reply(200, ranked(query, texts as string[]));
    }
    return reply(404, { message: `no route ${path}` });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  (state as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
