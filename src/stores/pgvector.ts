import { join, resolve } from 'node:path';
import { z } from 'zod';
import { chunkArray } from '../shared/batches.js';
import { ConfigError, IndexMismatchError } from '../shared/errors.js';
import { definePlugin, type PluginContext } from '../shared/plugin.js';
import { estimateBuildMb } from './pgvector-build.js';
import { createPgliteClient, createServerClient, type SqlClient } from './pgvector-clients.js';
import type { IndexLock } from './pgvector-lock.js';
import {
  addTextColumnsSql,
  claimIndexSql,
  countSql,
  createIndexSql,
  createMetadataSql,
  createTableSql,
  dropSql,
  encodeVector,
  indexExistsSql,
  maxIndexedDimensions,
  missingTextColumnsSql,
  readIndexSql,
  searchSql,
  supportsIterativeScan,
  tableName,
  upsertParams,
  upsertSql,
  type IndexMetadataRow,
} from './pgvector-sql.js';
import { checkIndexSpec, checkK, checkVector, scoreFromDistance } from './vector-checks.js';
import {
  compareHits,
  distances,
  type Hit,
  type IndexSpec,
  type StoreCapabilities,
  type VectorRecord,
  type VectorStore,
} from './vector-store.js';

const pgvectorOptions = z
  .strictObject({
    /** embedded: PGlite (Postgres in WASM) in this process; server: any Postgres with pgvector. */
    mode: z.enum(['embedded', 'server']).default('embedded'),
    /** embedded: the data directory; default `<workDir>/pglite`. */
    dataDir: z.string().min(1).optional(),
    /** embedded: keep the database in memory only (tests, throwaway runs). */
    memory: z.boolean().default(false),
    /** server: the environment variable holding the connection URL (the URL itself never goes in config). */
    urlEnv: z.string().min(1).default('DATABASE_URL'),
    connectTimeoutMs: z.int().min(100).default(10_000),
    /** server: pooled connections. */
    maxConnections: z.int().min(1).max(100).default(4),
    /** The ANN index built by finishLoad(); `none` always scans every row. */
    index: z.enum(['hnsw', 'ivfflat', 'none']).default('hnsw'),
    /** pgvector's defaults; ef_search is raised to k when k is larger, so k hits always come back. */
    hnsw: z
      .strictObject({
        m: z.int().min(2).max(100).default(16),
        efConstruction: z.int().min(4).max(1000).default(64),
        efSearch: z.int().min(1).max(1000).default(40),
      })
      .refine((o) => o.efConstruction >= 2 * o.m, { message: 'efConstruction must be at least 2 × m (pgvector rule)' })
      .prefault({}),
    ivfflat: z
      .strictObject({
        lists: z.int().min(1).max(32_768).default(100),
        probes: z.int().min(1).max(32_768).default(10),
      })
      .prefault({}),
    /** Bypass the ANN index: ORDER BY the distance as a function call, which no index can serve. */
    exact: z.boolean().default(false),
    /** server: wait this long for another ingest of the same index to finish; 0 refuses at once. */
    lockWaitMs: z.int().min(0).default(0),
    /**
     * server: `maintenance_work_mem` of the index build session. `auto` sizes it to the index (at most 1GB, never
     * below the server's setting); or a Postgres size such as `4GB`.
     */
    maintenanceWorkMem: z
      .string()
      .regex(/^(auto|\d+\s*(kB|MB|GB|TB))$/, 'a size such as 512MB or 2GB, or auto')
      .default('auto'),
    /** server: `max_parallel_maintenance_workers` of the build session; unset keeps the server's. */
    maxParallelMaintenanceWorkers: z.int().min(0).max(64).optional(),
    /** server: how often a running index build reports its progress (pg_stat_progress_create_index). */
    buildProgressMs: z.int().min(100).default(10_000),
  })
  .superRefine((o, ctx) => {
    if (o.mode === 'server' && (o.dataDir !== undefined || o.memory)) {
      ctx.addIssue({ code: 'custom', path: ['mode'], message: 'dataDir and memory apply to mode: embedded only' });
    }
    if (o.mode === 'embedded' && (o.lockWaitMs > 0 || o.maintenanceWorkMem !== 'auto' || o.maxParallelMaintenanceWorkers !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message: 'lockWaitMs, maintenanceWorkMem and maxParallelMaintenanceWorkers apply to mode: server only',
      });
    }
    if (o.dataDir !== undefined && o.memory) {
      ctx.addIssue({ code: 'custom', path: ['memory'], message: 'choose dataDir or memory: true, not both' });
    }
  });

export type PgvectorOptions = z.output<typeof pgvectorOptions>;

