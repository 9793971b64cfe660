import { describe, expect, it } from 'vitest';
import { binaryCopyPieces, binaryCopyRows } from '../../../../src/stores/pgvector/copy-rows.js';

type Row = { id: string; docId: string; vector: Float32Array; text?: string; metadata?: unknown };

/** PGCOPY written field by field, the plainest way (as Postgres's docs lay it out), to check the encoder against. */
function reference(rows: readonly Row[]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  const field = (bytes: Buffer | null) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(bytes === null ? -1 : bytes.length);
    parts.push(length, ...(bytes === null ? [] : [bytes]));
  };
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(5);
    parts.push(count);
    field(Buffer.from(row.id, 'utf8'));
    field(Buffer.from(row.docId, 'utf8'));
    const vector = Buffer.alloc(4 + 4 * row.vector.length);
    vector.writeInt16BE(row.vector.length, 0);
    row.vector.forEach((value, i) => vector.writeFloatBE(value, 4 + 4 * i));
    field(vector);
    field(row.text === undefined ? null : Buffer.from(row.text.replaceAll('\0', '\uFFFD'), 'utf8'));
    field(row.metadata === undefined ? null : Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(row.metadata), 'utf8')]));
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  parts.push(trailer);
  return Buffer.concat(parts);
}

const rows = (n: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `doc-é${i}#${i}`,
    docId: `doc-é${i}`,
    vector: Float32Array.from({ length: 5 }, (_, d) => Math.sin(i + d) * (d === 4 ? -1e-30 : 1)),
    // NUL (stored as U+FFFD), a lone surrogate (UTF-8's replacement), an astral character.
    ...(i % 7 === 3 ? {} : { text: `text ${i} \0 \ud800 𝔸 ${'x'.repeat(i % 11)}` }),
    ...(i % 5 === 2 ? {} : { metadata: { start: i, end: i + 10, note: 'ü"\\' } }),
  }));

describe('binary COPY rows', () => {
  it.for([0, 1, 2, 255, 256, 257, 600])('%i rows: one buffer and the pieces (header first, trailer last) equal the reference bytes', (n) => {
    const expected = reference(rows(n));
    expect(Buffer.from(binaryCopyRows(rows(n))).equals(expected)).toBe(true);
    const pieces = [...binaryCopyPieces(rows(n))];
    expect(pieces).toHaveLength(Math.max(1, Math.ceil(n / 256)));
    expect(Buffer.concat(pieces).equals(expected)).toBe(true);
    // Iterable again (a COPY that met a present id is sent again, merged): the same bytes the second time.
    expect(Buffer.concat([...binaryCopyPieces(rows(n))]).equals(expected)).toBe(true);
  });
});
