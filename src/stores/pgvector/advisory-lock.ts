import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ServiceError } from '../../shared/errors.js';
import { sleep } from '../../shared/retry.js';
import { isRunning } from './folder-lock.js';

/**
 * Server mode: one ingest per index at a time, across processes and hosts. A session-level advisory lock keyed
 * by the index name is held on a dedicated connection for the whole ingest; the server releases it when that
 * session ends, so a crashed or killed ingest never leaves it behind. A row in `ragbench_locks` says who holds it
 * (pid, host, start time) for the message the second ingest prints.
 *
 * Servers that multiplex every client onto one session (PGlite behind pglite-socket) grant advisory locks to all
 * of them, so there the row decides: a row written from this very session by another live holder counts as held.
 */

const locksTable = 'ragbench_locks';

export const createLocksSql =
  `CREATE TABLE IF NOT EXISTS ${locksTable} (name text PRIMARY KEY, token text NOT NULL, pid integer NOT NULL, ` +
  'host text NOT NULL, started_at timestamptz NOT NULL, backend_pid integer NOT NULL)';

/** A dedicated connection: the lock lives as long as its session. */
export interface LockSession {
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** true once the connection failed or ended: the lock is gone with it. */
  readonly lost: boolean;
  /** Ends the session; `reusable`: its lock was let go, so the connection may serve another lock. */
  end(reusable?: boolean): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another ingest to finish; 0 refuses at once. */
  readonly waitMs: number;
  readonly signal?: AbortSignal;
  /** Poll interval while waiting. */
  readonly pollMs?: number;
}

export interface IndexLock {
  /** false once the lock's connection was lost (a new lock must be taken before writing again). */
  readonly held: () => boolean;
  release(): Promise<void>;
}

interface HolderRow {
  readonly token: string;
  readonly pid: number;
  readonly host: string;
  readonly started_at: Date | string;
  readonly backend_pid: number;
}

const keySql = "hashtextextended('ragbench index ' || $1, 0)";

export async function acquireIndexLock(session: LockSession, name: string, options: LockOptions): Promise<IndexLock> {
  const token = randomUUID();
  const deadline = performance.now() + options.waitMs;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const holder = await tryLock(session, name, token);
      if (holder === undefined) {
        return {
          held: () => !session.lost,
          async release() {
            let unlocked = false;
            if (!session.lost) {
              // One round trip: the row goes and the lock is let go in one statement (the ingest's last wait).
              const [row] = await session
                .query<{ unlocked: boolean }>(`WITH gone AS (DELETE FROM ${locksTable} WHERE name = $1 AND token = $2) SELECT pg_advisory_unlock(${keySql}) AS unlocked`, [name, token])
                .catch(() => []);
              unlocked = row?.unlocked === true;
            }
            await session.end(unlocked);
          },
        };
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw busyError(name, holder, options.waitMs);
      await sleep(Math.min(remaining, options.pollMs ?? 1000), options.signal);
    }
  } catch (error) {
    await session.end();
    throw error;
  }
}

/** Takes the lock and records this holder; returns the current holder (or null when unknown) if it is taken. */
async function tryLock(session: LockSession, name: string, token: string): Promise<HolderRow | null | undefined> {
  const [lock] = await session.query<{ got: boolean; me: number }>(`SELECT pg_try_advisory_lock(${keySql}) AS got, pg_backend_pid() AS me`, [name]);
  const [holder] = await session.query<HolderRow>(
    `SELECT token, pid, host, started_at, backend_pid FROM ${locksTable} WHERE name = $1`,
    [name],
  );
  if (!lock!.got) return holder ?? null;
  // Granted. On a real server any row left is stale (its session, and so its lock, is gone). On a shared-session
  // server the grant proves nothing: a row from this session whose holder still runs means it is taken.
  if (holder && holder.token !== token && holder.backend_pid === lock!.me && holderAlive(holder)) {
    await session.query(`SELECT pg_advisory_unlock(${keySql})`, [name]);
    return holder;
  }
  await session.query(
    `INSERT INTO ${locksTable} (name, token, pid, host, started_at, backend_pid) VALUES ($1, $2, $3, $4, now(), pg_backend_pid()) ` +
      'ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token, pid = EXCLUDED.pid, host = EXCLUDED.host, ' +
      'started_at = EXCLUDED.started_at, backend_pid = EXCLUDED.backend_pid',
    [name, token, process.pid, hostname()],
  );
  return undefined;
}

/** A holder on another host is assumed alive; on this host its pid must still run. */
function holderAlive(holder: HolderRow): boolean {
  return holder.host !== hostname() || isRunning(holder.pid);
}

function busyError(name: string, holder: HolderRow | null, waitMs: number): ServiceError {
  const who = holder
    ? `pid ${holder.pid} on ${holder.host}, started ${new Date(holder.started_at).toISOString()}`
    : 'holder unknown';
  return new ServiceError('postgres', `another ingest of index ${name} is running (${who})${waitMs > 0 ? `; waited ${Math.round(waitMs / 1000)} s` : ''}`, {
    fix:
      'let it finish and run again (the index is then reused), or set the store option lockWaitMs to wait for it; ' +
      'the lock ends with that ingest\'s database session',
  });
}
