import type { PGlite } from '@electric-sql/pglite';
import type { PoolClient } from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConfigError, ServiceError, describeError } from '../../shared/errors.js';
import { lockDataDir } from './folder-lock.js';
import { buildOnServer, buildSettings, type BuildEvents, type BuildMemory } from './build.js';
import { acquireIndexLock, createLocksSql, type IndexLock, type LockOptions, type LockSession } from './advisory-lock.js';
import { judgeVersions } from './versions.js';
import { serverPools } from './server-pools.js';
import { toStoreError } from './store-errors.js';

/**
 * The little the pgvector store needs from a Postgres connection, over PGlite (embedded) or a `pg` Pool
 * (server). Parameters that are `Uint8Array`s travel in binary format; after `enableVectors()` they are
 * read as `vector` by pgvector's binary receive function, no text parsing.
 */
export interface SqlClient {
  /**
   * Creates the vector extension (and ragbench's lock table) if missing, checks the server and pgvector versions
   * (refusing below the minimum, warning through `notice`); returns pgvector's version.
   */
  enableVectors(notice?: (message: string) => void): Promise<string>;
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs `sql` with session settings applied for it (never leaking to other users of a pooled connection). */
  queryWith<Row>(settings: Readonly<Record<string, string>>, sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Embedded on a data dir only: runs one long statement (an index build) in a worker thread on the same data
   * dir, so the main thread stays free to show progress and to stop it on an abort (PGlite runs Postgres on
   * the calling thread, which ignored SIGINT and SIGTERM for the whole of a 146k-row HNSW build).
   */
  runInWorker?(sql: string, signal?: AbortSignal): Promise<void>;
  /**
   * Writes binary COPY rows in one transaction: `before`, then `copy` (a `COPY … FROM STDIN (FORMAT binary)`)
   * fed with `rows` (the COPY data in pieces, iterated as it is sent: a server takes piece n while piece n + 1 is
   * encoded; iterable again for a retry), then `after`. Embedded, the rows go in as PGlite's '/dev/blob'.
   */
  copyIn(statements: CopyStatements, rows: Iterable<Uint8Array>): Promise<void>;
  /** Embedded only: runs `COPY … TO '/dev/blob'` and returns the bytes (PGlite's way out for COPY). */
  copyBinary?(sql: string): Promise<Uint8Array>;
  /**
   * Schema changes serialized against every other ragbench process on the database (one transaction holding a
   * transaction-level advisory lock): concurrent `CREATE TABLE IF NOT EXISTS` of one name otherwise fails with
   * a duplicate key in pg_type.
   */
  schema<T>(work: (query: SqlClient['query'], script: RunScript) => Promise<T>): Promise<T>;
  /** Server: the index's ingest lock, held until released. Embedded: the data dir lock already excludes others. */
  lockIndex(name: string, options: LockOptions): Promise<IndexLock>;
  /** Runs a CREATE INDEX: on a server with build settings, NOTICEs, progress and cancel on abort. */
  buildIndex(sql: string, build: { readonly estimateMb: number; readonly memory: BuildMemory }, events: BuildEvents): Promise<void>;
  close(): Promise<void>;
}

/**
 * Statements without parameters sent as one (a server's simple query protocol: one round trip for all of them);
 * resolves with each statement's rows. The open's schema step took eight round trips, each waiting its turn on a
 * busy main thread and server (~40 ms of a 150 ms index on 2 cores).
 */
export type RunScript = (statements: readonly string[]) => Promise<unknown[][]>;

/** One transaction: `before` (if any), the COPY, `after` (if any). */
export interface CopyStatements {
  readonly before?: string;
  readonly copy: string;
  readonly after?: string;
}

/** Any fixed key: every ragbench process takes it around its schema changes. */
const schemaLockSql = "SELECT pg_advisory_xact_lock(hashtextextended('ragbench schema', 0))";
const versionsSql =
  "SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS server, " +
  "(SELECT extversion FROM pg_extension WHERE extname = 'vector') AS version";
/** The versions, and whether the locks table is there (with the extension: nothing to create). */
const serverStateSql = `${versionsSql}, to_regclass('ragbench_locks') IS NOT NULL AS locks`;

const createExtensionSql = 'CREATE EXTENSION IF NOT EXISTS vector';
const versionSql = "SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'";

/** Embedded Postgres: in memory when `dataDir` is undefined. */
export async function createPgliteClient(dataDir: string | undefined): Promise<SqlClient> {
  const release = dataDir === undefined ? async () => {} : await lockDataDir(dataDir);
  let db: PGlite;
  const open = async () => {
    const [{ PGlite }, { vector }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite-pgvector'),
    ]);
    return PGlite.create({ ...(dataDir === undefined ? {} : { dataDir }), extensions: { vector } });
  };
  try {
    db = await open();
  } catch (error) {
    await release();
    if (dataDir === undefined) throw toStoreError('pglite', error, []);
    // A truncated pg_control or catalog file fails here; without the folder the message says nothing useful.
    throw new ServiceError('pglite', `cannot open the data folder ${dataDir}: ${describeError(error)}`, {
      fix: damagedFolderFix(dataDir),
      cause: error,
    });
  }
  // PGlite serializes each parameter with the serializer for its inferred type and sends typed arrays it
  // gets back as binary; `vector` has none, so an identity serializer is registered once its oid is known.
  let queryOptions: { serializers: Record<number, (value: unknown) => string> } | undefined;
  let applied = '';
  const query = async <Row>(sql: string, params: readonly unknown[] = []) => {
    try {
      return (await db.query<Row>(sql, params as unknown[], queryOptions)).rows;
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? '');
      // XX: data or index corrupted; 58: a file of the data folder is missing or unreadable.
      if (dataDir !== undefined && (code.startsWith('XX') || code.startsWith('58'))) {
        throw new ServiceError('pglite', `data folder ${dataDir} is damaged: ${describeError(error)} (SQLSTATE ${code})`, {
          fix: damagedFolderFix(dataDir),
          cause: error,
        });
      }
      throw toStoreError('pglite', error, []);
    }
  };
  const client: SqlClient = {
    async enableVectors() {
      await query(createExtensionSql);
      const [type] = await query<{ oid: number }>("SELECT 'vector'::regtype::oid AS oid");
      queryOptions = { serializers: { [type!.oid]: (value) => value as string } };
      const [row] = await query<{ version: string }>(versionSql);
      return row!.version;
    },
    query,
    ...(dataDir === undefined
      ? {}
      : {
          async runInWorker(sql: string, signal?: AbortSignal) {
            // One Postgres per data dir at a time: this one closes (the lock stays held) while the worker's runs.
            await db.close();
            try {
              await runPgliteWorker(dataDir, sql, signal);
            } finally {
              // After a terminated worker Postgres recovers from its WAL here, as after a crash.
              db = await open();
              applied = '';
            }
          },
        }),
    // One process owns the data dir (its lock file), so nothing else can race these statements or this ingest.
    schema: (work) =>
      work(query, async (statements) => {
        const results: unknown[][] = [];
        for (const sql of statements) results.push(await query(sql));
        return results;
      }),
    lockIndex: async () => ({ held: () => true, release: async () => {} }),
    async buildIndex(sql, _build, events) {
      // On a data dir: in a worker thread, so Ctrl-C / SIGTERM stop it; a rerun builds it again (IF NOT EXISTS).
      if (client.runInWorker) await client.runInWorker(sql, events.signal);
      else await query(sql);
    },
    async queryWith(settings, sql, params) {
      // One session, owned by this store: set once, re-set only when the settings change.
      const key = JSON.stringify(settings);
      if (key !== applied) {
        for (const [name, value] of Object.entries(settings)) await query('SELECT set_config($1, $2, false)', [name, value]);
        applied = key;
      }
      return query(sql, params);
    },
    async copyIn(statements, rows) {
      try {
        await db.transaction(async (tx) => {
          if (statements.before) await tx.query(statements.before);
          const copy = statements.copy.replace(/FROM STDIN/, "FROM '/dev/blob'");
          await tx.query(copy, [], { blob: new Blob([...rows] as Uint8Array<ArrayBuffer>[]) });
          if (statements.after) await tx.query(statements.after);
        });
      } catch (error) {
        throw toStoreError('pglite', error, []);
      }
    },
    async copyBinary(sql) {
      try {
        const result = await db.query(sql);
        if (!result.blob) throw new Error('COPY TO /dev/blob returned no data');
        return new Uint8Array(await result.blob.arrayBuffer());
      } catch (error) {
        throw toStoreError('pglite', error, []);
      }
    },
    async close() {
      try {
        await db.close();
      } finally {
        await release();
      }
    },
  };
  return client;
}

