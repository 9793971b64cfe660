import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createGrpcServer, ServerError, Status, type CallContext } from 'nice-grpc';
// The generated service definitions weaviate-client itself uses (its package exports hide them, hence the path).
import { HealthCheckResponse_ServingStatus, HealthDefinition } from '../../node_modules/weaviate-client/dist/node/esm/proto/google/health/v1/health.js';
import { WeaviateDefinition } from '../../node_modules/weaviate-client/dist/node/esm/proto/v1/weaviate.js';
import type { SearchRequest } from '../../node_modules/weaviate-client/dist/node/esm/proto/v1/search_get.js';
import type { BatchObjectsRequest } from '../../node_modules/weaviate-client/dist/node/esm/proto/v1/batch.js';
import type { AggregateRequest } from '../../node_modules/weaviate-client/dist/node/esm/proto/v1/aggregate.js';
import type { TenantsGetRequest } from '../../node_modules/weaviate-client/dist/node/esm/proto/v1/tenants.js';
import { createHashingEmbedder } from '../../src/embedders/hashing.js';
import { Hnsw } from './hnsw.js';
import { bm25, fuse, matchesWhere, type Properties } from './weaviate-search.js';

/**
 * A wire-level Weaviate double: REST (`/v1/meta`, `/v1/schema…`, readiness) on one port and gRPC
 * (`weaviate.v1.Weaviate/BatchObjects`, `/Search`, `/Aggregate`, `grpc.health.v1.Health/Check`) on another,
 * served with nice-grpc from the definitions weaviate-client ships. Distances are Weaviate's (cosine,
 * dot = −a·b, l2-squared). A `flat` collection searches exactly; an `hnsw` one searches an HNSW graph built
 * with the collection's maxConnections / efConstruction and queried with its ef (−1: dynamic, limit × 8 within
 * 100…500; never below the limit), so low settings lose recall as they do in Weaviate; a filtered search
 * matching fewer than flatSearchCutoff objects is exact, as Weaviate's is. Also served: where filters,
 * bm25, hybrid (alpha, rankedFusion / relativeScoreFusion; weaviate-search.ts), nearText and objects without
 * vectors through a collection's `text2vec-*` module — in the double every such module is ragbench's hashing
 * embedder (default options, the collection's vector length, 384 when unknown) over the object's text
 * properties joined by spaces (the collection name first only with vectorizeClassName: true, which named
 * vectors do not set; only the sourceProperties when set, else every text property without skip: true) — and multi-tenancy (tenants via REST, per-tenant objects). Errors are the
 * server's messages with gRPC UNKNOWN (a dimension mismatch: "vector lengths don't match"), as Weaviate sends.
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
  /** The double's own view for tests computing expectations independently: a collection's (tenant's) objects… */
  objects(collection: string, tenant?: string): { uuid: string; vector: Float32Array; properties: Properties }[];
  /** …the uuids and distances its nearVector search would answer, best first… */
  nearest(collection: string, vector: Float32Array, limit: number, tenant?: string): { id: string; distance: number }[];
  /** …and the collections it holds. */
  collectionNames(): string[];
  inject(fault: WeaviateFault): void;
  close(): Promise<void>;
}

interface StoredObject {
  vector: Float32Array;
  properties: Properties;
}
interface Shard {
  readonly objects: Map<string, StoredObject>;
  readonly graph: Hnsw | undefined;
}
interface Collection {
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly metric: string;
  readonly index: { type: 'hnsw' | 'flat'; maxConnections: number; efConstruction: number; ef: number; flatSearchCutoff: number; dynamicEfMin: number; dynamicEfMax: number; dynamicEfFactor: number };
  /** The text2vec module, if any, with its config. */
  readonly vectorizer: { readonly module: string; readonly config: Record<string, unknown> } | undefined;
  readonly multiTenancy: boolean;
  /** '' for a collection without multi-tenancy, else one shard per tenant. */
  readonly shards: Map<string, Shard>;
  readonly textProperties: string[];
  readonly skipped: Set<string>;
  readonly properties: Set<string>;
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

