import { ExactScan, vectorNorm, type RowBlock } from '../exact-scan.js';
import type { SqlClient } from './clients.js';
import { tableName } from './sql.js';
import type { Hit, IndexSpec, ShareProgress } from '../vector-store.js';

/**
 * Exact search for embedded pgvector, done in process as one streamed pass over the table per batch of queries:
 * the vectors come out of PGlite in pages of binary COPY (`ORDER BY id`, ≈32 MB each by default), every query of
 * the batch is scored against a page (exact-scan.ts: float64, the memory store's arithmetic, so the contract suite
 * checks both against one reference), and the page is dropped before the next is read. Memory stays bounded by
 * one page whatever the table's size; nothing is kept between searches, so there is no copy to go stale.
 *
 * Why in process: with 200 queries per pass it took 33 ms a query at 50,000 × 384 dimensions against 72 ms for
 * pgvector's sequential scan inside PGlite (WASM, no SIMD; bench/exact-search.mjs, load average 8). Why streamed:
 * the earlier whole-table copy cost 4 bytes × dimensions per row for the rest of the run (about 560 MB at 222,173
 * chunks with its growth), the biggest share of the 1.8 GB peak at 100,000 documents. Why whole batches: COPY out
 * of PGlite costs ≈18 µs a row (4 s for 222k rows; decoding 0.5 s more), far more than PGlite's own scan of a row,
 * so a pass pays only when it carries many queries: the dense retriever hands the store all of a run's queries at
 * once (`searchBatchSize`) instead of one pass per 64. A lone `search` is a whole pass too (≈0.9 s at 50,000 rows,
 * where SQL takes 72 ms); it stays on this path so that it returns exactly what `searchBatch` returns for it.
 */

/** Rows per COPY page so that a page of vectors takes about `pageMb` (4 bytes a dimension). */
export function pageRowsFor(pageMb: number, dimensions: number): number {
  return Math.max(1, Math.floor((pageMb * 1024 * 1024) / (4 * dimensions)));
}

export async function scanTable(
  client: Required<Pick<SqlClient, 'copyBinary'>>,
  spec: IndexSpec,
  queries: readonly Float32Array[],
  k: number,
  options: { readonly pageRows: number; readonly signal?: AbortSignal; readonly progress?: { readonly onProgress: ShareProgress; readonly rows: number } },
): Promise<Hit[][]> {
  const { pageRows, signal, progress } = options;
  let scanned = 0;
  const scan = new ExactScan(queries, k, spec.distance, spec.dimensions);
  // One buffer for every page of the pass: pages are decoded into it in turn.
  const page = { data: new Float32Array(pageRows * spec.dimensions), norms: new Float64Array(pageRows) };
  let after: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    // COPY takes no parameters: the last id is inlined as a quoted literal (quotes doubled).
    const where = after === undefined ? '' : `WHERE id > '${after.replaceAll("'", "''")}' `;
    const bytes = await client.copyBinary(
      `COPY (SELECT id, doc_id, embedding FROM ${tableName(spec)} ${where}ORDER BY id LIMIT ${pageRows}) TO '/dev/blob' WITH (FORMAT binary)`,
    );
    const block = parseCopyRows(bytes, spec.dimensions, page);
    scan.add(block, signal);
    scanned += block.rows;
    if (progress && progress.rows > 0) progress.onProgress(Math.min(1, scanned / progress.rows));
    // PGlite answers without a macrotask turn: without this a whole pass would hold off timers and signal handlers
    // (progress, Ctrl-C) until it ends.
    await new Promise((resolve) => setImmediate(resolve));
    if (block.rows < pageRows) return scan.results();
    after = block.ids[block.rows - 1];
  }
}

const signature = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const decoder = new TextDecoder();

/**
 * Postgres binary COPY of (text, text, vector): a header, then per tuple int16 fields, int32 length + bytes each.
 * Vectors are decoded into `into` (which must hold every row of the page), norms by vectorNorm, as the memory store does.
 */
function parseCopyRows(bytes: Uint8Array, dimensions: number, into?: { data: Float32Array; norms: Float64Array }): RowBlock {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (signature.some((byte, i) => bytes[i] !== byte)) throw new Error('binary COPY: unexpected signature');
  let at = signature.length + 4;
  at += 4 + view.getInt32(at); // header extension area
  const ids: string[] = [];
  const docIds: string[] = [];
  let data = into?.data ?? new Float32Array(0);
  let norms = into?.norms ?? new Float64Array(0);
  const field = () => {
    const length = view.getInt32(at);
    if (length < 0) throw new Error('binary COPY: unexpected NULL');
    const start = at;
    at += 4 + length;
    return start + 4;
  };
  for (let row = 0; ; row++) {
    const fields = view.getInt16(at);
    at += 2;
    if (fields === -1) return { rows: row, data, norms, ids, docIds };
    if (fields !== 3) throw new Error(`binary COPY: expected 3 fields, got ${fields}`);
    let start = field();
    ids.push(decoder.decode(bytes.subarray(start, at)));
    start = field();
    docIds.push(decoder.decode(bytes.subarray(start, at)));
    start = field();
    // pgvector's vector_send: int16 dimensions, int16 unused, then big-endian float4s.
    const stored = view.getInt16(start);
    if (stored !== dimensions) throw new Error(`binary COPY: vector of ${stored} dimensions, expected ${dimensions}`);
    if ((row + 1) * dimensions > data.length) {
      // Only without `into` (or a page larger than promised): grow by doubling.
      const grown = new Float32Array(Math.max((row + 1) * dimensions, data.length * 2));
      grown.set(data);
      data = grown;
      const grownNorms = new Float64Array(grown.length / dimensions);
      grownNorms.set(norms);
      norms = grownNorms;
    }
    const offset = row * dimensions;
    for (let i = 0; i < dimensions; i++) data[offset + i] = view.getFloat32(start + 4 + 4 * i);
    norms[row] = vectorNorm(data, offset, dimensions);
  }
}
