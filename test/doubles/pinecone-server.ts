import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A wire-level Pinecone double: the control plane (`/indexes…`) and, per index, a data plane under
 * `/data/<index>` (the `host` describe returns, so the client is pointed there explicitly). It speaks REST
 * API 2026-07 as @pinecone-database/pinecone 9 sends it, checks the `Api-Key` and `X-Pinecone-Api-Version`
 * headers, and answers queries by exact k-NN over what was upserted (ties in insertion order, as a real
 * service is free to do). Faults, eventual consistency and ANN misses (`dropNearest`) are injected per test.
 */
export interface PineconeFault {
  /** Matched against `METHOD /path` (data-plane paths without the `/data/<index>` prefix). */
  readonly match?: RegExp;
  /** Let this many matching requests through first. */
  readonly after?: number;
  /** How many matching requests fail; default 1. */
  readonly times?: number;
  /** Answer with this status (and a Pinecone-shaped error body)… */
  readonly status?: number;
  /** …or hold the request this long before answering normally (client timeouts)… */
  readonly delayMs?: number;
  /** …or drop the connection without an answer. */
  readonly reset?: boolean;
}

export interface PineconeServer {
  /** Control-plane URL (`controllerHost`). */
  readonly url: string;
  readonly apiKey: string;
  readonly apiVersion: string;
  /** Records become visible to stats, fetch and query this long after their upsert. */
  visibilityLagMs: number;
  /**
   * Queries leave out this many of the nearest matches, as a poor ANN index may (default 0: exact): the exact
   * top-k then shares k − n chunks with the answer, so ANN recall@k is (k − n) / k by hand. fetch and list
   * still see every record.
   */
  dropNearest: number;
  /** Every request as `METHOD /path` with the API version header it carried. */
  readonly requests: { readonly call: string; readonly apiVersion: string | undefined }[];
  inject(fault: PineconeFault): void;
  /** Lifts every injected fault (the service is back). */
  clearFaults(): void;
  close(): Promise<void>;
}

interface StoredRecord {
  values: Float32Array;
  metadata: Record<string, unknown> | undefined;
  visibleAt: number;
}
interface DoubleIndex {
  readonly name: string;
  readonly dimension: number;
  readonly metric: 'cosine' | 'dotproduct' | 'euclidean';
  readonly namespaces: Map<string, Map<string, StoredRecord>>;
}