  function createCollection(config: Record<string, unknown>): Collection {
    const name = String(config.class);
    const vectorConfig = (config.vectorConfig ?? {}) as Record<string, { vectorizer?: Record<string, Record<string, unknown>>; vectorIndexType?: string; vectorIndexConfig?: Record<string, unknown> }>;
    const first = Object.values(vectorConfig)[0];
    // Weaviate answers with every default filled in, and the client's config parser insists on them.
    for (const named of Object.values(vectorConfig)) {
      const type = named.vectorIndexType ?? 'hnsw';
      named.vectorIndexType = type;
      named.vectorIndexConfig = { ...(type === 'flat' ? flatDefaults : hnswDefaults), ...named.vectorIndexConfig };
    }
    const indexConfig = (first?.vectorIndexConfig ?? hnswDefaults) as Record<string, number | string>;
    const [module, moduleConfig] = Object.entries(first?.vectorizer ?? {})[0] ?? ['none', {}];
    const multiTenancy = (config.multiTenancyConfig as { enabled?: boolean } | undefined)?.enabled === true;
    const properties = (config.properties ?? []) as { name: string; dataType?: string[]; moduleConfig?: Record<string, { skip?: boolean }> }[];
    const stored = {
      ...config,
      vectorConfig,
      invertedIndexConfig: config.invertedIndexConfig ?? { bm25: { b: 0.75, k1: 1.2 }, cleanupIntervalSeconds: 60, stopwords: { preset: 'en' } },
      multiTenancyConfig: { enabled: multiTenancy, autoTenantCreation: false, autoTenantActivation: false },
      replicationConfig: { factor: 1, asyncEnabled: false, deletionStrategy: 'NoAutomatedResolution' },
      shardingConfig: { virtualPerPhysical: 128, desiredCount: 1, actualCount: 1, desiredVirtualCount: 128, actualVirtualCount: 128, key: '_id', strategy: 'hash', function: 'murmur3' },
    };
    const collection: Collection = {
      name,
      config: stored,
      metric: String(indexConfig.distance ?? 'cosine'),
      index: {
        type: first?.vectorIndexType === 'flat' ? 'flat' : 'hnsw',
        maxConnections: Number(indexConfig.maxConnections ?? 32),
        efConstruction: Number(indexConfig.efConstruction ?? 128),
        ef: Number(indexConfig.ef ?? -1),
        flatSearchCutoff: Number(indexConfig.flatSearchCutoff ?? 40_000),
        dynamicEfMin: Number(indexConfig.dynamicEfMin ?? 100),
        dynamicEfMax: Number(indexConfig.dynamicEfMax ?? 500),
        dynamicEfFactor: Number(indexConfig.dynamicEfFactor ?? 8),
      },
      vectorizer: module.startsWith('text2vec-') ? { module, config: moduleConfig } : undefined,
      multiTenancy,
      shards: new Map(),
      textProperties: properties.filter((p) => (p.dataType ?? ['text']).includes('text')).map((p) => p.name),
      skipped: new Set(properties.filter((p) => p.moduleConfig?.[module]?.skip === true).map((p) => p.name)),
      properties: new Set(properties.map((p) => p.name)),
    };
    if (!multiTenancy) addShard(collection, '');
    return collection;
  }

  function addShard(collection: Collection, tenant: string): void {
    if (collection.shards.has(tenant)) return;
    const { type, maxConnections, efConstruction } = collection.index;
    const graph = type === 'hnsw' ? new Hnsw({ m: maxConnections, efConstruction, seed: 1 }, (a, b) => distance(collection.metric, a, b)) : undefined;
    collection.shards.set(tenant, { objects: new Map(), graph });
  }

