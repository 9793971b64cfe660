import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, ServiceError } from '../../shared/errors.js';
import { definePlugin } from '../../shared/plugin.js';
import { metadataPath, offsetOf, type ExistingHit, type ExistingIndex, type ExistingQuery, type IndexSnapshot } from '../existing-index.js';
import { createPgliteClient, createServerClient, type SqlClient } from './clients.js';
import { distanceSql, encodeVector } from './sql.js';
import { checkK, overFetch, scoreFromDistance } from '../vector-checks.js';
import { compareHits, type Approximation, type Distance } from '../vector-store.js';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'a SQL identifier: letters, digits, _ and $, not starting with a digit');
const filterValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]);

const options = z
  .strictObject({
    /** embedded: a PGlite data folder your code wrote; server: any Postgres with pgvector, URL from urlEnv. */
    mode: z.enum(['embedded', 'server']).default('embedded'),
    dataDir: z.string().min(1).optional(),
    urlEnv: z.string().min(1).default('DATABASE_URL'),
    connectTimeoutMs: z.int().min(100).default(10_000),
    maxConnections: z.int().min(1).max(100).default(2),
    /** `table` or `schema.table`; each part is quoted, so mixed case works as written. */
    table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/, 'table: name or schema.name'),
    columns: z
      .strictObject({
        id: identifier.default('id'),
        vector: identifier.default('embedding'),
        /** The chunk text (LangChain's PGVectorStore: `text` or `content`); located in the document for span metrics. */
        text: identifier.optional(),
        /** A column holding the document id… */
        docId: identifier.optional(),
        /** …or a jsonb metadata column with `docIdPath` (and optional `startPath`/`endPath`) inside it. */
        metadata: identifier.optional(),
        start: identifier.optional(),
        end: identifier.optional(),
      })
      .prefault({}),
    /** Key path in the metadata column, e.g. `source` or `doc.id`; sent as a text[] parameter. */
    docIdPath: z.string().min(1).optional(),
    startPath: z.string().min(1).optional(),
    endPath: z.string().min(1).optional(),
    /** The distance your index was built for (LangChain's default: cosine). */
    distance: z.enum(['cosine', 'dot', 'euclidean']).default('cosine'),
    /**
     * Restrict the rows searched: a WHERE fragment with `:name` placeholders and their values. Values travel as
     * bind parameters ($n), never spliced into the SQL text.
     */
    filter: z.strictObject({ where: z.string().min(1), params: z.record(z.string(), filterValue).default({}) }).optional(),
    /** Exact search (distance as a function call, no ANN index): the reference for parity checks. */
    exact: z.boolean().default(false),
    efSearch: z.int().min(1).max(1000).optional(),
    probes: z.int().min(1).max(32_768).optional(),
    /** Hash every row (id, doc id, text, vector) for the manifest's content fingerprint; off for huge tables. */
    checksum: z.boolean().default(true),
  })
  .superRefine((o, ctx) => {
    if (o.mode === 'embedded' && o.dataDir === undefined) ctx.addIssue({ code: 'custom', path: ['dataDir'], message: 'mode embedded reads a PGlite data folder: set dataDir' });
    if (o.mode === 'server' && o.dataDir !== undefined) ctx.addIssue({ code: 'custom', path: ['dataDir'], message: 'dataDir applies to mode: embedded only' });
    const docIdWays = [o.columns.docId, o.docIdPath].filter((v) => v !== undefined).length;
    if (docIdWays !== 1) ctx.addIssue({ code: 'custom', path: ['docIdPath'], message: 'give the document id as columns.docId or as docIdPath (with columns.metadata), one of them' });
    if ((o.docIdPath ?? o.startPath ?? o.endPath) !== undefined && o.columns.metadata === undefined) {
      ctx.addIssue({ code: 'custom', path: ['columns', 'metadata'], message: 'docIdPath/startPath/endPath read the jsonb column named by columns.metadata' });
    }
  });

type PgvectorExistingOptions = z.output<typeof options>;

/** An existing pgvector table (LangChain's PGVectorStore, your own schema), read in read-only transactions. */
export const pgvectorExisting = definePlugin({
  description: 'an existing pgvector table: PGlite data folder or server URL env; columns or jsonb paths map ids',
  options,
  async create(o, context): Promise<ExistingIndex> {
    const where = o.mode === 'server' ? `server from ${o.urlEnv}` : `PGlite ${o.dataDir}`;
    const client =
      o.mode === 'server'
        ? await createServerClient({ urlEnv: o.urlEnv, url: context.env.secret(o.urlEnv), connectTimeoutMs: o.connectTimeoutMs, maxConnections: o.maxConnections })
        : await createPgliteClient(resolve(o.dataDir!));
    try {
      const reader = new PgvectorReader(client, o, where);
      await reader.init();
      return reader;
    } catch (error) {
      await client.close();
      throw error;
    }
  },
});

