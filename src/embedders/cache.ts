import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { DimensionError } from '../shared/errors.js';
import { writeFileAtomic } from '../shared/files.js';
import { hashText } from '../shared/hash.js';
import { redactUrlsInText } from '../shared/redact-url.js';
import type { EmbedRole, Embedder } from './embedder.js';

export interface EmbeddingCacheOptions {
  /** Cache root, conventionally `<workDir>/cache/embeddings` (see `embeddingCacheDir`). */
  readonly dir: string;
  /** Told when records fail their checksum (they are recomputed); default: silent. */
  readonly warn?: (message: string) => void;
}

export interface EmbeddingCacheStats {
  /** Texts answered from the cache. */
  readonly hits: number;
  /** Texts sent to the inner embedder. */
  readonly misses: number;
  /** Stored records dropped because their checksum did not match (damaged on disk); their texts are recomputed. */
  readonly corrupt: number;
}

export interface CachedEmbedder extends Embedder {
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

/**
 * Wraps an embedder with an on-disk content-hash cache so re-runs and resumes don't pay twice. Only misses reach
 * the inner embedder (each distinct text once per call). Entries live under one folder per inner fingerprint, so
 * embedders whose vectors are not comparable never share them; the fingerprint stays the inner one.
 *
 * Storage: `vectors-v2.bin`, append-only records of [16-byte key = sha256(role NUL text)][float32 × dimensions,
 * little-endian][CRC-32 of the two, uint32 LE], plus `meta.json` naming the fingerprint (URLs redacted) for people.
 * A record whose checksum fails is dropped with a warning, so its text is embedded again instead of returning
 * damaged vectors. Loaded lazily into memory on first use; the
 * misses of each call are appended before it returns, so an interrupted run keeps every call it finished. A
 * truncated last record (a crash mid-write) is ignored and cut off before the next append.
 */
export function withEmbeddingCache(embedder: Embedder, options: EmbeddingCacheOptions): CachedEmbedder {
  const path = join(options.dir, hashText(embedder.fingerprint, 32));
  const file = join(path, VECTORS_FILE);
  const vectorBytes = embedder.dimensions * 4;
  const recordBytes = KEY_BYTES + vectorBytes + CHECKSUM_BYTES;
  let entries: Promise<Map<string, Float32Array>> | undefined;
  // Appends are chained so concurrent calls never interleave bytes within the file.
  let writes: Promise<void> = Promise.resolve();
  let hits = 0;
  let misses = 0;
  let corrupt = 0;

  async function load(): Promise<Map<string, Float32Array>> {
    await mkdir(path, { recursive: true });
    const meta = { fingerprint: redactUrlsInText(embedder.fingerprint), dimensions: embedder.dimensions };
    await writeFile(join(path, 'meta.json'), `${JSON.stringify(meta)}\n`);
    const map = new Map<string, Float32Array>();
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return map;
      throw error;
    }
    const whole = Math.floor(bytes.byteLength / recordBytes);
    const valid: Buffer[] = [];
    for (let r = 0; r < whole; r++) {
      const offset = r * recordBytes;
      const stored = bytes.readUInt32LE(offset + KEY_BYTES + vectorBytes);
      if (crc32(bytes.subarray(offset, offset + KEY_BYTES + vectorBytes)) !== stored) {
        corrupt++;
        continue;
      }
      valid.push(bytes.subarray(offset, offset + recordBytes));
      const key = bytes.toString('base64', offset, offset + KEY_BYTES);
      const vector = new Float32Array(embedder.dimensions);
      new Uint8Array(vector.buffer).set(bytes.subarray(offset + KEY_BYTES, offset + KEY_BYTES + vectorBytes));
      map.set(key, vector);
    }
    if (corrupt > 0) {
      options.warn?.(`embedding cache ${file}: ${corrupt} record(s) failed their checksum and will be recomputed`);
      // Rewritten without them, so the warning is given once, not on every later run.
      await writeFileAtomic(file, Buffer.concat(valid));
    } else if (whole * recordBytes !== bytes.byteLength) {
      // Appending after a partial record would misalign every record after it.
      await truncate(file, whole * recordBytes);
    }
    return map;
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
    path,
    get stats() {
      return { hits, misses, corrupt };
    },
    async embed(texts, role, signal) {
      entries ??= load().catch((error: unknown) => {
        entries = undefined;
        throw error;
      });
      const map = await entries;
      const vectors = new Array<Float32Array>(texts.length);
      // Distinct missing keys → the positions that need them, so a text repeated in one call is embedded once.
      const missing = new Map<string, { key: Buffer; text: string; positions: number[] }>();
      texts.forEach((text, i) => {
        const key = cacheKey(role, text);
        const id = key.toString('base64');
        const cached = map.get(id);
        if (cached) {
          hits++;
          // A copy: a caller that normalises in place must not change the cache.
          vectors[i] = cached.slice();
        } else {
          misses++;
          const entry = missing.get(id);
          if (entry) entry.positions.push(i);
          else missing.set(id, { key, text, positions: [i] });
        }
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
      const records = pending.map(([id, entry], k) => {
        const vector = fresh[k]!;
        map.set(id, vector.slice());
        for (const i of entry.positions) vectors[i] = vector.slice();
        return { key: entry.key, vector };
      });
      const write = writes.then(() => append(records));
      writes = write.catch(() => undefined);
      await write;
      return vectors;
    },
  };
}

function cacheKey(role: EmbedRole, text: string): Buffer {
  return createHash('sha256').update(role).update('\0').update(text).digest().subarray(0, KEY_BYTES);
}
