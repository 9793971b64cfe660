import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Hnsw } from './hnsw.js';
import { checkFilter, matchesFilter } from './pinecone-filter.js';

/**
 * A wire-level Pinecone double: the control plane (`/indexes…`) and, per index, a data plane under
 * `/data/<index>` (the `host` describe returns, so the client is pointed there explicitly). It speaks REST
 * API 2026-07 as @pinecone-database/pinecone 9 sends it, checks the `Api-Key` and `X-Pinecone-Api-Version`
 * headers, and holds the documented limits (docs.pinecone.io "Operation limits", "Errors"): upserts of ≤ 1000
 * records and ≤ 2 MB, other requests ≤ 4 MB, metadata ≤ 40 KB per record without nulls, dense vectors with a
 * non-zero value, topK 1…10,000, ≤ 1000 ids per fetch or delete, list limit 1…100; every metadata filter
 * operator ($eq $ne $gt $gte $lt $lte $in $nin $exists, $and $or), and an invalid filter is a 400. Violations
 * answer as the data plane does: HTTP 400 with `{ code: 3, message, details: [] }` (gRPC INVALID_ARGUMENT).
 * Queries search an HNSW graph per namespace (`ann`, ties in insertion order), so recall < 1 arises from a
 * graph too sparse for the data, as in the service; `ann: undefined` searches exactly. Faults and eventual
 * consistency are injected per test.
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
   * The ANN index queries search (default m 16, efConstruction 100, ef 100; ef is raised to topK): a sparse
   * graph (m 2, ef 1) misses neighbours. Set before the first upsert into a namespace (the graph is built as
   * records arrive); undefined: exact k-NN. fetch and list always see every record.
   */
  ann: { readonly m: number; readonly efConstruction: number; readonly ef: number } | undefined;
  /** The double's own view, for tests computing expectations independently: a namespace's visible records… */
  records(index: string, namespace?: string): { id: string; values: Float32Array; metadata: Record<string, unknown> | undefined }[];
  /** …and the matches its query would answer (best first), as `POST /query` computes them… */
  nearest(index: string, namespace: string, vector: Float32Array, topK: number): { id: string; score: number }[];
  /** …and which namespaces hold records, per index. */
  namespaces(): { index: string; namespace: string }[];
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
  readonly namespaces: Map<string, Namespace>;
}
interface Namespace {
  readonly records: Map<string, StoredRecord>;
  /** Built as records arrive, with the `ann` settings of the namespace's first upsert. */
  readonly graph: Hnsw | undefined;
  readonly ef: number;
}

