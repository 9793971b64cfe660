import { DataError } from '../errors.js';

/**
 * Strict UTF-8 decoding for data files: Node's 'utf8' decoding turns invalid bytes into U+FFFD silently, so a
 * Latin-1 corpus would be indexed with replacement characters and never match a query. These fail instead,
 * naming the byte offset and line of the first invalid byte.
 */
const fatal = new TextDecoder('utf-8', { fatal: true });

/** The whole file's bytes as text, or a DataError at the first invalid byte. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return fatal.decode(bytes);
  } catch {
    throw invalidUtf8(bytes, file, 0, 0);
  }
}

/**
 * A streaming decoder for chunked reads: `push(chunk)` returns the text decoded so far (an incomplete character
 * at the end waits for the next chunk), `end()` the rest. Throws the same DataError as `decodeUtf8`.
 */
export function createUtf8Stream(file: string): { push(chunk: Uint8Array): string; end(): string } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0; // bytes before the current chunk
  let lines = 0; // newlines in those bytes
  let carry = new Uint8Array(0); // bytes of an incomplete character at the end of the last chunk
  return {
    push(chunk) {
      try {
        const text = decoder.decode(chunk, { stream: true });
        const tail = trailingIncomplete(chunk);
        carry = tail > 0 ? chunk.slice(chunk.length - tail) : new Uint8Array(0);
        offset += chunk.length;
        lines += countNewlines(chunk);
        return text;
      } catch {
        const joined = new Uint8Array(carry.length + chunk.length);
        joined.set(carry);
        joined.set(chunk, carry.length);
        throw invalidUtf8(joined, file, offset - carry.length, lines);
      }
    },
    end() {
      try {
        return decoder.decode();
      } catch {
        throw invalidUtf8(carry, file, offset - carry.length, lines);
      }
    },
  };
}

function invalidUtf8(bytes: Uint8Array, file: string, baseOffset: number, baseLines: number): DataError {
  const at = firstInvalidUtf8(bytes);
  let line = baseLines + 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
  const byte = bytes[at];
  return new DataError(
    `invalid UTF-8 at byte offset ${baseOffset + at}${byte === undefined ? ' (the file ends inside a character)' : ` (byte 0x${byte.toString(16).padStart(2, '0')})`}`,
    {
      place: { file, line },
      fix: 'save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8 in > out)',
    },
  );
}

/** Index of the first byte that does not start or continue a valid UTF-8 sequence (bytes.length if none). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + need > bytes.length - 1) return i; // truncated at the end
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}

/** Bytes at the end of `chunk` that begin a multi-byte character not yet complete (0 to 3). */
function trailingIncomplete(chunk: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const b = chunk[chunk.length - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/** Newlines in `bytes`, found with indexOf (native) rather than a loop over every byte: a 190 MB run has 5M. */
function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) count++;
  return count;
}
