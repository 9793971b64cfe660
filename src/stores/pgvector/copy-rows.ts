import { upsertParams } from './sql.js';

/**
 * Postgres binary COPY rows for `(id text, doc_id text, embedding vector, text text, metadata jsonb)`: the PGCOPY
 * signature, flags and header extension, then per row an int16 field count and int32-length fields (-1 for NULL),
 * then an int16 -1 trailer. The values are the very ones the INSERT path sends (`upsertParams`: the same NUL
 * replacement, the same JSON text, vector_recv's bytes), so both paths store the same rows.
 */
export function binaryCopyRows(
  records: readonly { id: string; docId: string; vector: Float32Array; text?: string; metadata?: unknown }[],
): Uint8Array {
  const encoder = new TextEncoder();
  const rows: (Uint8Array | null)[][] = [];
  let size = signature.length + 8 + 2;
  for (const record of records) {
    const [id, docId, vector, text, metadata] = upsertParams(record) as [string, string, Uint8Array, string | null, string | null];
    const fields = [
      encoder.encode(id),
      encoder.encode(docId),
      vector,
      text === null ? null : encoder.encode(text),
      // jsonb's binary format: version byte 1, then the JSON text (jsonb_recv parses it as the ::jsonb cast does).
      metadata === null ? null : jsonbBytes(encoder.encode(metadata)),
    ];
    size += 2 + fields.reduce((sum, field) => sum + 4 + (field?.length ?? 0), 0);
    rows.push(fields);
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(signature, 0);
  // flags (int32 0: no OIDs) and header extension length (int32 0) are already zero.
  let at = signature.length + 8;
  for (const fields of rows) {
    view.setInt16(at, fields.length);
    at += 2;
    for (const field of fields) {
      view.setInt32(at, field === null ? -1 : field.length);
      at += 4;
      if (field !== null) {
        bytes.set(field, at);
        at += field.length;
      }
    }
  }
  view.setInt16(at, -1);
  return bytes;
}

/** `PGCOPY\n\377\r\n\0`. */
const signature = new Uint8Array([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);

function jsonbBytes(json: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(1 + json.length);
  bytes[0] = 1;
  bytes.set(json, 1);
  return bytes;
}
