import { join, resolve } from 'node:path';
import { z } from 'zod';
import { chunkArray } from '../../shared/batches.js';
import { ConfigError, IndexMismatchError, describeError } from '../../shared/errors.js';
import { definePlugin, type PluginContext } from '../../shared/plugin.js';
import { estimateBuildMb } from './build.js';
import { createPgliteClient, createServerClient, type SqlClient } from './clients.js';
import { binaryCopyPieces } from './copy-rows.js';
import { pageRowsFor, scanTable } from './flat-scan.js';
import type { IndexLock } from './advisory-lock.js';
import {
  addTextColumnsSql,
  claimIndexSql,
  copyInsertSql,
  copyUpsertSql,
  countSql,
  createIndexSql,
  createMetadataSql,
  createTableSql,
  dropSql,
  encodeVector,
  countWithChecksumSql,
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
} from './sql.js';
import { checkIndexSpec, checkK, checkVector, overFetch, scoreFromDistance, topHits } from '../vector-checks.js';
import {
  distances,
  type Approximation,
  type Hit,
  type IndexSpec,
  type ShareProgress,
  type StoreCapabilities,
  type VectorRecord,
  type VectorStore,
} from '../vector-store.js';

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
    /** The ANN index built by finishLoad(); `none` (the default: evaluation is exact unless asked) scans every row. */
    index: z.enum(['hnsw', 'ivfflat', 'none']).default('none'),
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
    /** Search exactly: ORDER BY the distance as a function call, which no index can serve; no index is built. */
    exact: z.boolean().default(false),
    /**
     * embedded: exact search streams the vectors through process memory in pages of about this many MB (4 ×
     * dimensions bytes a vector) and scores a whole batch of queries per pass, ≈2× faster per query than PGlite's
     * sequential scan for a run's queries (src/stores/pgvector/flat-scan.ts); memory stays bounded by one page at any
     * table size. 0 runs exact search as SQL.
     */
    flatScanPageMb: z.int().min(0).default(32),
    /**
     * How rows are written: `copy` (binary COPY into a per-transaction staging table, merged with the same ON
     * CONFLICT as an INSERT; ≈2× faster on a server) or `insert` (multi-row parameterised INSERTs). `copy` falls
     * back to `insert` with a one-line warning when the server or a pooler in front of it refuses COPY.
     */
    writeMethod: z.enum(['copy', 'insert']).default('copy'),
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

