import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A user's retrieval service, wire-level (node:http on 127.0.0.1, a free port): POST {query, k} → JSON results
 * from a search function the test gives (e.g. ragbench's own BM25 over the same chunks, so metrics can be compared
 * exactly). Faults are scripted per request: a status for the next N requests, a hang, a non-JSON body, results
 * without the id field. Requests are recorded with their headers so tests can check the secret header arrived.
 */
export interface ServiceResult {
  readonly doc_id: string;
  readonly text?: string;
  readonly score?: number;
}

export type Fault = { readonly status: number; readonly times: number; readonly retryAfter?: number } | 'hang' | 'malformed' | 'no-id';

export interface RetrievalServer {
  readonly url: string;
  readonly requests: { readonly body: Record<string, unknown>; readonly headers: IncomingMessage['headers']; readonly status: number }[];
  /** The fault for the coming requests (a status fault counts down and then clears). */
  fault: Fault | undefined;
  /** Requests being answered at once, and the most seen. */
  readonly inFlight: { now: number; max: number };
  /** Delay before each answer, ms. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startRetrievalServer(
  search: (query: string, k: number) => Promise<ServiceResult[]> | ServiceResult[],
  options: { token?: string } = {},
): Promise<RetrievalServer> {
  const sockets = new Set<import('node:net').Socket>();
  const state: RetrievalServer = {
    url: '',
    requests: [],
    fault: undefined,
    inFlight: { now: 0, max: 0 },
    delayMs: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const reply = (res: ServerResponse, status: number, body: string, request: { body: Record<string, unknown>; headers: IncomingMessage['headers'] }, headers: Record<string, string> = {}) => {
    state.requests.push({ ...request, status });
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const request = { body, headers: req.headers };
    state.inFlight.now++;
    state.inFlight.max = Math.max(state.inFlight.max, state.inFlight.now);
    try {
      if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
      if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) return reply(res, 401, '{"error":"bad token"}', request);
      const fault = state.fault;
      if (fault === 'hang') return; // never answers: the client's timeout must fire
      if (typeof fault === 'object') {
        state.fault = fault.times > 1 ? { ...fault, times: fault.times - 1 } : undefined;
        return reply(res, fault.status, '{"error":"scripted"}', request, fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) });
      }
      if (fault === 'malformed') return reply(res, 200, '<html>Bad Gateway</html>', request);
      const results = await search(String(body.query), Number(body.k));
      const items = fault === 'no-id' ? results.map(({ doc_id: _id, ...rest }) => rest) : results;
      reply(res, 200, JSON.stringify({ results: items }), request);
    } finally {
      state.inFlight.now--;
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { url: `http://127.0.0.1:${port}/search` });
}
