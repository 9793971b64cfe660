import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createGrpcServer, ServerError, Status, type CallContext } from 'nice-grpc';
// The generated service definitions weaviate-client itself uses (its package exports hide them, hence the path).
import { HealthCheckResponse_ServingStatus, HealthDefinition } from '../../node_modules/weaviate-client/dist/node/esm/proto/google/health/v1/health.js';
import { WeaviateDefinition } from '../../node_modules/weaviate-client/dist/node/esm/proto/v1/weaviate.js';
import type { SearchRequest } from '../../node_modules/weaviate-client/dist/node/esm/proto/v1/search_get.js';
import type { BatchObjectsRequest } from '../../node_modules/weaviate-client/dist/node/esm/proto/v1/batch.js';
import type { AggregateRequest } from '../../node_modules/weaviate-client/dist/node/esm/proto/v1/aggregate.js';

/**
 * A wire-level Weaviate double: REST (`/v1/meta`, `/v1/schema…`, readiness) on one port and gRPC
 * (`weaviate.v1.Weaviate/BatchObjects`, `/Search`, `/Aggregate`, `grpc.health.v1.Health/Check`) on another,
 * served with nice-grpc from the definitions weaviate-client ships. Search is exact k-NN over what was
 * inserted, with Weaviate's distances (cosine, dot = −a·b, l2-squared), ties in insertion order, unless
 * `dropNearest` makes it miss the nearest objects as a poor HNSW graph may.
 */
export interface WeaviateFault {
  /** Matched against `GET /v1/meta`, `POST /v1/schema`, `grpc Search`, `grpc BatchObjects`, … */
  readonly match?: RegExp;
  readonly after?: number;
  readonly times?: number;
  /** HTTP status for REST calls. */
  readonly status?: number;
  /** gRPC status for gRPC calls (UNAVAILABLE is retried inside the client; prefer RESOURCE_EXHAUSTED). */
  readonly grpcStatus?: Status;
  readonly delayMs?: number;
}

export interface WeaviateServer {
  /** REST URL, the value of WEAVIATE_URL. */
  readonly url: string;
  readonly grpcPort: number;
  /** undefined: anonymous access allowed. */
  readonly apiKey: string | undefined;
  readonly calls: string[];
  /**
   * nearVector answers leave out this many of the nearest objects (default 0: exact), so ANN recall@k is
   * (k − n) / k by hand; cursor reads (fetchObjects) still see every object.
   */
  dropNearest: number;
  inject(fault: WeaviateFault): void;
  close(): Promise<void>;
}

interface Collection {
  readonly config: Record<string, unknown>;
  readonly metric: string;
  readonly objects: Map<string, { vector: Float32Array; properties: Record<string, unknown> }>;
}