function damagedFolderFix(dataDir: string): string {
  return `move the damaged folder aside (mv ${dataDir} ${dataDir}.damaged) and run again: ragbench rebuilds its indexes from the corpus`;
}

/** The worker's whole program: open the data dir, run one statement, close. Module URLs come resolved from here. */
const workerSource = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const [{ PGlite }, { vector }] = await Promise.all([import(workerData.pglite), import(workerData.pgvector)]);
  const db = await PGlite.create({ dataDir: workerData.dataDir, extensions: { vector } });
  try { await db.exec(workerData.sql); } finally { await db.close(); }
  parentPort.postMessage({ ok: true });
})().catch((error) => parentPort.postMessage({ error: String(error && error.message || error) }));
`;

async function runPgliteWorker(dataDir: string, sql: string, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      dataDir,
      sql,
      pglite: import.meta.resolve('@electric-sql/pglite'),
      pgvector: import.meta.resolve('@electric-sql/pglite-pgvector'),
    },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once('message', (message: { ok?: true; error?: string }) => {
        signal?.removeEventListener('abort', onAbort);
        if (message.ok) resolve();
        else reject(toStoreError('pglite', new Error(message.error), []));
      });
      worker.once('error', (error) => reject(toStoreError('pglite', error, [])));
      worker.once('exit', (code) => reject(toStoreError('pglite', new Error(`index build worker exited with code ${code}`), [])));
    });
  } finally {
    await worker.terminate();
  }
}

interface ServerClientOptions {
  /** The name of the environment variable holding the URL: used in messages instead of the URL. */
  readonly urlEnv: string;
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly maxConnections: number;
}

/** A Postgres server through a `pg` Pool. The URL (and its password) never appears in a message. */
export async function createServerClient(options: ServerClientOptions): Promise<SqlClient> {
  const { url, urlEnv } = options;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No `cause`: URL's TypeError carries the input, password included.
    throw new ConfigError(`environment variable ${urlEnv} is not a valid URL`, {
      fix: `set ${urlEnv}=postgres://user:password@host:5432/database`,
    });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`environment variable ${urlEnv} must be a postgres:// URL, not ${parsed.protocol}//…`, {
      fix: `set ${urlEnv}=postgres://user:password@host:5432/database`,
    });
  }
  const where = `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  const secrets = [parsed.password, decodeURIComponent(parsed.password)].filter((s) => s.length > 0);
  const shared = await serverPools({
    connectionString: libpqSslModes(parsed),
    maxConnections: options.maxConnections,
    connectTimeoutMs: options.connectTimeoutMs,
  });
  const { pool } = shared;
  const fail = (error: unknown) => toStoreError('postgres', error, secrets, `${where} (from ${urlEnv})`);
  const withClient = async <T>(work: (client: PoolClient) => Promise<T>): Promise<T> => {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw fail(error);
    }
    try {
      const result = await work(client);
      client.release();
      return result;
    } catch (error) {
      // Destroy rather than reuse: after an error mid-protocol the connection's state is unknown.
      client.release(true);
      throw fail(error);
    }
  };
  const runQuery = async <Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> =>
    withClient(async (client) => (await client.query(sql, params as unknown[])).rows as Row[]);
  /** A size setting of the server in MB. */
  const serverMb = async (setting: string) => {
    const [row] = await runQuery<{ mb: string }>(
      "SELECT (pg_size_bytes(current_setting($1)) / 1048576)::bigint AS mb",
      [setting],
    );
    return Number(row!.mb);
  };
  /**
   * A lock's own session, from the lock pool (never the statements' pool): the lock lasts as long as this session
   * holds it. Back to the pool only once unlocked; a session whose unlock failed, or that broke, is destroyed.
   */
  const connectLockSession = async (): Promise<LockConnection> => {
    let connection: PoolClient;
    try {
      connection = await shared.locks.connect();
    } catch (error) {
      throw fail(error);
    }
    let lost = false;
    const onGone = () => void (lost = true);
    connection.on('error', onGone);
    connection.on('end', onGone);
    return {
      connection,
      lost: () => lost,
      end(reusable) {
        connection.off('error', onGone);
        connection.off('end', onGone);
        connection.release(reusable && !lost ? undefined : true);
      },
    };
  };
  const client: SqlClient = {
    async enableVectors(notice) {
      type ServerState = { num: number; server: string; version: string | null; locks: boolean };
      // One round trip when the extension and the locks table are there, as on every open after a server's first.
      let [row] = await runQuery<ServerState>(serverStateSql);
      if (row!.version === null || !row!.locks) {
        await client.schema(async (query) => {
          await query(createExtensionSql);
          await query(createLocksSql);
        });
        [row] = await runQuery<ServerState>(serverStateSql);
      }
      const version = row!.version;
      if (version === null) throw new ServiceError('postgres', `${where}: pgvector is not available after CREATE EXTENSION vector`, { fix: 'install pgvector on the server' });
      const verdict = judgeVersions(row!.num, row!.server, version);
      if (verdict.refuse) {
        throw new ServiceError('postgres', `${where}: ${verdict.refuse}`, {
          fix: 'use a supported server (README: Postgres server), or the embedded store (mode: embedded)',
        });
      }
      if (verdict.warn) notice?.(verdict.warn);
      return version;
    },
    query: runQuery,
    async queryWith(settings, sql, params = []) {
      return withClient(async (client) => {
        // SET LOCAL semantics (is_local = true): the settings end with the transaction, so a pooled
        // connection handed to the next caller carries nothing over.
        await client.query('BEGIN');
        try {
          for (const [name, value] of Object.entries(settings)) {
            await client.query('SELECT set_config($1, $2, true)', [name, value]);
          }
          const result = await client.query(sql, params as unknown[]);
          await client.query('COMMIT');
          return result.rows;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
      });
    },
    async schema(work) {
      return withClient(async (connection) => {
        await connection.query(`BEGIN; ${schemaLockSql}`);
        try {
          const result = await work(
            async (sql, params = []) => (await connection.query(sql, params as unknown[])).rows,
            async (statements) => {
              const results: unknown = await connection.query(statements.join(';\n'));
              // pg gives one result for one statement, an array of them for several.
              return (Array.isArray(results) ? results : [results]).map((result: { rows: unknown[] }) => result.rows);
            },
          );
          await connection.query('COMMIT');
          return result;
        } catch (error) {
          await connection.query('ROLLBACK').catch(() => {});
          throw error;
        }
      });
    },
    async copyIn(statements, rows) {
      const { from } = await import('pg-copy-streams');
      return withClient(async (connection) => {
        await connection.query('BEGIN');
        try {
          if (statements.before) await connection.query(statements.before);
          const stream = connection.query(from(statements.copy));
          await pipeline(Readable.from(rows, { objectMode: false }), stream);
          if (statements.after) await connection.query(statements.after);
          await connection.query('COMMIT');
        } catch (error) {
          await connection.query('ROLLBACK').catch(() => {});
          throw error;
        }
      });
    },
    async lockIndex(name, lockOptions) {
      const { connection, lost, end } = await connectLockSession();
      const session: LockSession = {
        get lost() {
          return lost();
        },
        query: async <Row>(sql: string, params: readonly unknown[] = []) => {
          try {
            return (await connection.query(sql, params as unknown[])).rows as Row[];
          } catch (error) {
            throw fail(error);
          }
        },
        end: async (reusable) => end(reusable === true),
      };
      return acquireIndexLock(session, name, lockOptions);
    },
    async buildIndex(sql, build, events) {
      try {
        const settings = buildSettings(build.memory, build.estimateMb, await serverMb('maintenance_work_mem'));
        await buildOnServer(pool, sql, settings, events);
      } catch (error) {
        if ((error as Error)?.name === 'AbortError') throw error;
        throw fail(error);
      }
    },
    async close() {
      shared.release();
    },
  };
  return client;
}

interface LockConnection {
  readonly connection: PoolClient;
  readonly lost: () => boolean;
  /** Hands the session back (`reusable`: it holds no lock) or destroys it. */
  end(reusable: boolean): void;
}

/**
 * The `pg` driver reads `sslmode=require` (and prefer, verify-ca) as verify-full and prints a ten-line
 * deprecation warning before any error. URLs for managed Postgres carry `sslmode=require` meaning what libpq
 * (psql) means: encrypted, certificate not verified. So ragbench asks the driver for libpq's meaning, which is
 * also the driver's next default; `sslmode=verify-full` verifies (README: Postgres server).
 */
function libpqSslModes(parsed: URL): string {
  const mode = parsed.searchParams.get('sslmode');
  if (mode === null || parsed.searchParams.has('uselibpqcompat')) return parsed.href;
  const copy = new URL(parsed.href);
  copy.searchParams.set('uselibpqcompat', 'true');
  return copy.href;
}