/** Documented limits (docs.pinecone.io, "Operation limits" and "Query data"). */
export const pineconeLimits = {
  upsertRecords: 1000,
  upsertBytes: 2 * 1024 * 1024,
  requestBytes: 4 * 1024 * 1024,
  metadataBytes: 40 * 1024,
  topK: 10_000,
  fetchIds: 1000,
  deleteIds: 1000,
  listLimit: 100,
  resultBytes: 4 * 1024 * 1024,
} as const;

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
    ann: { m: 16, efConstruction: 100, ef: 100 },
    requests: [],
    records: (name, namespace = '') => {
      const now = Date.now();
      return [...(indexes.get(name)?.namespaces.get(namespace)?.records ?? new Map<string, StoredRecord>())]
        .filter(([, r]) => r.visibleAt <= now)
        .map(([id, r]) => ({ id, values: r.values, metadata: r.metadata }));
    },
    nearest: (name, namespace, vector, topK) => {
      const index = indexes.get(name);
      if (!index) throw new Error(`no index ${name}`);
      return search(index, namespace, vector, topK, undefined).map((m) => ({ id: m.id, score: m.score }));
    },
    namespaces: () => [...indexes.values()].flatMap((index) => [...index.namespaces.keys()].map((namespace) => ({ index: index.name, namespace }))),
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
    const bytes = Buffer.byteLength(body);
    if (dataPath && call === 'POST /vectors/upsert' && bytes > pineconeLimits.upsertBytes) {
      return invalid(res, `Request size ${(bytes / 1024 / 1024).toFixed(1)}MB exceeds the maximum supported size of 2MB`);
    }
    if (bytes > pineconeLimits.requestBytes) return invalid(res, `message length too large: found ${bytes} bytes, the limit is: ${pineconeLimits.requestBytes} bytes`);
    let json: Record<string, unknown> = {};
    try {
      json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
      return invalid(res, 'Invalid request body: not JSON');
    }

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

  function namespaceOf(index: DoubleIndex, name: string): Namespace {
    let namespace = index.namespaces.get(name);
    if (!namespace) {
      const ann = state.ann;
      const graph = ann ? new Hnsw({ m: ann.m, efConstruction: ann.efConstruction, seed: 1 }, (a, b) => distanceOf(index.metric, a, b)) : undefined;
      namespace = { records: new Map(), graph, ef: ann?.ef ?? 0 };
      index.namespaces.set(name, namespace);
    }
    return namespace;
  }

  /** Visible matches best first: the HNSW graph's answer in ANN mode, else every record scored. */
  function search(index: DoubleIndex, name: string, query: Float32Array, topK: number, filter: Record<string, unknown> | undefined) {
    const now = Date.now();
    const namespace = index.namespaces.get(name);
    if (!namespace) return [];
    const allowed = (id: string) => {
      const record = namespace.records.get(id);
      return record !== undefined && record.visibleAt <= now && matchesFilter(record.metadata, filter);
    };
    const ids = namespace.graph
      ? namespace.graph.search(query, topK, namespace.ef, allowed).map((hit) => hit.key)
      : [...namespace.records.keys()].filter(allowed);
    const scored = ids.map((id) => {
      const record = namespace.records.get(id)!;
      return { id, score: Math.fround(score(index.metric, query, record.values)), metadata: record.metadata };
    });
    // Stable sort: equal scores stay in insertion order, like a service that does not break ties by id.
    scored.sort((a, b) => (index.metric === 'euclidean' ? a.score - b.score : b.score - a.score));
    return scored.slice(0, topK);
  }

  function data(index: DoubleIndex, call: string, url: URL, json: Record<string, unknown>, res: ServerResponse): void {
    const now = Date.now();
    const visible = (namespace: string) =>
      [...(index.namespaces.get(namespace)?.records ?? new Map<string, StoredRecord>())].filter(([, r]) => r.visibleAt <= now);
    const namespace = String(json.namespace ?? url.searchParams.get('namespace') ?? '');
    switch (call) {
      case 'POST /vectors/upsert': {
        const vectors = json.vectors as { id: string; values: number[]; metadata?: Record<string, unknown> }[];
        if (!Array.isArray(vectors) || vectors.length === 0) return invalid(res, 'Invalid request: vectors must hold at least one record');
        if (vectors.length > pineconeLimits.upsertRecords) {
          return invalid(res, `Invalid request: batch size ${vectors.length} exceeds the maximum of ${pineconeLimits.upsertRecords} vectors per upsert`);
        }
        for (const v of vectors) {
          const problem = recordProblem(v, index.dimension);
          if (problem) return invalid(res, problem);
        }
        const target = namespaceOf(index, namespace);
        for (const v of vectors) {
          const values = Float32Array.from(v.values);
          target.records.set(v.id, { values, metadata: v.metadata, visibleAt: now + state.visibilityLagMs });
          target.graph?.add(v.id, values);
        }
        return send(res, 200, { upsertedCount: vectors.length });
      }
      case 'POST /query': {
        if (!Array.isArray(json.vector)) return invalid(res, 'Invalid request: query by vector needs vector (this double does not query by id)');
        const query = Float32Array.from(json.vector as number[]);
        const topK = json.topK;
        if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > pineconeLimits.topK) {
          return invalid(res, `Invalid request: topK must be an integer between 1 and ${pineconeLimits.topK}, got ${JSON.stringify(topK)}`);
        }
        if (query.length !== index.dimension) return invalid(res, `Query vector dimension ${query.length} does not match the dimension of the index ${index.dimension}`);
        const filter = json.filter as Record<string, unknown> | undefined;
        const filterProblem = filter === undefined ? undefined : checkFilter(filter);
        if (filterProblem) return invalid(res, `Invalid request: ${filterProblem}`);
        const matches = search(index, namespace, query, topK, filter).map((m) => ({
          id: m.id,
          score: m.score,
          ...(json.includeValues ? { values: Array.from(index.namespaces.get(namespace)!.records.get(m.id)!.values) } : {}),
          ...(json.includeMetadata && m.metadata ? { metadata: m.metadata } : {}),
        }));
        const answer = { matches, namespace, usage: { readUnits: 1 } };
        const size = Buffer.byteLength(JSON.stringify(answer));
        if (size > pineconeLimits.resultBytes) {
          return invalid(res, `Query result size ${size} bytes exceeds the limit of ${pineconeLimits.resultBytes} bytes; lower topK, or leave out metadata or values`);
        }
        return send(res, 200, answer);
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
        const wanted = url.searchParams.getAll('ids');
        if (wanted.length === 0) return invalid(res, 'Invalid request: fetch needs at least one id');
        if (wanted.length > pineconeLimits.fetchIds) return invalid(res, `Invalid request: ${wanted.length} ids exceed the maximum of ${pineconeLimits.fetchIds} per fetch`);
        const ids = new Set(wanted);
        const vectors: Record<string, unknown> = {};
        for (const [id, r] of visible(namespace)) if (ids.has(id)) vectors[id] = { id, values: Array.from(r.values), ...(r.metadata ? { metadata: r.metadata } : {}) };
        return send(res, 200, { vectors, namespace, usage: { readUnits: 1 } });
      }
      case 'GET /vectors/list': {
        const limit = Number(url.searchParams.get('limit') ?? pineconeLimits.listLimit);
        if (!Number.isInteger(limit) || limit < 1 || limit > pineconeLimits.listLimit) {
          return invalid(res, `Invalid request: limit must be between 1 and ${pineconeLimits.listLimit}, got ${url.searchParams.get('limit')}`);
        }
        // Ids in order, paginated by an opaque token (here the last id listed, base64url).
        const ids = visible(namespace).map(([id]) => id).filter((id) => id.startsWith(url.searchParams.get('prefix') ?? '')).sort();
        const token = url.searchParams.get('paginationToken');
        const after = token === null ? undefined : Buffer.from(token, 'base64url').toString('utf8');
        if (token !== null && (token === '' || !after)) return invalid(res, 'Invalid request: invalid pagination token');
        const offset = after === undefined ? 0 : ids.findIndex((id) => id > after);
        const page = offset < 0 ? [] : ids.slice(offset, offset + limit);
        const more = offset >= 0 && offset + limit < ids.length;
        return send(res, 200, {
          vectors: page.map((id) => ({ id })),
          ...(more ? { pagination: { next: Buffer.from(page.at(-1)!, 'utf8').toString('base64url') } } : {}),
          namespace,
          usage: { readUnits: 1 },
        });
      }
      case 'POST /vectors/delete': {
        if (!index.namespaces.has(namespace)) return send(res, 404, { code: 5, message: 'Namespace not found', details: [] });
        const ids = (json.ids as string[] | undefined) ?? [];
        if (ids.length > pineconeLimits.deleteIds) return invalid(res, `Invalid request: ${ids.length} ids exceed the maximum of ${pineconeLimits.deleteIds} per delete`);
        if (json.deleteAll) index.namespaces.delete(namespace);
        else {
          const target = index.namespaces.get(namespace)!;
          for (const id of ids) {
            target.records.delete(id);
            target.graph?.remove(id);
          }
        }
        return send(res, 200, {});
      }
    }
    send(res, 404, { code: 5, message: `no route ${call}`, details: [] });
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