/**
 * Postgres + pgvector, embedded (PGlite, zero services) or on a server. One table per index,
 * `ragbench_<name>(id, doc_id, embedding vector(d), text, metadata jsonb)`, and a `ragbench_indexes` row
 * recording its dimensions and distance so a mismatched open fails instead of overwriting. On a server an
 * advisory lock per index keeps a second ingest of the same index out while one runs (from open() until the
 * index is built or first searched).
 */
export const pgvector = definePlugin({
  description: 'Postgres + pgvector: embedded PGlite (default, no service) or a server via a URL env var',
  options: pgvectorOptions,
  async create(options, context): Promise<VectorStore> {
    return createPgvectorStore(options, context);
  },
});

/** Options as parsed by the schema (`pgvector.options.parse({...})` fills defaults). */
export async function createPgvectorStore(options: PgvectorOptions, context: PluginContext): Promise<VectorStore> {
  if (options.mode === 'server') {
    const client = await createServerClient({
      urlEnv: options.urlEnv,
      url: context.env.secret(options.urlEnv),
      connectTimeoutMs: options.connectTimeoutMs,
      maxConnections: options.maxConnections,
    });
    return new PgvectorStore(client, options, true, context.notice);
  }
  const dataDir = options.memory ? undefined : resolve(options.dataDir ?? join(context.workDir, 'pglite'));
  return new PgvectorStore(await createPgliteClient(dataDir), options, dataDir !== undefined, context.notice);
}

/** Rows per INSERT: ~50k vectors/s at 384 dimensions on PGlite from 200 up; 500 keeps statements small. */
const batchRows = 500;

class PgvectorStore implements VectorStore {
  readonly kind = 'pgvector';
  readonly capabilities: StoreCapabilities;
  readonly #client: SqlClient;
  readonly #options: PgvectorOptions;
  #version: Promise<string> | undefined;
  readonly #notice: ((message: string) => void) | undefined;
  #spec: IndexSpec | undefined;
  #lock: { readonly name: string; readonly lock: IndexLock } | undefined;
  #closed: Promise<void> | undefined;

  constructor(client: SqlClient, options: PgvectorOptions, persistent: boolean, notice?: (message: string) => void) {
    this.#client = client;
    this.#options = options;
    this.#notice = notice;
    this.capabilities = { maxBatchSize: batchRows, distances, readsOwnWrites: true, persistent };
  }