/** Builds SQL with `$n` parameters: every value from config is a parameter. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const quote = (name: string) => `"${name}"`;

class PgvectorReader implements ExistingIndex {
  readonly embedsQueries = false;
  readonly model = undefined;
  dimensions: number | undefined;
  /** Set in init() when an HNSW/IVFFlat index on the vector column can serve the search (and `exact` is off). */
  approximation: Approximation | undefined;
  readonly #client: SqlClient;
  readonly #o: PgvectorExistingOptions;
  readonly #where: string;
  readonly #table: string;
  #closed: Promise<void> | undefined;

  constructor(client: SqlClient, o: PgvectorExistingOptions, where: string) {
    this.#client = client;
    this.#o = o;
    this.#where = where;
    this.#table = o.table.split('.').map(quote).join('.');
  }

  /** Checks pgvector and the table before anything else, then makes the session read-only. */
  async init(): Promise<void> {
    const [extension] = await this.#client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'vector'");
    if (!extension || extension.n === 0) {
      throw new ConfigError(`${this.#where} has no pgvector extension, so ${this.#o.table} cannot be a pgvector table`, { fix: 'point dataDir/urlEnv at the database your ingestion wrote' });
    }
    // A no-op when the extension exists (checked above); it registers the vector type for binary parameters.
    await this.#client.enableVectors();
    const [column] = await this.#read<{ type: string | null; found: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS found, (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a ' +
        'WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped) AS type',
      [this.#table, this.#o.columns.vector],
    );
    if (!column?.found) throw new ConfigError(`table ${this.#o.table} not found in ${this.#where}`, { fix: 'check table: (schema.name) and the database' });
    if (!column.type) throw new ConfigError(`table ${this.#o.table} has no column ${this.#o.columns.vector}`, { fix: 'set columns.vector to the embedding column' });
    const typed = /^vector\((\d+)\)$/.exec(column.type);
    if (typed) this.dimensions = Number(typed[1]);
    else if (column.type === 'vector') {
      const [row] = await this.#read<{ d: number }>(`SELECT vector_dims(${quote(this.#o.columns.vector)}) AS d FROM ${this.#table} LIMIT 1`);
      this.dimensions = row?.d;
    } else {
      throw new ConfigError(`column ${this.#o.columns.vector} of ${this.#o.table} is ${column.type}, not a pgvector vector`);
    }
    if (!this.#o.exact) this.approximation = await this.#annIndex();
  }

  /**
   * The table's HNSW/IVFFlat indexes on the vector column: when there is one, `search` may be served by it and is
   * approximate, so runs measure its recall against `searchExact` (the distance as a function call, which no index
   * serves). The planner might still choose a scan; the measurement then simply says 1.000.
   */
  async #annIndex(): Promise<Approximation | undefined> {
    const rows = await this.#read<{ name: string; method: string }>(
      'SELECT ic.relname AS name, am.amname AS method FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid ' +
        'JOIN pg_am am ON am.oid = ic.relam JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) ' +
        "WHERE i.indrelid = to_regclass($1) AND a.attname = $2 AND am.amname IN ('hnsw', 'ivfflat') ORDER BY ic.relname",
      [this.#table, this.#o.columns.vector],
    );
    if (rows.length === 0) return undefined;
    const hnsw = rows.some((row) => row.method === 'hnsw');
    const setting = hnsw ? `hnsw.ef_search ${this.#o.efSearch ?? 'server default'}` : `ivfflat.probes ${this.#o.probes ?? 'server default'}`;
    return {
      index: `existing pgvector ${rows.map((row) => `${row.method} ${row.name}`).join(', ')} on ${this.#o.table} (${setting})`,
      raise: hnsw ? 'efSearch' : 'probes',
      exactly: 'exact: true',
    };
  }

  search(query: ExistingQuery, k: number, signal?: AbortSignal): Promise<ExistingHit[]> {
    return this.#search(query, k, this.#o.exact, signal);
  }

  searchExact(query: ExistingQuery, k: number, signal?: AbortSignal): Promise<ExistingHit[]> {
    return this.#search(query, k, true, signal);
  }

  async #search(query: ExistingQuery, k: number, exact: boolean, signal?: AbortSignal): Promise<ExistingHit[]> {
    checkK(k);
    if (k === 0) return [];
    if (!query.vector) throw new Error('pgvector existing index: a query vector is required');
    signal?.throwIfAborted();
    const params = new Params();
    const vector = params.add(encodeVector(query.vector));
    const sql = distanceSql[this.#o.distance as Distance];
    const column = quote(this.#o.columns.vector);
    const distance = exact ? sql.exact(column, vector) : `${column} ${sql.operator} ${vector}`;
    const select = this.#columns(params);
    const limit = params.add(overFetch(k));
    const rows = await this.#read<SearchRow>(
      `SELECT ${select}, ${distance} AS distance FROM ${this.#table}${this.#filter(params)} ORDER BY distance LIMIT ${limit}`,
      params.values,
      this.#annSettings(k),
    );
    // Ties at the cut are broken by id here, not in SQL, so an ANN index still serves the ORDER BY.
    const hits = rows.map((row) => ({
      ref: row.ref,
      docId: this.#docIdOf(row),
      ...(row.text === null ? {} : { text: row.text }),
      ...optionalOffsets(row),
      score: scoreFromDistance(this.#o.distance, Number(row.distance)),
      id: row.ref,
    }));
    return hits.sort(compareHits).slice(0, k).map(({ id: _id, ...hit }) => hit);
  }

  async snapshot(signal?: AbortSignal): Promise<IndexSnapshot> {
    signal?.throwIfAborted();
    const params = new Params();
    const select = this.#columns(params);
    const inner = `SELECT ${select}, ${quote(this.#o.columns.vector)}::text AS vec FROM ${this.#table}${this.#filter(params)}`;
    const checksum = this.#o.checksum
      ? `, md5(coalesce(string_agg(md5(concat_ws(chr(31), ref, doc_id, text, vec)), '' ORDER BY ref), '')) AS checksum`
      : '';
    const [row] = await this.#read<{ n: number; checksum?: string }>(`SELECT count(*)::int AS n${checksum} FROM (${inner}) AS t`, params.values);
    return { count: row!.n, ...(row?.checksum ? { checksum: row.checksum } : {}) };
  }

  describe(): Record<string, unknown> {
    const o = this.#o;
    return {
      store: 'pgvector',
      ...(o.mode === 'server' ? { urlEnv: o.urlEnv } : { dataDir: o.dataDir }),
      table: o.table,
      distance: o.distance,
      dimensions: this.dimensions,
      ...(o.filter ? { filter: o.filter } : {}),
    };
  }

  close(): Promise<void> {
    this.#closed ??= this.#client.close();
    return this.#closed;
  }

  /** id, doc id, text and offsets as `ref, doc_id, text, start_offset, end_offset`. */
  #columns(params: Params): string {
    const { columns, docIdPath, startPath, endPath } = this.#o;
    const fromMetadata = (path: string) => `(${quote(columns.metadata!)} #>> ${params.add(metadataPath(path))}::text[])`;
    const docId = columns.docId ? `${quote(columns.docId)}::text` : fromMetadata(docIdPath!);
    const text = columns.text ? `${quote(columns.text)}::text` : 'NULL::text';
    const start = columns.start ? `${quote(columns.start)}::text` : startPath ? fromMetadata(startPath) : 'NULL::text';
    const end = columns.end ? `${quote(columns.end)}::text` : endPath ? fromMetadata(endPath) : 'NULL::text';
    return `${quote(columns.id)}::text AS ref, ${docId} AS doc_id, ${text} AS text, ${start} AS start_offset, ${end} AS end_offset`;
  }

  /** `:name` placeholders → bind parameters; `::casts` are left alone. */
  #filter(params: Params): string {
    const filter = this.#o.filter;
    if (!filter) return '';
    const where = filter.where.replace(/(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
      if (!Object.hasOwn(filter.params, name)) {
        throw new ConfigError(`filter.where uses :${name}, which is not in filter.params`, { fix: `add ${name}: <value> under filter.params` });
      }
      return params.add(filter.params[name]);
    });
    return ` WHERE (${where})`;
  }

  /** A row without a document id means the mapping is wrong (every row would be): refuse, do not guess. */
  #docIdOf(row: SearchRow): string {
    if (row.doc_id !== null && row.doc_id.trim() !== '') return row.doc_id;
    const where = this.#o.columns.docId ? `column ${this.#o.columns.docId}` : `${this.#o.columns.metadata} path ${this.#o.docIdPath}`;
    throw new ConfigError(`row ${row.ref} of ${this.#o.table} has no document id at ${where}`, { fix: 'point columns.docId or docIdPath at the field holding the corpus document id' });
  }

  #annSettings(k: number): Record<string, string> {
    const { efSearch, probes } = this.#o;
    return {
      ...(efSearch !== undefined ? { 'hnsw.ef_search': String(Math.min(1000, Math.max(efSearch, k))) } : {}),
      ...(probes !== undefined ? { 'ivfflat.probes': String(probes) } : {}),
    };
  }

  /**
   * Every statement runs read-only: the session default (PGlite's one session) and the transaction itself (a
   * pooled server connection, where settings are transaction-local). A filter that tried to write would fail.
   */
  async #read<Row>(sql: string, params: readonly unknown[] = [], settings: Record<string, string> = {}): Promise<Row[]> {
    try {
      return await this.#client.queryWith<Row>({ default_transaction_read_only: 'on', transaction_read_only: 'on', ...settings }, sql, params);
    } catch (error) {
      if (error instanceof ServiceError && /SQLSTATE (42703|42883|42P01|22P02|42601)/.test(error.message)) {
        throw new ConfigError(`${this.#o.table} in ${this.#where}: ${error.message}`, { fix: 'check columns, docIdPath and filter against the table', cause: error });
      }
      throw error;
    }
  }
}

interface SearchRow {
  readonly ref: string;
  readonly doc_id: string | null;
  readonly text: string | null;
  readonly start_offset: string | null;
  readonly end_offset: string | null;
  readonly distance: number | string;
}

function optionalOffsets(row: SearchRow): { start?: number; end?: number } {
  const start = offsetOf(row.start_offset);
  const end = offsetOf(row.end_offset);
  return start !== undefined && end !== undefined ? { start, end } : {};
}