export async function startPineconeServer(options: { apiKey?: string; apiVersion?: string } = {}): Promise<PineconeServer> {
  const apiKey = options.apiKey ?? 'pc-test-key';
  const apiVersion = options.apiVersion ?? '2026-07';
  const indexes = new Map<string, DoubleIndex>();
  const faults: { fault: PineconeFault; seen: number; failed: number }[] = [];
  const sockets = new Set<Socket>();
  let origin = '';

  const state: PineconeServer = {
    url: '',
    apiKey,
    apiVersion,
    visibilityLagMs: 0,
    dropNearest: 0,
    requests: [],
    inject: (fault) => void faults.push({ fault, seen: 0, failed: 0 }),
    clearFaults: () => void faults.splice(0),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const describe = (index: DoubleIndex) => ({
    name: index.name,
    host: `${origin}/data/${index.name}`,
    status: { ready: true, state: 'Ready' },
    deletion_protection: 'disabled',
    schema: { fields: { _values: { type: 'dense_vector', dimension: index.dimension, metric: index.metric } } },
    deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const dataPath = /^\/data\/([^/]+)(\/.*)$/.exec(url.pathname);
    const call = `${req.method} ${dataPath ? dataPath[2] : url.pathname}`;
    state.requests.push({ call, apiVersion: header(req, 'x-pinecone-api-version') });
    let body = '';
    for await (const chunk of req) body += chunk;

    for (const entry of faults) {
      if (entry.fault.match && !entry.fault.match.test(call)) continue;
      if (entry.seen++ < (entry.fault.after ?? 0) || entry.failed >= (entry.fault.times ?? 1)) continue;
      entry.failed++;
      if (entry.fault.reset) return void req.socket.destroy();
      if (entry.fault.delayMs) await new Promise((resolve) => setTimeout(resolve, entry.fault.delayMs));
      if (entry.fault.status) return send(res, entry.fault.status, { error: { code: 'INJECTED', message: `injected ${entry.fault.status}` }, status: entry.fault.status });
      break;
    }
    if (header(req, 'api-key') !== apiKey) {
      res.writeHead(401, { 'content-type': 'text/plain' });
      return void res.end('Invalid API Key');
    }
    if (header(req, 'x-pinecone-api-version') !== apiVersion) {
      return send(res, 400, { error: { code: 'INVALID_ARGUMENT', message: `unsupported API version; this double speaks ${apiVersion}` } });
    }
    const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};

    if (!dataPath) return control(req.method ?? 'GET', url.pathname, json, res);
    const index = indexes.get(decodeURIComponent(dataPath[1]!));
    if (!index) return send(res, 404, { code: 5, message: 'index not found' });
    return data(index, call, url, json, res);
  }

  function control(method: string, path: string, json: Record<string, unknown>, res: ServerResponse): void {
    const name = /^\/indexes\/([^/]+)$/.exec(path)?.[1];
    if (path === '/indexes' && method === 'GET') return send(res, 200, { indexes: [...indexes.values()].map(describe) });
    if (path === '/indexes' && method === 'POST') {
      const field = (json.schema as { fields?: Record<string, { dimension?: number; metric?: DoubleIndex['metric'] }> })?.fields?._values;
      const indexName = String(json.name);
      if (!field?.dimension || !field.metric) return send(res, 400, { error: { code: 'INVALID_ARGUMENT', message: 'schema.fields._values needs dimension and metric' } });
      if (indexes.has(indexName)) return send(res, 409, { error: { code: 'ALREADY_EXISTS', message: 'Resource already exists' } });
      const index = { name: indexName, dimension: field.dimension, metric: field.metric, namespaces: new Map() };
      indexes.set(indexName, index);
      return send(res, 201, describe(index));
    }
    const index = name ? indexes.get(decodeURIComponent(name)) : undefined;
    if (!index) return send(res, 404, { error: { code: 'NOT_FOUND', message: `Resource ${name} not found` } });
    if (method === 'GET') return send(res, 200, describe(index));
    if (method === 'DELETE') {
      indexes.delete(index.name);
      res.writeHead(202);
      return void res.end();
    }
    send(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: method } });
  }

  function data(index: DoubleIndex, call: string, url: URL, json: Record<string, unknown>, res: ServerResponse): void {
    const now = Date.now();
    const visible = (namespace: string) =>
      [...(index.namespaces.get(namespace) ?? new Map<string, StoredRecord>())].filter(([, r]) => r.visibleAt <= now);
    const namespace = String(json.namespace ?? url.searchParams.get('namespace') ?? '');
    switch (call) {
      case 'POST /vectors/upsert': {
        const vectors = json.vectors as { id: string; values: number[]; metadata?: Record<string, unknown> }[];
        for (const v of vectors) {
          if (v.values.length !== index.dimension) {
            return send(res, 400, { code: 3, message: `Vector dimension ${v.values.length} does not match the dimension of the index ${index.dimension}` });
          }
        }
        const records = index.namespaces.get(namespace) ?? new Map<string, StoredRecord>();
        index.namespaces.set(namespace, records);
        for (const v of vectors) records.set(v.id, { values: Float32Array.from(v.values), metadata: v.metadata, visibleAt: now + state.visibilityLagMs });
        return send(res, 200, { upsertedCount: vectors.length });
      }
      case 'POST /query': {
        const query = Float32Array.from(json.vector as number[]);
        const topK = Number(json.topK);
        if (query.length !== index.dimension) return send(res, 400, { code: 3, message: 'Vector dimension does not match the dimension of the index' });
        const filter = json.filter as Record<string, unknown> | undefined;
        const scored = visible(namespace)
          .filter(([, r]) => matchesFilter(r.metadata, filter))
          .map(([id, r]) => ({ id, score: Math.fround(score(index.metric, query, r.values)), metadata: r.metadata }));
        // Stable sort: equal scores stay in insertion order, like a service that does not break ties by id.
        scored.sort((a, b) => (index.metric === 'euclidean' ? a.score - b.score : b.score - a.score));
        const matches = scored.slice(state.dropNearest, state.dropNearest + topK).map((m) => ({ id: m.id, score: m.score, ...(json.includeMetadata ? { metadata: m.metadata } : {}) }));
        return send(res, 200, { matches, namespace, usage: { readUnits: 1 } });
      }
      case 'POST /describe_index_stats': {
        const namespaces: Record<string, { vectorCount: number }> = {};
        let total = 0;
        for (const name of index.namespaces.keys()) {
          const count = visible(name).length;
          if (count > 0) namespaces[name] = { vectorCount: count };
          total += count;
        }
        return send(res, 200, { namespaces, dimension: index.dimension, indexFullness: 0, totalVectorCount: total });
      }
      case 'GET /vectors/fetch': {
        const ids = new Set(url.searchParams.getAll('ids'));
        const vectors: Record<string, unknown> = {};
        for (const [id, r] of visible(namespace)) if (ids.has(id)) vectors[id] = { id, values: Array.from(r.values), metadata: r.metadata };
        return send(res, 200, { vectors, namespace });
      }
      case 'GET /vectors/list': {
        // Ids in order, paginated by a token that is the offset (Pinecone's tokens are opaque; any string works).
        const ids = visible(namespace).map(([id]) => id).filter((id) => id.startsWith(url.searchParams.get('prefix') ?? '')).sort();
        const offset = Number(url.searchParams.get('paginationToken') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 100);
        const next = offset + limit < ids.length ? String(offset + limit) : undefined;
        return send(res, 200, { vectors: ids.slice(offset, offset + limit).map((id) => ({ id })), ...(next ? { pagination: { next } } : {}), namespace, usage: { readUnits: 1 } });
      }
      case 'POST /vectors/delete': {
        if (!index.namespaces.has(namespace)) return send(res, 404, { code: 5, message: 'Namespace not found' });
        if (json.deleteAll) index.namespaces.delete(namespace);
        else for (const id of (json.ids as string[]) ?? []) index.namespaces.get(namespace)?.delete(id);
        return send(res, 200, {});
      }
    }
    send(res, 404, { code: 5, message: `no route ${call}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { code: 13, message: String(error) }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  (state as { url: string }).url = origin;
  return state;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Pinecone's metrics: cosine similarity, dot product, squared euclidean distance (lower is closer). */
function score(metric: DoubleIndex['metric'], a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  let squared = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
    squared += (a[i]! - b[i]!) ** 2;
  }
  if (metric === 'dotproduct') return dot;
  if (metric === 'euclidean') return squared;
  return aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb);
}

/** The part of Pinecone's metadata filter language the tests use: field equality, `$eq`, `$ne`, `$in`. */
function matchesFilter(metadata: Record<string, unknown> | undefined, filter: Record<string, unknown> | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([field, condition]) => {
    const value = metadata?.[field];
    if (condition === null || typeof condition !== 'object') return value === condition;
    const ops = condition as Record<string, unknown>;
    if ('$eq' in ops) return value === ops.$eq;
    if ('$ne' in ops) return value !== ops.$ne;
    if ('$in' in ops) return (ops.$in as unknown[]).includes(value);
    throw new Error(`the double does not implement filter ${JSON.stringify(condition)}`);
  });
}