export async function startWeaviateServer(options: { apiKey?: string; version?: string } = {}): Promise<WeaviateServer> {
  const collections = new Map<string, Collection>();
  const faults: { fault: WeaviateFault; seen: number; failed: number }[] = [];
  const sockets = new Set<Socket>();
  const calls: string[] = [];

  /** The first fault matching `call`, if it fires now (after its delay). */
  async function fault(call: string): Promise<WeaviateFault | undefined> {
    calls.push(call);
    for (const entry of faults) {
      if (entry.fault.match && !entry.fault.match.test(call)) continue;
      if (entry.seen++ < (entry.fault.after ?? 0) || entry.failed >= (entry.fault.times ?? 1)) continue;
      entry.failed++;
      if (entry.fault.delayMs) await new Promise((resolve) => setTimeout(resolve, entry.fault.delayMs));
      return entry.fault;
    }
    return undefined;
  }
  const authorized = (value: string | undefined) => options.apiKey === undefined || value === `Bearer ${options.apiKey}`;

  async function rest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const call = `${req.method} ${path}`;
    let body = '';
    for await (const chunk of req) body += chunk;
    const injected = await fault(call);
    if (injected?.status) return send(res, injected.status, { error: [{ message: `injected ${injected.status}` }] });
    if (path.startsWith('/v1/.well-known/')) return send(res, 200, {});
    if (!authorized(req.headers.authorization)) return send(res, 401, { code: 401, message: 'unauthorized: invalid api key' });
    if (call === 'GET /v1/meta') return send(res, 200, { hostname: 'http://[::]:8080', version: options.version ?? '1.38.2', modules: {}, grpcMaxMessageSize: 104858000 });
    if (call === 'GET /v1/schema') return send(res, 200, { classes: [...collections.values()].map((c) => c.config) });
    if (call === 'POST /v1/schema') {
      const config = JSON.parse(body) as Record<string, unknown>;
      const name = String(config.class);
      if (collections.has(name)) return send(res, 422, { error: [{ message: `class name ${name} already exists` }] });
      const vectorConfig = (config.vectorConfig ?? {}) as Record<string, { vectorIndexType?: string; vectorIndexConfig?: Record<string, unknown> }>;
      const metric = String(Object.values(vectorConfig)[0]?.vectorIndexConfig?.distance ?? 'cosine');
      // Weaviate answers with every default filled in, and the client's config parser insists on them.
      for (const named of Object.values(vectorConfig)) {
        const type = named.vectorIndexType ?? 'hnsw';
        named.vectorIndexType = type;
        named.vectorIndexConfig = { ...(type === 'flat' ? flatDefaults : hnswDefaults), ...named.vectorIndexConfig };
      }
      const stored = {
        ...config,
        vectorConfig,
        invertedIndexConfig: config.invertedIndexConfig ?? { bm25: { b: 0.75, k1: 1.2 }, cleanupIntervalSeconds: 60, stopwords: { preset: 'en' } },
        multiTenancyConfig: { enabled: false, autoTenantCreation: false, autoTenantActivation: false },
        replicationConfig: { factor: 1, asyncEnabled: false, deletionStrategy: 'NoAutomatedResolution' },
        shardingConfig: { virtualPerPhysical: 128, desiredCount: 1, actualCount: 1, desiredVirtualCount: 128, actualVirtualCount: 128, key: '_id', strategy: 'hash', function: 'murmur3' },
      };
      collections.set(name, { config: stored, metric, objects: new Map() });
      return send(res, 200, stored);
    }
    const name = /^\/v1\/schema\/([^/]+)$/.exec(path)?.[1];
    const collection = name ? collections.get(decodeURIComponent(name)) : undefined;
    if (req.method === 'DELETE' && name) {
      collections.delete(decodeURIComponent(name));
      return send(res, 200, {});
    }
    if (req.method === 'GET' && collection) return send(res, 200, collection.config);
    send(res, 404, { error: [{ message: `not found: ${call}` }] });
  }

  /** Checks the bearer token and injected faults for one gRPC call. */
  async function guard(method: string, context: CallContext): Promise<void> {
    const injected = await fault(`grpc ${method}`);
    if (injected?.grpcStatus !== undefined) throw new ServerError(injected.grpcStatus, `injected ${Status[injected.grpcStatus]}`);
    if (!authorized(context.metadata.get('authorization'))) throw new ServerError(Status.UNAUTHENTICATED, 'invalid api key');
  }
  const collectionOf = (name: string) => {
    const collection = collections.get(name);
    if (!collection) throw new ServerError(Status.NOT_FOUND, `collection ${name} not found`);
    return collection;
  };
  const unimplemented = async () => {
    throw new ServerError(Status.UNIMPLEMENTED, 'not in the double');
  };

  const grpc = createGrpcServer();
  grpc.add(HealthDefinition, {
    check: async () => ({ status: HealthCheckResponse_ServingStatus.SERVING }),
    async *watch() {},
  });
  grpc.add(WeaviateDefinition, {
    async batchObjects(request: BatchObjectsRequest, context: CallContext) {
      await guard('BatchObjects', context);
      const errors: { index: number; error: string }[] = [];
      request.objects.forEach((object, index) => {
        const collection = collections.get(object.collection);
        const vector = vectorOf(object.vectorBytes, object.vector, object.vectors);
        if (!collection) return void errors.push({ index, error: `class ${object.collection} not found` });
        const first = collection.objects.values().next().value;
        if (first && first.vector.length !== vector.length) {
          return void errors.push({ index, error: `new node has a vector with length ${vector.length}. Existing nodes have vectors with length ${first.vector.length}` });
        }
        collection.objects.set(object.uuid, { vector, properties: { ...(object.properties?.nonRefProperties ?? {}) } });
      });
      return { took: 0, errors };
    },
    async search(request: SearchRequest, context: CallContext) {
      await guard('Search', context);
      const collection = collectionOf(request.collection);
      const near = request.nearVector;
      const wanted = request.properties?.nonRefProperties ?? [];
      if (!near && (request.nearText || request.hybridSearch || request.bm25Search)) throw new ServerError(Status.UNIMPLEMENTED, 'the double answers nearVector and cursor reads only');
      if (!near) {
        // fetchObjects with a cursor: objects in uuid order after `after`, vectors when asked (Weaviate's iterator).
        const page = [...collection.objects].filter(([id]) => id > (request.after ?? '')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const withVector = request.metadata?.vector === true || (request.metadata?.vectors?.length ?? 0) > 0;
        const results = page.slice(0, request.limit || 25).map(([id, object]) => ({
          properties: {
            nonRefProps: { fields: Object.fromEntries(wanted.map((key) => [key, { textValue: String(object.properties[key] ?? '') }])) },
            refProps: [],
            targetCollection: request.collection,
            refPropsRequested: false,
          },
          metadata: { id, ...(withVector ? { vectorBytes: new Uint8Array(Float32Array.from(object.vector).buffer) } : {}) },
        }));
        return { took: 0, results, groupByResults: [] };
      }
      const query = vectorOf(near.vectorBytes, near.vector, near.vectors);
      const scored = [...collection.objects].map(([id, object]) => ({ id, object, distance: distance(collection.metric, query, object.vector) }));
      scored.sort((a, b) => a.distance - b.distance);
      const results = scored.slice(state.dropNearest, state.dropNearest + (request.limit || 10)).map(({ id, object, distance }) => ({
        properties: {
          nonRefProps: { fields: Object.fromEntries(wanted.map((key) => [key, { textValue: String(object.properties[key] ?? '') }])) },
          refProps: [],
          targetCollection: request.collection,
          refPropsRequested: false,
        },
        metadata: { id, distance, distancePresent: true },
      }));
      return { took: 0, results, groupByResults: [] };
    },
    async aggregate(request: AggregateRequest, context: CallContext) {
      await guard('Aggregate', context);
      return { took: 0, singleResult: { objectsCount: collectionOf(request.collection).objects.size, aggregations: { aggregations: [] } } };
    },
    batchReferences: unimplemented,
    batchDelete: unimplemented,
    tenantsGet: unimplemented,
    // eslint-disable-next-line require-yield
    async *batchStream() {
      throw new ServerError(Status.UNIMPLEMENTED, 'not in the double');
    },
  } as never);
  const grpcPort = await grpc.listen('127.0.0.1:0');

  const http = createHttpServer((req, res) => {
    rest(req, res).catch((error: unknown) => send(res, 500, { error: [{ message: String(error) }] }));
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const state: WeaviateServer = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    grpcPort,
    apiKey: options.apiKey,
    calls,
    inject: (f) => void faults.push({ fault: f, seen: 0, failed: 0 }),
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([new Promise<void>((resolve) => http.close(() => resolve())), grpc.forceShutdown()]);
    },
    dropNearest: 0,
  };
  return state;
}