  /** The shard a request reaches, refused as Weaviate refuses a tenant mismatch. */
  function shardOf(collection: Collection, tenant: string | undefined): Shard {
    if (collection.multiTenancy && !tenant) throw new ServerError(Status.UNKNOWN, `class ${collection.name} has multi-tenancy enabled, but request was without tenant`);
    if (!collection.multiTenancy && tenant) throw new ServerError(Status.UNKNOWN, `class ${collection.name} has multi-tenancy disabled, but request was with tenant`);
    const shard = collection.shards.get(tenant ?? '');
    if (!shard) throw new ServerError(Status.UNKNOWN, `tenant not found: "${tenant}"`);
    return shard;
  }

  /** The collection's text2vec module in the double: ragbench's hashing embedder (see the header). */
  async function vectorize(collection: Collection, shard: Shard | undefined, text: string): Promise<Float32Array> {
    if (!collection.vectorizer) {
      throw new ServerError(Status.UNKNOWN, `explorer: get class: vectorize params: could not vectorize input for collection ${collection.name}: no vectorizer found for class`);
    }
    const known = shard?.objects.values().next().value?.vector.length;
    const dimensions = Number(collection.vectorizer.config.dimensions ?? known ?? 384);
    const [vector] = await createHashingEmbedder({ dimensions, wordNgrams: [1, 2], charNgrams: [3, 4, 5], lowercase: true }).embed([text], 'document');
    return vector!;
  }

  function objectText(collection: Collection, properties: Properties): string {
    // The wire names: `vectorizeClassName` (legacy vectorizeCollectionName), `properties` (the client's sourceProperties).
    const parts = collection.vectorizer?.config.vectorizeClassName === true ? [collection.name] : [];
    const sources = collection.vectorizer?.config.properties as string[] | undefined;
    for (const name of sources ?? collection.textProperties) {
      if (!collection.skipped.has(name) && typeof properties[name] === 'string') parts.push(properties[name] as string);
    }
    return parts.join(' ');
  }

