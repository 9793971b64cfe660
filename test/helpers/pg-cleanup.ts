import pg from 'pg';

/**
 * Drops every `ragbench_<prefix>…` table and its `ragbench_indexes` and `ragbench_locks` rows: what a test run
 * created in a shared database (a user's DATABASE_URL), so nothing is left behind, also after a failed test.
 * Returns the index names it removed. `prefix` must be unique to the run.
 */
export async function dropTestIndexes(url: string, prefix: string): Promise<string[]> {
  if (!/^[a-z0-9_]+$/.test(prefix) || prefix.length < 4) throw new Error(`unsafe cleanup prefix ${prefix}`);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const pattern = `ragbench\\_${prefix.replaceAll('_', '\\_')}%`;
    const { rows } = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1",
      [pattern],
    );
    for (const { name } of rows) await client.query(`DROP TABLE IF EXISTS "${name}"`);
    const names = `${prefix.replaceAll('_', '\\_')}%`;
    for (const table of ['ragbench_indexes', 'ragbench_locks']) {
      const { rows: exists } = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [table]);
      if (exists[0]!.ok) await client.query(`DELETE FROM ${table} WHERE name LIKE $1`, [names]);
    }
    return rows.map((row) => row.name.slice('ragbench_'.length));
  } finally {
    await client.end();
  }
}

/** Tables and metadata rows still there for `prefix` (0 after `dropTestIndexes`). */
export async function countTestIndexes(url: string, prefix: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const like = prefix.replaceAll('_', '\\_');
    const tables = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE $1', [`ragbench\\_${like}%`]);
    const { rows: exists } = await client.query<{ ok: boolean }>("SELECT to_regclass('ragbench_indexes') IS NOT NULL AS ok");
    const rows = exists[0]!.ok
      ? (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM ragbench_indexes WHERE name LIKE $1', [`${like}%`])).rows
      : [{ n: 0 }];
    return tables.rows[0]!.n + rows[0]!.n;
  } finally {
    await client.end();
  }
}