const hnswDefaults = {
  cleanupIntervalSeconds: 300,
  distance: 'cosine',
  dynamicEfMin: 100,
  dynamicEfMax: 500,
  dynamicEfFactor: 8,
  ef: -1,
  efConstruction: 128,
  flatSearchCutoff: 40000,
  maxConnections: 32,
  skip: false,
  vectorCacheMaxObjects: 1000000000000,
  filterStrategy: 'sweeping',
  pq: { enabled: false, bitCompression: false, segments: 0, centroids: 256, trainingLimit: 100000, encoder: { type: 'kmeans', distribution: 'log-normal' } },
  bq: { enabled: false },
  sq: { enabled: false, trainingLimit: 100000, rescoreLimit: 20 },
};
const flatDefaults = {
  distance: 'cosine',
  vectorCacheMaxObjects: 1000000000000,
  pq: { enabled: false, bitCompression: false, segments: 0, centroids: 256, trainingLimit: 100000, encoder: { type: 'kmeans', distribution: 'log-normal' } },
  bq: { enabled: false, rescoreLimit: -1, cache: false },
};

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Weaviate's wire format for vectors: little-endian float32 bytes (or a plain list from old clients). */
function vectorOf(bytes: Uint8Array | undefined, list: number[] | undefined, vectors: { vectorBytes: Uint8Array }[] | undefined): Float32Array {
  const raw = bytes && bytes.length > 0 ? bytes : vectors?.[0]?.vectorBytes;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Float32Array.from({ length: raw.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
  }
  return Float32Array.from(list ?? []);
}

function distance(metric: string, a: Float32Array, b: Float32Array): number {
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
  if (metric === 'dot') return Math.fround(-dot);
  if (metric === 'l2-squared') return Math.fround(squared);
  return Math.fround(aa === 0 || bb === 0 ? 1 : 1 - dot / Math.sqrt(aa * bb));
}
