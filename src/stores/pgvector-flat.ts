import { MemoryStore } from './memory.js';
import type { SqlClient } from './pgvector-clients.js';
import { tableName } from './pgvector-sql.js';
import type { IndexSpec } from './vector-store.js';

/**
 * Exact search for embedded pgvector, done in process. Measured at 50,000 × 384 dimensions on this shared
 * 2-core machine (bench/exact-search.mjs, load average 8–12, so ±50% between runs): pgvector's sequential scan
 * inside PGlite (WASM, no SIMD; query vector sent in binary) took 58–340 ms a query, a flat scan over the same
 * vectors in one Float32Array 48–205 ms, typically about 2× faster; scoring a batch of queries per pass over the
 * rows did not help further in JS. Copying the vectors out of PGlite with binary COPY costs 0.5–2 s per 50,000
 * once (paged reads of `vector_send` as bytea took 7.9 s). So exact search copies the table into a MemoryStore
 * (float64 scoring, the reference the contract suite checks every store against) and scans there, within
 * `flatScanMaxMb`; the copy is dropped whenever the table changes.
 */

/** Rows per binary COPY page: ≈32 MB of 384-dimension vectors, so the copy never holds the whole table twice. */
const defaultPageRows = 20_000;

export async function loadFlatCopy(
  client: Required<Pick<SqlClient, 'copyBinary'>>,
  spec: IndexSpec,
  signal?: AbortSignal,
  pageRows = defaultPageRows,
): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.open(spec);
  let after: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    // COPY takes no parameters: the last id is inlined as a quoted literal (quotes doubled).
    const where = after === undefined ? '' : `WHERE id > '${after.replaceAll("'", "''")}' `;
    const bytes = await client.copyBinary(
      `COPY (SELECT id, doc_id, embedding FROM ${tableName(spec)} ${where}ORDER BY id LIMIT ${pageRows}) TO '/dev/blob' WITH (FORMAT binary)`,
    );
    const records = parseCopyRows(bytes, spec.dimensions);
    if (records.length === 0) return store;
    await store.upsert(records);
    after = records.at(-1)!.id;
    if (records.length < pageRows) return store;
  }
}

const signature = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const decoder = new TextDecoder();

/** Postgres binary COPY of (text, text, vector): a header, then per tuple int16 fields, int32 length + bytes each. */
export function parseCopyRows(bytes: Uint8Array, dimensions: number): { id: string; docId: string; vector: Float32Array }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (signature.some((byte, i) => bytes[i] !== byte)) throw new Error('binary COPY: unexpected signature');
  let at = signature.length + 4;
  at += 4 + view.getInt32(at); // header extension area
  const rows: { id: string; docId: string; vector: Float32Array }[] = [];
  const field = () => {
    const length = view.getInt32(at);
    if (length < 0) throw new Error('binary COPY: unexpected NULL');
    const start = at + 4;
    at = start + length;
    return bytes.subarray(start, start + length);
  };
  for (;;) {
    const fields = view.getInt16(at);
    at += 2;
    if (fields === -1) return rows;
    if (fields !== 3) throw new Error(`binary COPY: expected 3 fields, got ${fields}`);
    const id = decoder.decode(field());
    const docId = decoder.decode(field());
    const raw = field();
    const vectorView = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    // pgvector's vector_send: int16 dimensions, int16 unused, then big-endian float4s.
    if (vectorView.getInt16(0) !== dimensions) throw new Error(`binary COPY: vector of ${vectorView.getInt16(0)} dimensions, expected ${dimensions}`);
    const vector = new Float32Array(dimensions);
    for (let i = 0; i < dimensions; i++) vector[i] = vectorView.getFloat32(4 + 4 * i);
    rows.push({ id, docId, vector });
  }
}
