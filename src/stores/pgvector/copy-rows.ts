import { chunkArray } from '../../shared/batches.js';
import { storedMetadata, storedText, writeVector } from './sql.js';

/**
 * Postgres binary COPY rows for `(id text, doc_id text, embedding vector, text text, metadata jsonb)`: the PGCOPY
 * signature, flags and header extension, then per row an int16 field count and int32-length fields (-1 for NULL),
 * then an int16 -1 trailer. The values are the very ones the INSERT path sends (`upsertParams`: `storedText`,
 * `storedMetadata`, `encodeVector`'s bytes), so both paths store the same rows.
 *
 * Two passes over the rows, sizes then bytes, straight into one buffer: no per-field arrays (the ingest's main
 * thread spent more on collecting their garbage than on encoding).
 */
type CopyRecord = { id: string; docId: string; vector: Float32Array; text?: string; metadata?: unknown };

/** Rows per piece of `binaryCopyPieces`: about half a megabyte at 384 dimensions. */
const rowsPerPiece = 256;

/**
 * The same COPY data as `binaryCopyRows(records)`, in pieces of `rowsPerPiece` rows (the first with the header,
 * the last with the trailer), each encoded when it is asked for; iterable any number of times.
 */
export function binaryCopyPieces(records: readonly CopyRecord[]): Iterable<Uint8Array> {
  return {
    *[Symbol.iterator]() {
      if (records.length === 0) {
        yield binaryCopyRows(records);
        return;
      }
      const pieces = chunkArray(records, rowsPerPiece);
      for (let i = 0; i < pieces.length; i++) yield binaryCopyRows(pieces[i]!, { header: i === 0, trailer: i === pieces.length - 1 });
    },
  };
}

export function binaryCopyRows(records: readonly CopyRecord[], parts: { header?: boolean; trailer?: boolean } = {}): Uint8Array {
  const header = parts.header ?? true;
  const trailer = parts.trailer ?? true;
  const texts: (string | null)[] = new Array(records.length);
  const metadata: (string | null)[] = new Array(records.length);
  let size = (header ? signature.length + 8 : 0) + (trailer ? 2 : 0);
  for (let r = 0; r < records.length; r++) {
    const record = records[r]!;
    const text = storedText(record.text);
    const json = storedMetadata(record.metadata);
    texts[r] = text;
    metadata[r] = json;
    size += 2 + 5 * 4;
    size += Buffer.byteLength(record.id, 'utf8') + Buffer.byteLength(record.docId, 'utf8') + 4 + 4 * record.vector.length;
    if (text !== null) size += Buffer.byteLength(text, 'utf8');
    // jsonb's binary format: version byte 1, then the JSON text (jsonb_recv parses it as the ::jsonb cast does).
    if (json !== null) size += 1 + Buffer.byteLength(json, 'utf8');
  }
  const bytes = Buffer.allocUnsafe(size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  if (header) {
    bytes.set(signature, 0);
    at = signature.length;
    at = bytes.writeInt32BE(0, at); // flags: no OIDs
    at = bytes.writeInt32BE(0, at); // header extension length
  }
  /** An int32 length, then the string's UTF-8 (as TextEncoder: a lone surrogate becomes U+FFFD). */
  const string = (value: string, prefix?: number) => {
    const start = at + 4;
    let end = start;
    if (prefix !== undefined) bytes[end++] = prefix;
    end += bytes.write(value, end, 'utf8');
    bytes.writeInt32BE(end - start, at);
    at = end;
  };
  for (let r = 0; r < records.length; r++) {
    const record = records[r]!;
    at = bytes.writeInt16BE(5, at);
    string(record.id);
    string(record.docId);
    at = bytes.writeInt32BE(4 + 4 * record.vector.length, at);
    at = writeVector(view, at, record.vector);
    const text = texts[r];
    if (text == null) at = bytes.writeInt32BE(-1, at);
    else string(text);
    const json = metadata[r];
    if (json == null) at = bytes.writeInt32BE(-1, at);
    else string(json, 1);
  }
  if (trailer) at = bytes.writeInt16BE(-1, at);
  if (at !== size) throw new Error(`binary COPY rows: wrote ${at} bytes, sized ${size}`);
  return bytes;
}

/** `PGCOPY\n\377\r\n\0`. */
const signature = new Uint8Array([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
