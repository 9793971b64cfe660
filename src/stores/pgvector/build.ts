import type { Pool, PoolClient } from 'pg';

/**
 * Server-side ANN index builds. With the server's default `maintenance_work_mem` (64 MB) pgvector's HNSW graph
 * stops fitting in memory after a few tens of thousands of vectors and the build gets several times slower, with
 * only a NOTICE to say so. So the build session gets a `maintenance_work_mem` sized to the index (and the
 * configured parallel workers), the server's NOTICEs and WARNINGs are passed on, progress is read from
 * `pg_stat_progress_create_index`, and an abort cancels the statement on the server (`pg_cancel_backend`) instead
 * of leaving it building.
 */

type AnnMethod = 'hnsw' | 'ivfflat';

export interface BuildMemory {
  /** `auto` sizes it to the index (capped at `maxAutoMb`); a Postgres size such as `2GB` is used as given. */
  readonly maintenanceWorkMem: string;
  /** undefined: the server's setting. */
  readonly maxParallelMaintenanceWorkers: number | undefined;
}

/** Never set above this automatically: a build that needs more should get it from the user, knowingly. */
const maxAutoMb = 1024;

/**
 * An estimate of pgvector's in-memory build size in MB: per vector its float4 values plus header, for HNSW its
 * neighbour lists (2m on layer 0, m above it, each an item pointer and a distance), with a quarter as margin.
 */
export function estimateBuildMb(method: AnnMethod, rows: number, dimensions: number, options: { m?: number; lists?: number }): number {
  const vectorBytes = 8 + 4 * dimensions;
  const perRow = method === 'hnsw' ? vectorBytes + 3 * (options.m ?? 16) * 16 + 100 : vectorBytes;
  // IVFFlat's k-means samples at most 50 rows per list.
  const sampled = method === 'ivfflat' ? Math.min(rows, 50 * (options.lists ?? 100)) : rows;
  return Math.ceil((sampled * perRow * 1.25) / 2 ** 20);
}

/** The settings for the build transaction; `currentMb` is the server's setting, never lowered. */
export function buildSettings(memory: BuildMemory, estimateMb: number, currentMb: number): Record<string, string> {
  const settings: Record<string, string> = {};
  if (memory.maintenanceWorkMem === 'auto') {
    const wanted = Math.min(maxAutoMb, estimateMb);
    if (wanted > currentMb) settings.maintenance_work_mem = `${wanted}MB`;
  } else {
    settings.maintenance_work_mem = memory.maintenanceWorkMem;
  }
  if (memory.maxParallelMaintenanceWorkers !== undefined) {
    settings.max_parallel_maintenance_workers = String(memory.maxParallelMaintenanceWorkers);
  }
  return settings;
}

export interface BuildEvents {
  /** A server NOTICE or WARNING, or a progress line; one line each. */
  readonly notice?: (message: string) => void;
  readonly signal?: AbortSignal;
  /** How often progress is read (and reported once the build has run that long). */
  readonly progressEveryMs?: number;
}

interface ProgressRow {
  readonly phase: string;
  readonly blocks_done: string;
  readonly blocks_total: string;
  readonly tuples_done: string;
  readonly tuples_total: string;
}

/** Runs `sql` (a CREATE INDEX) on its own pooled connection with `settings` local to the transaction. */
export async function buildOnServer(
  pool: Pool,
  sql: string,
  settings: Readonly<Record<string, string>>,
  events: BuildEvents,
): Promise<void> {
  const { notice, signal } = events;
  signal?.throwIfAborted();
  const client: PoolClient = await pool.connect();
  let broken = false;
  const onNotice = (message: { severity?: string; message?: string }) =>
    notice?.(`postgres ${(message.severity ?? 'NOTICE').toUpperCase()}: ${message.message ?? ''}`);
  client.on('notice', onNotice);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
    await client.query('BEGIN');
    for (const [name, value] of Object.entries(settings)) await client.query('SELECT set_config($1, $2, true)', [name, value]);
    if (settings.maintenance_work_mem) notice?.(`building the index with maintenance_work_mem = ${settings.maintenance_work_mem}`);
    // Cancel from another connection: the build's own connection is busy until the statement ends.
    onAbort = () => void pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
    signal?.addEventListener('abort', onAbort, { once: true });
    if (notice) timer = reportProgress(pool, pid, notice, events.progressEveryMs ?? 10_000);
    try {
      await client.query(sql);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      // A statement cancelled because of our abort is the abort, not a server failure.
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    clearInterval(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    client.off('notice', onNotice);
    client.release(broken);
  }
}

/** Polls build progress on another connection; polls that outlive the build are ignored. */
function reportProgress(pool: Pool, pid: number, notice: (message: string) => void, everyMs: number): NodeJS.Timeout {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    pool
      .query<ProgressRow>(
        'SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total FROM pg_stat_progress_create_index WHERE pid = $1',
        [pid],
      )
      .then(({ rows: [row] }) => {
        if (!row) return;
        const tuples = Number(row.tuples_total) > 0 ? `, ${row.tuples_done}/${row.tuples_total} tuples` : '';
        const blocks = Number(row.blocks_total) > 0 ? `, ${row.blocks_done}/${row.blocks_total} blocks` : '';
        notice(`index build: ${row.phase}${tuples}${blocks}`);
      })
      .catch(() => {})
      .finally(() => void (busy = false));
  }, everyMs);
  timer.unref();
  return timer;
}
