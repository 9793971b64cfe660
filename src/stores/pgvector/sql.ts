import type { Distance, IndexSpec } from '../vector-store.js';

/**
 * SQL text for the pgvector store. Identifiers are built from `IndexSpec.name`, which `checkIndexSpec` has
 * restricted to `[a-z0-9_]{1,48}`, so `ragbench_<name>_hnsw` stays within Postgres's 63-byte limit unquoted.
 */

const metadataTable = 'ragbench_indexes';

export interface IndexMetadataRow {
  readonly dimensions: number;
  readonly distance: string;
}

/** HNSW and IVFFlat indexes on the `vector` type take at most 2000 dimensions (pgvector's README). */
export const maxIndexedDimensions = 2000;

interface DistanceSql {
  /** The operator an ANN index can serve: `ORDER BY embedding <op> $1`. */
  readonly operator: string;
  /** The same distance as a function call: the planner never matches it to an index, so ordering is exact. */
  readonly exact: (column: string, parameter: string) => string;
  readonly opclass: string;
}

export const distanceSql: Record<Distance, DistanceSql> = {
  cosine: {
    operator: '<=>',
    // cosine_distance is NaN against a zero vector; distance 1 (similarity 0) is the memory store's convention.
    exact: (column, parameter) => `COALESCE(NULLIF(cosine_distance(${column}, ${parameter}), 'NaN'), 1)`,
    opclass: 'vector_cosine_ops',
  },
  dot: {
    operator: '<#>',
    exact: (column, parameter) => `vector_negative_inner_product(${column}, ${parameter})`,
    opclass: 'vector_ip_ops',
  },
  euclidean: {
    operator: '<->',
    exact: (column, parameter) => `l2_distance(${column}, ${parameter})`,
    opclass: 'vector_l2_ops',
  },
};

export function tableName(spec: Pick<IndexSpec, 'name'>): string {
  return `ragbench_${spec.name}`;
}

export const createMetadataSql =
  `CREATE TABLE IF NOT EXISTS ${metadataTable} (` +
  'name text PRIMARY KEY, dimensions integer NOT NULL, distance text NOT NULL, ' +
  'created_at timestamptz NOT NULL DEFAULT now())';

/**
 * Claims the name; a concurrent or earlier claim wins and is then compared, so nothing is overwritten. Values are
 * inlined (the open sends its statements as one script, which takes no parameters): the name is [a-z0-9_]
 * (checkIndexSpec), the dimensions an integer and the distance one of ragbench's names.
 */
export function claimIndexSql(spec: IndexSpec): string {
  return `INSERT INTO ${metadataTable} (name, dimensions, distance) VALUES ('${spec.name}', ${spec.dimensions}, '${spec.distance}') ON CONFLICT (name) DO NOTHING`;
}

export function readIndexSql(spec: Pick<IndexSpec, 'name'>): string {
  return `SELECT dimensions, distance FROM ${metadataTable} WHERE name = '${spec.name}'`;
}

/**
 * The chunk's text and metadata (jsonb) sit beside its vector, so a user inspecting an index in psql sees what
 * was indexed, as with other vector stores (LangChain's PGVectorStore keeps the same two).
 */
export function createTableSql(spec: IndexSpec): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${tableName(spec)} ` +
    `(id text PRIMARY KEY, doc_id text NOT NULL, embedding vector(${spec.dimensions}) NOT NULL, text text, metadata jsonb)`
  );
}

/** Tables created before text and metadata were stored get the two columns (empty for the old rows). */
export function addTextColumnsSql(spec: IndexSpec): string {
  return `ALTER TABLE ${tableName(spec)} ADD COLUMN IF NOT EXISTS text text, ADD COLUMN IF NOT EXISTS metadata jsonb`;
}

/**
 * How many of the two columns the index's table lacks (0 for tables created with them): the table as unqualified
 * statements find it; pg_attribute, not information_schema (a quarter of the time: ~0.3 ms against ~1.3 ms).
 */
export function missingTextColumnsSql(spec: Pick<IndexSpec, 'name'>): string {
  return (
    `SELECT 2 - count(*)::int AS missing FROM pg_attribute WHERE attrelid = to_regclass('${tableName(spec)}') ` +
    "AND attname IN ('text', 'metadata') AND NOT attisdropped"
  );
}

export const indexExistsSql = 'SELECT to_regclass($1) IS NOT NULL AS exists';

export function dropSql(spec: IndexSpec): string[] {
  // Table first: a crash in between leaves metadata without a table, which the next open() recreates.
  return [`DROP TABLE IF EXISTS ${tableName(spec)}`, `DELETE FROM ${metadataTable} WHERE name = $1`];
}

export function countSql(spec: IndexSpec): string {
  return `SELECT count(*)::int AS n FROM ${tableName(spec)}`;
}

/**
 * The row count, and the ids' checksum as `idChecksum` (shared/hash.ts) computes it: Σ of the first 32 bits of
 * md5(id), as text.
 */
export function countWithChecksumSql(spec: IndexSpec): string {
  return (
    "SELECT count(*)::int AS n, coalesce(sum(('x' || substr(md5(id), 1, 8))::bit(32)::bigint), 0)::text AS checksum " +
    `FROM ${tableName(spec)}`
  );
}

/** Parameters per upserted row: id, doc_id, embedding, text, metadata. */
const upsertColumns = 5;

/** One multi-row statement per batch: `rows` × (id, doc_id, embedding, text, metadata) parameters. */
export function upsertSql(spec: IndexSpec, rows: number): string {
  const tuples: string[] = [];
  for (let row = 0; row < rows; row++) {
    const p = upsertColumns * row;
    tuples.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}::jsonb)`);
  }
  return (
    `INSERT INTO ${tableName(spec)} (id, doc_id, embedding, text, metadata) VALUES ${tuples.join(', ')} ` +
    'ON CONFLICT (id) DO UPDATE SET doc_id = EXCLUDED.doc_id, embedding = EXCLUDED.embedding, ' +
    'text = EXCLUDED.text, metadata = EXCLUDED.metadata'
  );
}