type PgvectorOptions = z.output<typeof pgvectorOptions>;

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
async function createPgvectorStore(options: PgvectorOptions, context: PluginContext): Promise<VectorStore> {
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
/** Rows per COPY transaction: a few MB of rows, so the transaction's fixed statements weigh little. */
const copyBatchRows = 2000;
/** Queries per streamed exact pass (`searchBatchSize`): a run's queries in one pass, top-k lists kept in memory. */
const streamedQueries = 4096;

class PgvectorStore implements VectorStore {
  readonly kind = 'pgvector';
  readonly capabilities: StoreCapabilities;
  readonly approximation?: Approximation;
  readonly #client: SqlClient;
  readonly #options: PgvectorOptions;
  #version: Promise<string> | undefined;
  readonly #notice: ((message: string) => void) | undefined;
  #spec: IndexSpec | undefined;
  #lock: { readonly name: string; readonly lock: IndexLock } | undefined;
  #closed: Promise<void> | undefined;
  /** Set once COPY was refused: the rest of this store's writes are INSERTs. */
  #copyRefused = false;
  /** Set once a COPY straight into the table met a present id: the rest merge through the staging table. */
  #copyMerges = false;

  constructor(client: SqlClient, options: PgvectorOptions, persistent: boolean, notice?: (message: string) => void) {
    this.#client = client;
    this.#options = options;
    this.#notice = notice;
    this.capabilities = {
      maxBatchSize: options.writeMethod === 'copy' ? copyBatchRows : batchRows,
      distances,
      readsOwnWrites: true,
      persistent,
      ...(this.#exact() && this.#streamed() ? { searchBatchSize: streamedQueries } : {}),
    };
    const { hnsw, ivfflat } = options;
    if (!this.#exact()) {
      this.approximation =
        options.index === 'hnsw'
          ? { index: `pgvector hnsw (m ${hnsw.m}, ef_construction ${hnsw.efConstruction}, ef_search ${hnsw.efSearch})`, raise: 'hnsw.efSearch' }
          : { index: `pgvector ivfflat (lists ${ivfflat.lists}, probes ${ivfflat.probes})`, raise: 'ivfflat.probes' };
    }
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
      await this.#client.schema(async (query, script) => {
        // One round trip; a mismatch found after the CREATE TABLE rolls it back with the rest.
        const [, , read, , missing] = await script([createMetadataSql, claimIndexSql(spec), readIndexSql(spec), createTableSql(spec), missingTextColumnsSql(spec)]);
        const [existing] = read as IndexMetadataRow[];
        if (existing && (existing.dimensions !== spec.dimensions || existing.distance !== spec.distance)) {
          throw new IndexMismatchError(
            `index ${spec.name} exists with ${existing.dimensions} dimensions and ${existing.distance} distance, ` +
              `asked for ${spec.dimensions} and ${spec.distance}; nothing was changed`,
            `choose another index name, or drop it with: DROP TABLE ${tableName(spec)}; ` +
              `DELETE FROM ragbench_indexes WHERE name = '${spec.name}';`,
          );
        }
        const [columns] = missing as { missing: number }[];
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
    if (this.#options.writeMethod === 'copy' && !this.#copyRefused) {
      let refused = false;
      for (const batch of chunkArray(unique, copyBatchRows)) {
        signal?.throwIfAborted();
        try {
          const rows = binaryCopyPieces(batch);
          if (this.#copyMerges) await this.#client.copyIn(copyUpsertSql(spec), rows);
          else {
            // Most batches of a build hold only new ids: COPY into the table skips the staging table and the merge
            // (a third of the server's work per row). The first batch that meets a present id is merged instead.
            try {
              await this.#client.copyIn(copyInsertSql(spec), rows);
            } catch (error) {
              if (!uniqueViolation(error)) throw error;
              this.#copyMerges = true;
              await this.#client.copyIn(copyUpsertSql(spec), rows);
            }
          }
        } catch (error) {
          if (!copyRefused(error)) throw error;
          // The COPY's transaction rolled back: this batch and the rest go in as INSERTs (same rows, same upsert).
          this.#copyRefused = refused = true;
          this.#notice?.(`pgvector: the server refused COPY (${describeError(error)}); writing with INSERT (writeMethod: insert skips COPY)`);
          break;
        }
        unique.splice(0, batch.length);
      }
      if (!refused) return;
    }
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
      // Exact search never reads an ANN index, so none is built (building one at 146k chunks took many minutes).
      if (this.#exact()) return;
      const method = index === 'ivfflat' ? ({ method: 'ivfflat', lists: ivfflat.lists } as const) : ({ method: 'hnsw', ...hnsw } as const);
      const sql = createIndexSql(spec, method);
      const [built] = await this.#client.query<{ exists: boolean }>(indexExistsSql, [`${tableName(spec)}_${index === 'hnsw' ? 'hnsw' : 'ivf'}`]);
      if (built!.exists) return;
      const rows = await this.count(signal);
      // IVFFlat clusters the rows present at build time; built on too few rows it stays poor forever
      // (IF NOT EXISTS never rebuilds it), so it waits until there is a row per list. Until then search scans.
      if (index === 'ivfflat' && rows < ivfflat.lists) return;
      const estimateMb = estimateBuildMb(method.method, rows, spec.dimensions, index === 'hnsw' ? { m: hnsw.m } : { lists: ivfflat.lists });
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
    return this.#search(vector, k, this.#exact(), signal);
  }

  /** Exact embedded search scores the whole batch in one streamed pass over the table; otherwise one query at a time. */
  async searchBatch(vectors: readonly Float32Array[], k: number, signal?: AbortSignal, onProgress?: ShareProgress): Promise<Hit[][]> {
    return this.#searchMany(vectors, k, this.#exact(), signal, onProgress);
  }

  /** The reference an ANN arm's recall is measured against: the same rows, no index. */
  async searchExact(vectors: readonly Float32Array[], k: number, signal?: AbortSignal): Promise<Hit[][]> {
    return this.#searchMany(vectors, k, true, signal);
  }

  async #searchMany(vectors: readonly Float32Array[], k: number, exact: boolean, signal?: AbortSignal, onProgress?: ShareProgress): Promise<Hit[][]> {
    if (this.#lock) await this.#releaseLock();
    if (exact && this.#streamed()) return this.#scan(vectors, k, signal, onProgress);
    const results: Hit[][] = [];
    for (const vector of vectors) results.push(await this.#search(vector, k, exact, signal));
    return results;
  }

  async #search(vector: Float32Array, k: number, exact: boolean, signal?: AbortSignal): Promise<Hit[]> {
    const spec = this.#current();
    checkVector(vector, spec, 'query vector');
    checkK(k);
    if (k === 0) return [];
    signal?.throwIfAborted();
    // Searching means the index is in use as it is: a reused index's ingest (open, count) is over.
    if (this.#lock) await this.#releaseLock();
    if (exact && this.#streamed()) return (await this.#scan([vector], k, signal))[0]!;
    const sql = searchSql(spec, exact);
    // Ordered by distance alone in SQL (so a server uses the ANN index); ties at the k-th place are broken by
    // id here, re-fetching with a larger limit while the tie might run past the last row fetched.
    for (let limit = overFetch(k); ; limit *= 2) {
      const params = [encodeVector(vector), limit];
      const settings = exact ? undefined : await this.#searchSettings(limit);
      const rows = settings
        ? await this.#client.queryWith<SearchRow>(settings, sql, params)
        : await this.#client.query<SearchRow>(sql, params);
      const tieMayContinue = rows.length === limit && rows.length > k && sameDistance(rows[k - 1]!, rows[limit - 1]!);
      if (tieMayContinue) continue;
      const hits = rows.map((row) => ({ id: row.id, docId: row.doc_id, score: scoreFromDistance(spec.distance, row.distance) }));
      return topHits(hits, k);
    }
  }

  /** `exact: true` or `index: none`: every search scans every row, and no ANN index is built. */
  #exact(): boolean {
    return this.#options.exact || this.#options.index === 'none';
  }

  async count(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const [row] = await this.#client.query<{ n: number }>(countSql(this.#current()));
    return row!.n;
  }

  async countWithChecksum(signal?: AbortSignal): Promise<{ chunks: number; idChecksum: string }> {
    signal?.throwIfAborted();
    const [row] = await this.#client.query<{ n: number; checksum: string }>(countWithChecksumSql(this.#current()));
    return { chunks: row!.n, idChecksum: row!.checksum };
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

  /** Embedded exact search runs in process (binary COPY pages), unless `flatScanPageMb: 0` asks for SQL. */
  #streamed(): boolean {
    return this.#client.copyBinary !== undefined && this.#options.flatScanPageMb > 0;
  }

  async #scan(vectors: readonly Float32Array[], k: number, signal?: AbortSignal, onProgress?: ShareProgress): Promise<Hit[][]> {
    const spec = this.#current();
    for (const vector of vectors) checkVector(vector, spec, 'query vector');
    checkK(k);
    if (k === 0 || vectors.length === 0) return vectors.map(() => []);
    const client = this.#client;
    const pageRows = pageRowsFor(this.#options.flatScanPageMb, spec.dimensions);
    // The row count (one aggregate, small beside the pass) turns pages read into a share of the pass.
    const progress = onProgress ? { onProgress, rows: await this.count(signal) } : undefined;
    return scanTable({ copyBinary: (sql) => client.copyBinary!(sql) }, spec, vectors, k, { pageRows, ...(signal ? { signal } : {}), ...(progress ? { progress } : {}) });
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

  async #searchSettings(limit: number): Promise<Record<string, string>> {
    const iterative = supportsIterativeScan(await this.#vectorVersion());
    const { hnsw, ivfflat } = this.#options;
    return {
      // An HNSW scan yields at most ef_search rows, so it must cover the limit (capped at pgvector's 1000).
      'hnsw.ef_search': String(Math.min(1000, Math.max(hnsw.efSearch, limit))),
      'ivfflat.probes': String(ivfflat.probes),
      // Iterative scans keep going until LIMIT is filled (beyond ef_search, or past sparse lists).
      ...(iterative ? { 'hnsw.iterative_scan': 'strict_order', 'ivfflat.iterative_scan': 'relaxed_order' } : {}),
    };
  }
}

/**
 * COPY refused rather than failed: SQLSTATE 0A000 (feature not supported, as poolers answer), 08P01 (protocol
 * violation: a proxy that cannot follow COPY's sub-protocol), or a message saying so. Any other
 * error is the write's own and is thrown.
 */
function uniqueViolation(error: unknown): boolean {
  for (let at: unknown = error; at !== undefined && at !== null; at = (at as { cause?: unknown }).cause) {
    if ((at as { code?: unknown }).code === '23505') return true;
    if (at === (at as { cause?: unknown }).cause) break;
  }
  return false;
}

function copyRefused(error: unknown): boolean {
  for (let at: unknown = error; at !== undefined && at !== null; at = (at as { cause?: unknown }).cause) {
    const code = (at as { code?: unknown }).code;
    if (code === '0A000' || code === '08P01') return true;
    if (/\bCOPY\b.*\bnot (supported|allowed|permitted)\b/i.test(String((at as { message?: unknown }).message ?? ''))) return true;
    if (at === (at as { cause?: unknown }).cause) break;
  }
  return false;
}

/** Equal distances (NaN, a zero vector's cosine distance, equals NaN here: both sort last). */
function sameDistance(a: SearchRow, b: SearchRow): boolean {
  return a.distance === b.distance || (Number.isNaN(a.distance) && Number.isNaN(b.distance));
}

interface SearchRow {
  readonly id: string;
  readonly doc_id: string;
  readonly distance: number;
}
