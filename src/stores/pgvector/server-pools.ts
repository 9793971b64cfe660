import type { Pool, PoolClient } from 'pg';

/**
 * Connections shared by every server store of this process with the same URL and limits: `pool` for statements,
 * `locks` for the sessions that hold an index's ingest lock. Each store of a run (one per chunker × retriever arm,
 * one after another) used to open its own pool and lock connection — a server start-up (~4 ms of a backend's work)
 * per connection plus pgvector's type lookup, a tenth of a small index's ingest on 2 cores. When its last store
 * closes, a pool lingers `lingerMs` for the next one, then ends; idle sockets never keep a process alive, and the
 * CLI ends them all when a command finishes (closeServerPools).
 */
export interface ServerPools {
  readonly pool: Pool;
  readonly locks: Pool;
  /** This store is done with them (once; later calls do nothing). */
  release(): void;
}

export interface ServerPoolSettings {
  readonly connectionString: string;
  readonly maxConnections: number;
  readonly connectTimeoutMs: number;
}

interface Entry {
  readonly pool: Pool;
  readonly locks: Pool;
  users: number;
  linger: NodeJS.Timeout | undefined;
}

const lingerMs = 1000;
/** The one piece of module state here, for the reason above. */
const entries = new Map<string, Entry>();

export async function serverPools(settings: ServerPoolSettings): Promise<ServerPools> {
  const key = JSON.stringify([settings.connectionString, settings.maxConnections, settings.connectTimeoutMs]);
  const [{ default: pg }, { registerTypes }] = await Promise.all([import('pg'), import('pgvector/pg')]);
  let entry = entries.get(key);
  if (entry === undefined) {
    const common = {
      connectionString: settings.connectionString,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      // Idle pooled sockets must not keep a finished CLI run alive.
      allowExitOnIdle: true,
    };
    const pool: Pool = new pg.Pool({
      ...common,
      max: settings.maxConnections,
      // pgvector's type parser: a vector read back (`SELECT embedding …`) arrives as number[], not '[…]' text.
      // Connections made before CREATE EXTENSION have no type to register and read vectors as text.
      onConnect: (client) => registerTypes(client).catch(() => {}),
    });
    // A lock session per index being ingested at once; the bound is the server's max_connections.
    const locks: Pool = new pg.Pool({ ...common, max: 100 });
    for (const each of [pool, locks]) {
      // An idle connection dropped by the server emits here; without a listener Node would crash the process.
      // The next query gets a fresh connection or reports the failure itself.
      each.on('error', () => {});
      // pg-pool listens for errors only while a client is idle. A server crash while a client is checked out makes
      // the client emit 'error' besides rejecting the query in flight; unheard, that event killed the process with
      // a stack. The rejection carries the failure (mapped to a ServiceError by the client), so it is dropped.
      each.on('connect', (client: PoolClient) => void client.on('error', () => {}));
    }
    entry = { pool, locks, users: 0, linger: undefined };
    entries.set(key, entry);
  }
  const shared = entry;
  clearTimeout(shared.linger);
  shared.linger = undefined;
  shared.users++;
  let released = false;
  return {
    pool: shared.pool,
    locks: shared.locks,
    release() {
      if (released) return;
      released = true;
      if (--shared.users > 0) return;
      shared.linger = setTimeout(() => void end(key, shared), lingerMs);
      shared.linger.unref();
    },
  };
}

/** Ends every shared pool now (the CLI, when a command returns or fails). */
export async function closeServerPools(): Promise<void> {
  await Promise.all([...entries].map(([key, entry]) => end(key, entry)));
}

async function end(key: string, entry: Entry): Promise<void> {
  clearTimeout(entry.linger);
  if (entries.get(key) === entry) entries.delete(key);
  await Promise.all([entry.pool.end(), entry.locks.end()]).catch(() => {});
}
