import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { DimensionError } from '../shared/errors.js';
import { writeFileAtomic } from '../shared/files/write-atomic.js';
import { hashText } from '../shared/hash.js';
import { redactUrlsInText } from '../shared/redact-url.js';
import type { EmbedRole, Embedder } from './embedder.js';

interface EmbeddingCacheOptions {
  /** Cache root, conventionally `<workDir>/cache/embeddings` (see `embeddingCacheDir`). */
  readonly dir: string;
  /** Told when records fail their checksum (they are recomputed); default: silent. */
  readonly warn?: (message: string) => void;
}

interface EmbeddingCacheStats {
  /** Texts answered from the cache. */
  readonly hits: number;
  /** Texts sent to the inner embedder. */
  readonly misses: number;
  /** Stored records dropped because their checksum did not match (damaged on disk); their texts are recomputed. */
  readonly corrupt: number;
}

interface CachedEmbedder extends Embedder {
  readonly stats: EmbeddingCacheStats;
  /** The folder this embedder's entries live in: `<dir>/<hash of the inner fingerprint>`. */
  readonly path: string;
}

export function embeddingCacheDir(workDir: string): string {
  return join(workDir, 'cache', 'embeddings');
}

/** 128 bits of sha256: collisions are out of reach for any corpus, and records stay small. */
const KEY_BYTES = 16;
/** CRC-32 of key and vector bytes, after the vector: catches bytes changed on disk (issue 11). */
const CHECKSUM_BYTES = 4;
/** v2 records carry a checksum; `vectors.bin` (v1, none) is left alone and its entries are recomputed. */
const VECTORS_FILE = 'vectors-v2.bin';

/** Records read and checked per read while loading: bounded memory at any cache size (≈6 MB at 384 dimensions). */
const LOAD_RECORDS = 4096;

/**
 * Wraps an embedder with an on-disk content-hash cache so re-runs and resumes don't pay twice. Only misses reach
 * the inner embedder (each distinct text once per call). Entries live under one folder per inner fingerprint, so
 * embedders whose vectors are not comparable never share them; the fingerprint stays the inner one.
 *
 * Storage: `vectors-v2.bin`, append-only records of [16-byte key = sha256(role NUL text)][float32 × dimensions,
 * little-endian][CRC-32 of the two, uint32 LE], plus `meta.json` naming the fingerprint (URLs redacted) for people.
 * A record whose checksum fails is dropped with a warning, so its text is embedded again instead of returning
 * damaged vectors. On first use the file is read once, in slices, to check every record and index it (key →
 * record number); vectors stay on disk and hits are read back per call, their key and checksum checked again, so
 * memory is ≈60 bytes per entry, not 4 × dimensions (the vectors of 222k chunks took 341 MB when they were kept).
 * The misses of each call are appended before it returns, so an interrupted run keeps every call it finished. A
 * truncated last record (a crash mid-write) is ignored and cut off before the next append.
 */