  async open(spec: IndexSpec, signal?: AbortSignal): Promise<void> {
    checkIndexSpec(spec);
    if (this.#options.index !== 'none' && spec.dimensions > maxIndexedDimensions) {
      throw new ConfigError(
        `pgvector ${this.#options.index} indexes take at most ${maxIndexedDimensions} dimensions, index ${spec.name} has ${spec.dimensions}`,
        { fix: 'use index: none (exact scan), or an embedder with fewer dimensions' },
      );
    }
    signal?.throwIfAborted();
    await this.#vectorVersion();
    await this.#takeLock(spec.name, signal);
    try {
      await this.#client.schema(async (query) => {
        await query(createMetadataSql);
        await query(claimIndexSql, [spec.name, spec.dimensions, spec.distance]);
        const [existing] = await query<IndexMetadataRow>(readIndexSql, [spec.name]);
        if (existing && (existing.dimensions !== spec.dimensions || existing.distance !== spec.distance)) {
          throw new IndexMismatchError(
            `index ${spec.name} exists with ${existing.dimensions} dimensions and ${existing.distance} distance, ` +
              `asked for ${spec.dimensions} and ${spec.distance}; nothing was changed`,
            `choose another index name, or drop it with: DROP TABLE ${tableName(spec)}; ` +
              `DELETE FROM ragbench_indexes WHERE name = '${spec.name}';`,
          );
        }
        await query(createTableSql(spec));
        const [columns] = await query<{ missing: number }>(missingTextColumnsSql, [tableName(spec)]);
        if (columns!.missing > 0) await query(addTextColumnsSql(spec));
      });
    } catch (error) {
      await this.#releaseLock();
      throw error;
    }
    this.#spec = spec;
  }

  async upsert(records: readonly VectorRecord[], signal?: AbortSignal): Promise<void> {
    const spec = this.#current();
    for (const record of records) checkVector(record.vector, spec, `vector ${record.id}`);
    // Last write wins within a call: one INSERT … ON CONFLICT cannot update the same row twice.
    const unique = [...new Map(records.map((record) => [record.id, record])).values()];
    await this.#takeLock(spec.name, signal);
    for (const batch of chunkArray(unique, batchRows)) {
      signal?.throwIfAborted();
      const params: unknown[] = [];
      for (const record of batch) params.push(...upsertParams(record));
      await this.#client.query(upsertSql(spec, batch.length), params);
    }
  }

  async finishLoad(signal?: AbortSignal): Promise<void> {
    const spec = this.#current();
    signal?.throwIfAborted();
    const { index, hnsw, ivfflat } = this.#options;
    try {
      if (index === 'none') return;
      const method = index === 'ivfflat' ? ({ method: 'ivfflat', lists: ivfflat.lists } as const) : ({ method: 'hnsw', ...hnsw } as const);
      const sql = createIndexSql(spec, method);
      const [built] = await this.#client.query<{ exists: boolean }>(indexExistsSql, [`${tableName(spec)}_${index === 'hnsw' ? 'hnsw' : 'ivf'}`]);
      if (built!.exists) return;
      const rows = await this.count(signal);
      // IVFFlat clusters the rows present at build time; built on too few rows it stays poor forever
      // (IF NOT EXISTS never rebuilds it), so it waits until there is a row per list. Until then search scans.
      if (index === 'ivfflat' && rows < ivfflat.lists) return;
      const estimateMb = estimateBuildMb(index, rows, spec.dimensions, index === 'hnsw' ? { m: hnsw.m } : { lists: ivfflat.lists });
      const { maintenanceWorkMem, maxParallelMaintenanceWorkers } = this.#options;
      await this.#client.buildIndex(
        sql,
        { estimateMb, memory: { maintenanceWorkMem, maxParallelMaintenanceWorkers } },
        { progressEveryMs: this.#options.buildProgressMs, ...(this.#notice ? { notice: this.#notice } : {}), ...(signal ? { signal } : {}) },
      );
    } finally {
      // The ingest is over once its index is built: others may now use or rebuild it.
      await this.#releaseLock();
    }
  }

  async search(vector: Float32Array, k: number, signal?: AbortSignal): Promise<Hit[]> {
    const spec = this.#current();
    checkVector(vector, spec, 'query vector');
    checkK(k);
    if (k === 0) return [];
    signal?.throwIfAborted();
    // Searching means the index is in use as it is: a reused index's ingest (open, count) is over.
    if (this.#lock) await this.#releaseLock();
    const { exact, index } = this.#options;
    const params = [encodeVector(vector), k];
    const rows =
      exact || index === 'none'
        ? await this.#client.query<SearchRow>(searchSql(spec, true), params)
        : await this.#client.queryWith<SearchRow>(await this.#searchSettings(k), searchSql(spec, false), params);
    const hits = rows.map((row) => ({ id: row.id, docId: row.doc_id, score: scoreFromDistance(spec.distance, row.distance) }));
    // Already in order except where a NaN cosine distance (zero vector) became similarity 0.
    return hits.sort(compareHits);
  }

  async count(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const [row] = await this.#client.query<{ n: number }>(countSql(this.#current()));
    return row!.n;
  }

  async drop(signal?: AbortSignal): Promise<void> {
    const spec = this.#current();
    signal?.throwIfAborted();
    const [dropTable, deleteMetadata] = dropSql(spec);
    await this.#client.query(dropTable!);
    await this.#client.query(deleteMetadata!, [spec.name]);
    this.#spec = undefined;
    await this.#releaseLock();
  }

  close(): Promise<void> {
    this.#closed ??= this.#releaseLock().finally(() => this.#client.close());
    return this.#closed;
  }

  /** Holds the index's ingest lock (server mode); re-taken if its connection was lost. */
  async #takeLock(name: string, signal?: AbortSignal): Promise<void> {
    if (this.#lock?.name === name && this.#lock.lock.held()) return;
    await this.#releaseLock();
    const lock = await this.#client.lockIndex(name, { waitMs: this.#options.lockWaitMs, ...(signal ? { signal } : {}) });
    this.#lock = { name, lock };
  }

  async #releaseLock(): Promise<void> {
    const current = this.#lock;
    this.#lock = undefined;
    await current?.lock.release();
  }

  #current(): IndexSpec {
    if (!this.#spec) throw new Error('pgvector store: call open(spec) before using the index');
    return this.#spec;
  }

  #vectorVersion(): Promise<string> {
    this.#version ??= this.#client.enableVectors(this.#notice).catch((error: unknown) => {
      this.#version = undefined;
      throw error;
    });
    return this.#version;
  }

  async #searchSettings(k: number): Promise<Record<string, string>> {
    const iterative = supportsIterativeScan(await this.#vectorVersion());
    const { hnsw, ivfflat } = this.#options;
    return {
      // An HNSW scan yields at most ef_search rows, so it must be at least k (capped at pgvector's 1000).
      'hnsw.ef_search': String(Math.min(1000, Math.max(hnsw.efSearch, k))),
      'ivfflat.probes': String(ivfflat.probes),
      // Iterative scans keep going until LIMIT is filled (beyond ef_search, or past sparse lists).
      ...(iterative ? { 'hnsw.iterative_scan': 'strict_order', 'ivfflat.iterative_scan': 'relaxed_order' } : {}),
    };
  }
}

interface SearchRow {
  readonly id: string;
  readonly doc_id: string;
  readonly distance: number;
}