/**
 * The COPY write path's three statements, run in one transaction: a staging table that lives for the
 * transaction (ON COMMIT DROP: nothing is left on a pooled connection), the binary COPY into it, and the merge
 * into the index table with the same ON CONFLICT as `upsertSql`, so a re-run or resume overwrites as before.
 */
/**
 * Rows straight into the index table: the same rows the merge below stores when none of their ids is there yet
 * (a new index, the next batches of a build). A present id fails it with unique_violation and the transaction
 * rolls back, so nothing is half-written; the store then merges through the staging table.
 */
export function copyInsertSql(spec: IndexSpec): { readonly copy: string } {
  return { copy: `COPY ${tableName(spec)} (id, doc_id, embedding, text, metadata) FROM STDIN (FORMAT binary)` };
}

export function copyUpsertSql(spec: IndexSpec): { readonly before: string; readonly copy: string; readonly after: string } {
  const stage = `ragbench_stage_${spec.name}`;
  const columns = 'id, doc_id, embedding, text, metadata';
  return {
    before: `CREATE TEMP TABLE ${stage} (id text, doc_id text, embedding vector(${spec.dimensions}), text text, metadata jsonb) ON COMMIT DROP`,
    copy: `COPY ${stage} (${columns}) FROM STDIN (FORMAT binary)`,
    after:
      `INSERT INTO ${tableName(spec)} (${columns}) SELECT ${columns} FROM ${stage} ` +
      'ON CONFLICT (id) DO UPDATE SET doc_id = EXCLUDED.doc_id, embedding = EXCLUDED.embedding, ' +
      'text = EXCLUDED.text, metadata = EXCLUDED.metadata',
  };
}

/** The parameters of one row for `upsertSql`. */
export function upsertParams(record: { id: string; docId: string; vector: Float32Array; text?: string; metadata?: unknown }): unknown[] {
  return [record.id, record.docId, encodeVector(record.vector), storedText(record.text), storedMetadata(record.metadata)];
}

/** A chunk's text as stored (every write path): Postgres text cannot hold NUL, so the stored copy shows U+FFFD. */
export function storedText(text: string | undefined): string | null {
  return text === undefined ? null : text.replaceAll('\0', '\uFFFD');
}

/** A chunk's metadata as stored (every write path): its JSON text, for the jsonb column. */
export function storedMetadata(metadata: unknown): string | null {
  return metadata === undefined ? null : JSON.stringify(metadata);
}

/**
 * `$1` is the query vector, `$2` the row limit. Ordered by the distance alone: a second sort key (`, id`) keeps
 * a real Postgres planner off the HNSW index (a Parallel Seq Scan on PostgreSQL 15 + pgvector 0.8 at 200k rows,
 * while PGlite still chose the index), so ties are broken by id in the client over a few extra rows
 * (`PgvectorStore.search`), which keeps both the index and determinism.
 */
export function searchSql(spec: IndexSpec, exact: boolean): string {
  const sql = distanceSql[spec.distance];
  const distance = exact ? sql.exact('embedding', '$1') : `embedding ${sql.operator} $1`;
  return `SELECT id, doc_id, ${distance} AS distance FROM ${tableName(spec)} ORDER BY distance LIMIT $2`;
}

type AnnIndexOptions =
  | { readonly method: 'hnsw'; readonly m: number; readonly efConstruction: number }
  | { readonly method: 'ivfflat'; readonly lists: number };

/** `IF NOT EXISTS`: finishLoad() after a resumed ingest keeps the index built before. */
export function createIndexSql(spec: IndexSpec, index: AnnIndexOptions): string {
  const table = tableName(spec);
  const { opclass } = distanceSql[spec.distance];
  if (index.method === 'hnsw') {
    return (
      `CREATE INDEX IF NOT EXISTS ${table}_hnsw ON ${table} USING hnsw (embedding ${opclass}) ` +
      `WITH (m = ${index.m}, ef_construction = ${index.efConstruction})`
    );
  }
  return `CREATE INDEX IF NOT EXISTS ${table}_ivf ON ${table} USING ivfflat (embedding ${opclass}) WITH (lists = ${index.lists})`;
}

/**
 * pgvector's binary wire format (vector_recv): int16 dimensions, int16 unused, float4 × dimensions, all
 * big-endian. Sent as a binary-format parameter, the server skips float text parsing (≈18× faster on PGlite).
 */
export function encodeVector(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * vector.length);
  writeVector(new DataView(bytes.buffer), 0, vector);
  return bytes;
}

/** `encodeVector`'s bytes written at `offset` of `view` (which the caller sized); returns the offset after them. */
export function writeVector(view: DataView, offset: number, vector: Float32Array): number {
  view.setInt16(offset, vector.length);
  view.setInt16(offset + 2, 0);
  let at = offset + 4;
  for (let i = 0; i < vector.length; i++, at += 4) view.setFloat32(at, vector[i]!);
  return at;
}

/** `0.8.7` ≥ `0.8.0`: iterative index scans (which keep LIMIT k filled) arrived in pgvector 0.8.0. */
export function supportsIterativeScan(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 0 || minor >= 8;
}
