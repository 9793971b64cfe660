// Shared by the Postgres benches: a PGlite socket server, binary COPY rows, medians.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** An in-memory PGlite with pgvector behind pglite-socket on a free port; `fn(url)`, then everything is closed. */
export async function withSocketServer(fn) {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  const url = `postgres://postgres@127.0.0.1:${server.getServerConn().split(':').at(-1)}/postgres`;
  try {
    return await fn(url);
  } finally {
    await server.stop();
    await db.close();
  }
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * `--smoke`: every bench runs its own code path on small data in seconds (what .ci/run runs, so no bench rots); its
 * numbers mean nothing. Positional arguments are the others.
 */
export const smoke = process.argv.includes('--smoke');
export const positional = process.argv.slice(2).filter((arg) => arg !== '--smoke');

/** `--name value` from argv, else the environment variable, else undefined. */
export function argOrEnv(name, envName) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : process.env[envName] || undefined;
}

const encoder = new TextEncoder();

/**
 * Postgres binary COPY rows (PGCOPY header, int16 field count, int32-length fields, -1 trailer) for
 * (id text, doc_id text, embedding vector, text text, metadata jsonb): vector in vector_recv's format
 * (int16 dimensions, int16 0, big-endian float4s), jsonb as version byte 1 + JSON text.
 */
export function binaryCopyBuffer(rows) {
  const parts = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const row of rows) {
    const fields = [
      encoder.encode(row.id),
      encoder.encode(row.docId),
      vectorBytes(row.vector),
      encoder.encode(row.text),
      Buffer.concat([Buffer.from([1]), encoder.encode(JSON.stringify(row.metadata))]),
    ];
    const head = Buffer.alloc(2);
    head.writeInt16BE(fields.length);
    parts.push(head);
    for (const field of fields) {
      const length = Buffer.alloc(4);
      length.writeInt32BE(field.length);
      parts.push(length, field);
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  parts.push(trailer);
  return Buffer.concat(parts);
}

function vectorBytes(vector) {
  const bytes = Buffer.alloc(4 + 4 * vector.length);
  bytes.writeInt16BE(vector.length, 0);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatBE(vector[i], 4 + 4 * i);
  return bytes;
}