/** A data-plane validation failure: HTTP 400 with the gRPC-gateway body (code 3 = INVALID_ARGUMENT). */
function invalid(res: ServerResponse, message: string): void {
  send(res, 400, { code: 3, message, details: [] });
}

/** Why Pinecone would refuse this record, if it would (dimension, zero vector, metadata size and values). */
function recordProblem(v: { id?: unknown; values?: unknown; metadata?: Record<string, unknown> }, dimension: number): string | undefined {
  if (typeof v.id !== 'string' || v.id.length === 0 || v.id.length > 512) return `Invalid request: record id must be a string of 1 to 512 characters, got ${JSON.stringify(v.id)}`;
  if (!Array.isArray(v.values)) return `Invalid request: record ${v.id} has no values`;
  if (v.values.length !== dimension) return `Vector dimension ${v.values.length} does not match the dimension of the index ${dimension}`;
  if (!v.values.some((x) => x !== 0)) return `Dense vectors must contain at least one non-zero value (record ${v.id})`;
  if (v.metadata === undefined) return undefined;
  const size = Buffer.byteLength(JSON.stringify(v.metadata));
  if (size > pineconeLimits.metadataBytes) return `Metadata size is ${size} bytes, which exceeds the limit of ${pineconeLimits.metadataBytes} bytes per vector`;
  for (const [key, value] of Object.entries(v.metadata)) {
    const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) || (Array.isArray(value) && value.every((x) => typeof x === 'string'));
    if (!ok) return `Invalid request: metadata value for field ${key} must be a string, number, boolean or list of strings, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** Distances for the HNSW graph, lower is closer: 1 − cosine, −dot, squared euclidean. */
function distanceOf(metric: DoubleIndex['metric'], a: Float32Array, b: Float32Array): number {
  const s = score(metric, a, b);
  return metric === 'euclidean' ? s : metric === 'dotproduct' ? -s : 1 - s;
}