  /** nearVector over a shard: the HNSW graph (or a flat scan) with the collection's ef; best first. */
  function nearVector(collection: Collection, shard: Shard, query: Float32Array, limit: number, allow?: (id: string) => boolean) {
    const first = shard.objects.values().next().value;
    if (first && first.vector.length !== query.length) {
      throw new ServerError(
        Status.UNKNOWN,
        `explorer: get class: vector search: object vector search at index ${collection.name.toLowerCase()}: shard ${collection.name.toLowerCase()}_double: ` +
          `vector search: knn search: distance between entrypoint and query node: ${first.vector.length} vs ${query.length}: vector lengths don't match`,
      );
    }
    const { ef, dynamicEfMin, dynamicEfMax, dynamicEfFactor, flatSearchCutoff } = collection.index;
    const allowed = allow ? [...shard.objects.keys()].filter(allow).length : shard.objects.size;
    if (!shard.graph || (allow && allowed < flatSearchCutoff)) {
      return [...shard.objects]
        .filter(([id]) => !allow || allow(id))
        .map(([id, object]) => ({ id, distance: distance(collection.metric, query, object.vector) }))
        .sort((a, b) => a.distance - b.distance)
        .slice(0, limit);
    }
    const searchEf = ef === -1 ? Math.min(dynamicEfMax, Math.max(dynamicEfMin, limit * dynamicEfFactor)) : ef;
    return shard.graph.search(query, limit, Math.max(searchEf, limit), allow).map((hit) => ({ id: hit.key, distance: Math.fround(hit.distance) }));
  }

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
      const collection = createCollection(config);
      collections.set(name, collection);
      return send(res, 200, collection.config);
    }
    const tenantsOf = /^\/v1\/schema\/([^/]+)\/tenants(?:\/([^/]+))?$/.exec(path);
    if (tenantsOf) {
      const collection = collections.get(decodeURIComponent(tenantsOf[1]!));
      if (!collection) return send(res, 422, { error: [{ message: `class "${tenantsOf[1]}" not found` }] });
      if (!collection.multiTenancy) return send(res, 422, { error: [{ message: `multi-tenancy is not enabled for class "${collection.name}"` }] });
      const listed = () => [...collection.shards.keys()].map((tenant) => ({ name: tenant, activityStatus: 'HOT' }));
      if (req.method === 'POST') {
        const wanted = JSON.parse(body) as { name: string }[];
        for (const tenant of wanted) addShard(collection, tenant.name);
        return send(res, 200, wanted.map((t) => ({ name: t.name, activityStatus: 'HOT' })));
      }
      if (req.method === 'GET' && tenantsOf[2]) {
        const tenant = decodeURIComponent(tenantsOf[2]);
        return collection.shards.has(tenant) ? send(res, 200, { name: tenant, activityStatus: 'HOT' }) : send(res, 404, { error: [{ message: `tenant not found: "${tenant}"` }] });
      }
      if (req.method === 'GET') return send(res, 200, listed());
      if (req.method === 'DELETE') {
        for (const tenant of JSON.parse(body) as string[]) collection.shards.delete(tenant);
        return send(res, 200, {});
      }
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
    if (!collection) throw new ServerError(Status.UNKNOWN, `could not find class ${name} in schema`);
    return collection;
  };
  const unimplemented = async () => {
    throw new ServerError(Status.UNIMPLEMENTED, 'not in the double');
  };
  const resultOf = (collection: Collection, id: string, object: StoredObject, wanted: readonly string[], metadata: Record<string, unknown>) => ({
    properties: {
      nonRefProps: { fields: Object.fromEntries(wanted.map((key) => [key, { textValue: String(object.properties[key] ?? '') }])) },
      refProps: [],
      targetCollection: collection.name,
      refPropsRequested: false,
    },
    metadata: { id, ...metadata },
  });

  async function search(request: SearchRequest) {
    const collection = collectionOf(request.collection);
    const shard = shardOf(collection, request.tenant || undefined);
    const wanted = request.properties?.nonRefProperties ?? [];
    const allow = request.filters ? (id: string) => matchesWhere(shard.objects.get(id)!.properties, request.filters, collection.properties) : undefined;
    const limit = request.limit || 10;
    if (request.hybridSearch) {
      const hybrid = request.hybridSearch;
      const alpha = hybrid.useAlphaParam ? (hybrid.alphaParam ?? 0.75) : hybrid.alpha;
      const fusion = hybrid.fusionType === 1 ? 'ranked' : 'relativeScore';
      const given = vectorOf(hybrid.vectorBytes, hybrid.vector, hybrid.nearVector?.vectors);
      const query = given.length > 0 ? given : alpha > 0 ? await vectorize(collection, shard, hybrid.query) : undefined;
      const vectorHits = query ? nearVector(collection, shard, query, limit, allow).map((h) => ({ id: h.id, score: 1 - h.distance })) : [];
      const fields = hybrid.properties.length > 0 ? hybrid.properties : collection.textProperties;
      const candidates = [...shard.objects].filter(([id]) => !allow || allow(id)).map(([id, o]) => ({ id, properties: o.properties }));
      const keywordHits = [...bm25(candidates, hybrid.query, fields)].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score).slice(0, limit);
      const fused = fuse(vectorHits, keywordHits, alpha, fusion).slice(0, limit);
      return { took: 0, results: fused.map((h) => resultOf(collection, h.id, shard.objects.get(h.id)!, wanted, { score: h.score, scorePresent: true })), groupByResults: [] };
    }
    if (request.bm25Search) {
      const candidates = [...shard.objects].filter(([id]) => !allow || allow(id)).map(([id, o]) => ({ id, properties: o.properties }));
      const fields = request.bm25Search.properties.length > 0 ? request.bm25Search.properties : collection.textProperties;
      const hits = [...bm25(candidates, request.bm25Search.query, fields)].sort((a, b) => b[1] - a[1]).slice(0, limit);
      return { took: 0, results: hits.map(([id, score]) => resultOf(collection, id, shard.objects.get(id)!, wanted, { score: Math.fround(score), scorePresent: true })), groupByResults: [] };
    }
    const near = request.nearVector;
    const query = near ? vectorOf(near.vectorBytes, near.vector, near.vectors) : request.nearText ? await vectorize(collection, shard, request.nearText.query.join(' ')) : undefined;
    if (!query) {
      // fetchObjects with a cursor: objects in uuid order after `after`, vectors when asked (Weaviate's iterator).
      const page = [...shard.objects].filter(([id]) => id > (request.after ?? '') && (!allow || allow(id))).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const withVector = request.metadata?.vector === true || (request.metadata?.vectors?.length ?? 0) > 0;
      const results = page
        .slice(0, request.limit || 25)
        .map(([id, object]) => resultOf(collection, id, object, wanted, withVector ? { vectorBytes: new Uint8Array(Float32Array.from(object.vector).buffer) } : {}));
      return { took: 0, results, groupByResults: [] };
    }
    const hits = nearVector(collection, shard, query, limit, allow);
    return { took: 0, results: hits.map((h) => resultOf(collection, h.id, shard.objects.get(h.id)!, wanted, { distance: h.distance, distancePresent: true })), groupByResults: [] };
  }

  const grpc = createGrpcServer();
  grpc.add(HealthDefinition, {
    check: async () => ({ status: HealthCheckResponse_ServingStatus.SERVING }),
    async *watch() {},
  });
  grpc.add(WeaviateDefinition, {
    async batchObjects(request: BatchObjectsRequest, context: CallContext) {
      await guard('BatchObjects', context);
      const errors: { index: number; error: string }[] = [];
      for (const [index, object] of request.objects.entries()) {
        const collection = collections.get(object.collection);
        if (!collection) {
          errors.push({ index, error: `class ${object.collection} not found` });
          continue;
        }
        let shard: Shard;
        try {
          shard = shardOf(collection, object.tenant || undefined);
        } catch (error) {
          errors.push({ index, error: (error as ServerError).details });
          continue;
        }
        const properties = { ...(object.properties?.nonRefProperties ?? {}) } as Properties;
        const given = vectorOf(object.vectorBytes, object.vector, object.vectors);
        const vector = given.length > 0 ? given : collection.vectorizer ? await vectorize(collection, shard, objectText(collection, properties)) : given;
        if (vector.length === 0) {
          errors.push({ index, error: `class ${collection.name} has no vectorizer and the object has no vector` });
          continue;
        }
        const first = shard.objects.values().next().value;
        if (first && first.vector.length !== vector.length) {
          errors.push({ index, error: `new node has a vector with length ${vector.length}. Existing nodes have vectors with length ${first.vector.length}` });
          continue;
        }
        shard.objects.set(object.uuid, { vector, properties });
        shard.graph?.add(object.uuid, vector);
      }
      return { took: 0, errors };
    },
    async search(request: SearchRequest, context: CallContext) {
      await guard('Search', context);
      return search(request);
    },
    async aggregate(request: AggregateRequest, context: CallContext) {
      await guard('Aggregate', context);
      const collection = collectionOf(request.collection);
      return { took: 0, singleResult: { objectsCount: shardOf(collection, request.tenant || undefined).objects.size, aggregations: { aggregations: [] } } };
    },
    async tenantsGet(request: TenantsGetRequest, context: CallContext) {
      await guard('TenantsGet', context);
      const collection = collectionOf(request.collection);
      if (!collection.multiTenancy) throw new ServerError(Status.UNKNOWN, `multi-tenancy is not enabled for class "${collection.name}"`);
      const names = request.names?.values ?? [...collection.shards.keys()];
      return { took: 0, tenants: names.filter((n) => collection.shards.has(n)).map((name) => ({ name, activityStatus: 1 })) };
    },
    batchReferences: unimplemented,
    batchDelete: unimplemented,
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
    objects: (name, tenant) => [...shardOf(collectionOf(name), tenant).objects].map(([uuid, o]) => ({ uuid, vector: o.vector, properties: o.properties })),
    nearest: (name, vector, limit, tenant) => {
      const collection = collectionOf(name);
      return nearVector(collection, shardOf(collection, tenant), vector, limit);
    },
    collectionNames: () => [...collections.keys()],
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