export function withEmbeddingCache(embedder: Embedder, options: EmbeddingCacheOptions): CachedEmbedder {
  const path = join(options.dir, hashText(embedder.fingerprint, 32));
  const file = join(path, VECTORS_FILE);
  const vectorBytes = embedder.dimensions * 4;
  const recordBytes = KEY_BYTES + vectorBytes + CHECKSUM_BYTES;
  /** Key (base64) → record number in the file; `records` is how many whole records the file holds. */
  let entries: Promise<{ keys: Map<string, number>; records: number }> | undefined;
  // Appends are chained so concurrent calls never interleave bytes within the file.
  let writes: Promise<void> = Promise.resolve();
  let hits = 0;
  let misses = 0;
  let corrupt = 0;

  const valid = (bytes: Buffer, offset: number) =>
    crc32(bytes.subarray(offset, offset + KEY_BYTES + vectorBytes)) === bytes.readUInt32LE(offset + KEY_BYTES + vectorBytes);

  /** The whole records of `from` in order, a slice at a time (one buffer, reused): bytes, records in it, first record number. */
  async function* slices(from: FileHandle, whole: number): AsyncGenerator<{ bytes: Buffer; count: number; first: number }> {
    const bytes = Buffer.allocUnsafe(LOAD_RECORDS * recordBytes);
    for (let first = 0; first < whole; first += LOAD_RECORDS) {
      const count = Math.min(LOAD_RECORDS, whole - first);
      const { bytesRead } = await from.read(bytes, 0, count * recordBytes, first * recordBytes);
      if (bytesRead !== count * recordBytes) throw new Error(`embedding cache ${file}: short read`);
      yield { bytes, count, first };
    }
  }

  async function load(): Promise<{ keys: Map<string, number>; records: number }> {
    await mkdir(path, { recursive: true });
    const meta = { fingerprint: redactUrlsInText(embedder.fingerprint), dimensions: embedder.dimensions };
    await writeFile(join(path, 'meta.json'), `${JSON.stringify(meta)}\n`);
    const keys = new Map<string, number>();
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { keys, records: 0 };
      throw error;
    }
    let whole: number;
    let size: number;
    const damaged = new Set<number>();
    try {
      size = (await handle.stat()).size;
      whole = Math.floor(size / recordBytes);
      for await (const { bytes, count, first } of slices(handle, whole)) {
        for (let r = 0; r < count; r++) {
          const offset = r * recordBytes;
          if (valid(bytes, offset)) keys.set(bytes.toString('base64', offset, offset + KEY_BYTES), first + r);
          else damaged.add(first + r);
        }
      }
      if (damaged.size > 0) {
        corrupt += damaged.size;
        options.warn?.(`embedding cache ${file}: ${damaged.size} record(s) failed their checksum and will be recomputed`);
        // Rewritten without them, so the warning is given once, not on every later run.
        keys.clear();
        let kept = 0;
        const keptRecords = async function* (): AsyncGenerator<Buffer> {
          for await (const { bytes, count, first } of slices(handle, whole)) {
            const keep: Buffer[] = [];
            for (let r = 0; r < count; r++) {
              if (damaged.has(first + r)) continue;
              const offset = r * recordBytes;
              keep.push(bytes.subarray(offset, offset + recordBytes));
              keys.set(bytes.toString('base64', offset, offset + KEY_BYTES), kept++);
            }
            yield Buffer.concat(keep); // a copy: the slice buffer is reused for the next one
          }
        };
        await writeFileAtomic(file, keptRecords());
        return { keys, records: whole - damaged.size };
      }
    } finally {
      await handle.close();
    }
    // Appending after a partial record would misalign every record after it.
    if (whole * recordBytes !== size) await truncate(file, whole * recordBytes);
    return { keys, records: whole };
  }

  /** The stored vectors of `wanted` (record numbers); a record whose key or checksum no longer matches is undefined. */
  async function read(wanted: readonly { key: Buffer; record: number }[]): Promise<(Float32Array | undefined)[]> {
    if (wanted.length === 0) return [];
    const handle = await open(file, 'r');
    try {
      const bytes = Buffer.allocUnsafe(recordBytes);
      const vectors: (Float32Array | undefined)[] = [];
      for (const { key, record } of wanted) {
        const { bytesRead } = await handle.read(bytes, 0, recordBytes, record * recordBytes);
        if (bytesRead !== recordBytes || !valid(bytes, 0) || bytes.compare(key, 0, KEY_BYTES, 0, KEY_BYTES) !== 0) {
          vectors.push(undefined);
          continue;
        }
        const vector = new Float32Array(embedder.dimensions);
        new Uint8Array(vector.buffer).set(bytes.subarray(KEY_BYTES, KEY_BYTES + vectorBytes));
        vectors.push(vector);
      }
      return vectors;
    } finally {
      await handle.close();
    }
  }

  async function append(records: readonly { key: Buffer; vector: Float32Array }[]): Promise<void> {
    const buffer = Buffer.allocUnsafe(records.length * recordBytes);
    records.forEach(({ key, vector }, r) => {
      const offset = r * recordBytes;
      key.copy(buffer, offset, 0, KEY_BYTES);
      Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(buffer, offset + KEY_BYTES);
      const checksum = crc32(buffer.subarray(offset, offset + KEY_BYTES + vectorBytes));
      buffer.writeUInt32LE(checksum, offset + KEY_BYTES + vectorBytes);
    });
    // One write per call: a crash can only cut the last record, which load() tolerates.
    await appendFile(file, buffer);
  }

  return {
    fingerprint: embedder.fingerprint,
    dimensions: embedder.dimensions,
    maxBatchSize: embedder.maxBatchSize,
    ...(embedder.concurrency !== undefined ? { concurrency: embedder.concurrency } : {}),
    ...(embedder.local !== undefined ? { local: embedder.local } : {}),
    path,
    get stats() {
      return { hits, misses, corrupt };
    },
    async embed(texts, role, signal) {
      entries ??= load().catch((error: unknown) => {
        entries = undefined;
        throw error;
      });
      const index = await entries;
      const vectors = new Array<Float32Array>(texts.length);
      const keys = texts.map((text) => cacheKey(role, text));
      const stored = keys.flatMap((key, i) => {
        const record = index.keys.get(key.toString('base64'));
        return record === undefined ? [] : [{ key, record, i }];
      });
      // Each read is a fresh array, so a caller that normalises in place cannot change the cache.
      const found = await read(stored);
      stored.forEach(({ i }, j) => {
        const vector = found[j];
        if (vector) vectors[i] = vector;
        else corrupt++; // changed on disk since it was loaded: embedded again below
      });
      // Distinct missing keys → the positions that need them, so a text repeated in one call is embedded once.
      const missing = new Map<string, { key: Buffer; text: string; positions: number[] }>();
      texts.forEach((text, i) => {
        if (vectors[i]) {
          hits++;
          return;
        }
        misses++;
        const id = keys[i]!.toString('base64');
        const entry = missing.get(id);
        if (entry) entry.positions.push(i);
        else missing.set(id, { key: keys[i]!, text, positions: [i] });
      });
      if (missing.size === 0) return vectors;

      const pending = [...missing.entries()];
      const fresh = await embedder.embed(pending.map(([, entry]) => entry.text), role, signal);
      if (fresh.length !== pending.length) {
        throw new DimensionError(`inner embedder returned ${fresh.length} vectors for ${pending.length} texts`);
      }
      // A wrong length would misalign every later record in the file, so nothing is stored unless all fit.
      const wrong = fresh.find((vector) => vector.length !== embedder.dimensions);
      if (wrong) {
        throw new DimensionError(`inner embedder returned a vector of length ${wrong.length}, expected ${embedder.dimensions}`);
      }
      const records = pending.map(([, entry], k) => {
        const vector = fresh[k]!;
        entry.positions.forEach((i, n) => (vectors[i] = n === 0 ? vector : vector.slice()));
        return { key: entry.key, vector };
      });
      const write = writes.then(async () => {
        await append(records);
        // Indexed only once on disk, at the record numbers the appends gave them (appends are serialized).
        pending.forEach(([id], k) => index.keys.set(id, index.records + k));
        index.records += records.length;
      });
      writes = write.catch(() => undefined);
      await write;
      return vectors;
    },
  };
}

function cacheKey(role: EmbedRole, text: string): Buffer {
  return createHash('sha256').update(role).update('\0').update(text).digest().subarray(0, KEY_BYTES);
}
