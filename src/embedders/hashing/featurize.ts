/**
 * The hashing embedder's featurizer: pure code with no runtime imports, so a worker thread loads this file alone
 * (built `.js`, or the `.ts` source under Node's type stripping in tests) and computes bit-identical vectors.
 */
export interface FeatureOptions {
  readonly dimensions: number;
  /** Sorted, unique. */
  readonly wordNgrams: readonly number[];
  /** Sorted, unique. */
  readonly charNgrams: readonly number[];
  readonly lowercase: boolean;
  /** Lowercased when `lowercase`; sorted, unique; undefined when none. */
  readonly stopwords?: readonly string[] | undefined;
}

// FNV-1a over UTF-16 code units, then murmur3's fmix32 so the low bits (bucket) and top bit (sign) are well mixed.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// Boundary markers lie outside the UTF-16 range, so they never collide with a real character.
const WORD_BEGIN = 0x110000;
const WORD_END = 0x110001;
// Distinct seeds keep word n-grams and character n-grams in separate hash families.
const WORD_GRAM_SEED = FNV_OFFSET ^ 0x9e3779b9;
const CHAR_GRAM_SEED = FNV_OFFSET ^ 0x5bd1e995;

function fnvStep(hash: number, unit: number): number {
  return Math.imul(hash ^ unit, FNV_PRIME);
}

/** An int32 (not `>>> 0`'s uint32, which V8 holds as a double above 2^31): the same 32 bits, kept in int32 arithmetic. */
function fmix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Word characters: letters, digits and combining marks; surrogates too, so astral letters stay in their word. */
const WORD_CHAR = (() => {
  const table = new Uint8Array(0x10000);
  const pattern = /[\p{L}\p{N}\p{M}]/u;
  for (let c = 0; c < 0x10000; c++) {
    if ((c >= 0xd800 && c <= 0xdfff) || pattern.test(String.fromCharCode(c))) table[c] = 1;
  }
  return table;
})();

/**
 * A featurizer: `text` → its unit vector. With `into`, the vector is written at `offset` there (a worker fills one
 * buffer for a whole batch) and `into` is returned; otherwise a new array.
 */
export type Featurize = (text: string, into?: Float32Array, offset?: number) => Float32Array;

export function createFeaturizer(options: FeatureOptions): Featurize {
  const { dimensions, wordNgrams, charNgrams, lowercase } = options;
  const maxWordN = wordNgrams.length > 0 ? Math.max(...wordNgrams) : 0;
  const maxCharN = charNgrams.length > 0 ? Math.max(...charNgrams) : 0;
  const wordN = Int32Array.from(wordNgrams);
  const isCharN = new Uint8Array(maxCharN + 1);
  for (const n of charNgrams) isCharN[n] = 1;
  const charGramMix = Int32Array.from({ length: maxCharN + 1 }, (_, n) => Math.imul(n, 0x27d4eb2d));
  const stopwords = options.stopwords ? new Set(options.stopwords) : undefined;
  // Prefilter by word hash so a substring is only allocated for words that may be stopwords.
  const stopHashes = options.stopwords ? new Set(options.stopwords.map((w) => wordHash(w, 0, w.length))) : undefined;
  const counts = createTermCounts(dimensions);
  const recentWords = new Int32Array(Math.max(1, maxWordN));
  // One word as code units between its boundary markers, "<word>": the character n-gram loop reads this buffer
  // instead of testing for the boundaries at every step.
  let units: Int32Array = new Int32Array(256);

  return (text, into, offset = 0) => {
    const s = lowercase ? text.toLowerCase() : text;
    const length = s.length;
    counts.clear();
    let wordsSeen = 0;
    let i = 0;
    while (i < length) {
      while (i < length && WORD_CHAR[s.charCodeAt(i)] === 0) i++;
      if (i >= length) break;
      const start = i;
      let h = FNV_OFFSET;
      let last = 1;
      for (; i < length; i++) {
        const unit = s.charCodeAt(i);
        if (WORD_CHAR[unit] === 0) break;
        h = fnvStep(h, unit);
        if (last + 1 >= units.length) units = grown(units);
        units[last++] = unit;
      }
      if (stopHashes?.has(h) && stopwords?.has(s.slice(start, i))) continue;

      if (maxWordN > 0) {
        recentWords[wordsSeen % maxWordN] = h;
        wordsSeen++;
        for (let w = 0; w < wordN.length; w++) {
          const n = wordN[w]!;
          if (n > wordsSeen) break;
          let g = WORD_GRAM_SEED ^ n;
          for (let k = wordsSeen - n; k < wordsSeen; k++) g = fnvStep(g, recentWords[k % maxWordN]!);
          counts.add(fmix32(g));
        }
      }

      // Every n-gram of "<word>" for each wanted n, hashed incrementally from each start position.
      units[0] = WORD_BEGIN;
      units[last] = WORD_END;
      for (let p = 0; p <= last; p++) {
        let g = CHAR_GRAM_SEED;
        const end = Math.min(last, p + maxCharN - 1);
        for (let j = p; j <= end; j++) {
          g = fnvStep(g, units[j]!);
          const n = j - p + 1;
          if (isCharN[n] === 1) counts.add(fmix32(g ^ charGramMix[n]!));
        }
      }
    }
    return counts.toVector(into ?? new Float32Array(dimensions), into ? offset : 0);
  };
}

function grown(buffer: Int32Array): Int32Array {
  const bigger = new Int32Array(buffer.length * 2);
  bigger.set(buffer);
  return bigger;
}

function wordHash(s: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = fnvStep(h, s.charCodeAt(i));
  return h;
}

/** Math.log1p of the small counts almost every feature has: the same doubles, looked up. */
const log1pTable = Float64Array.from({ length: 64 }, (_, count) => Math.log1p(count));

interface TermCounts {
  clear(): void;
  add(hash: number): void;
  /** The L2-normalised sums of ±log1p(tf) per bucket, written at `offset` in `vector`, which is returned. */
  toVector(vector: Float32Array, offset: number): Float32Array;
}

/**
 * Term frequencies keyed by the full 32-bit feature hash (open addressing, reused across texts), so tf is per
 * n-gram as sublinear tf needs, not per bucket, and counting allocates nothing per feature. Each slot is a
 * (hash, count) pair side by side, one cache line for both; `order` lists the slots in first-seen order, the order
 * the vector sums them in (a float sum depends on its order, and the vectors must never change). Closure state,
 * not a class: with private fields the whole featurizer ran a quarter slower.
 */
function createTermCounts(dimensions: number): TermCounts {
  let slots = new Int32Array(2 * 1024);
  let mask = 1023;
  let order = new Int32Array(1024);
  let used = 0;
  const sums = new Float64Array(dimensions);
  // hash % dimensions in small-integer arithmetic (a uint32 above 2^31 is a double in V8, and a double modulo
  // cost as much as the rest of the sum): hash = hi·65536 + lo, so hash ≡ hi·(65536 mod d) + lo (mod d).
  const highFactor = 65536 % dimensions;

  const grow = () => {
    const old = slots;
    const oldOrder = order;
    const size = (mask + 1) * 2;
    slots = new Int32Array(2 * size);
    order = new Int32Array(size);
    mask = size - 1;
    for (let k = 0; k < used; k++) {
      const from = oldOrder[k]! << 1;
      const hash = old[from]!;
      let slot = hash & mask;
      while (slots[(slot << 1) + 1] !== 0) slot = (slot + 1) & mask;
      slots[slot << 1] = hash;
      slots[(slot << 1) + 1] = old[from + 1]!;
      order[k] = slot;
    }
  };

  return {
    clear() {
      for (let k = 0; k < used; k++) slots[(order[k]! << 1) + 1] = 0;
      used = 0;
    },
    // No branch on new-or-seen (a coin toss for n-grams): the slot is written either way, `used` moves if new.
    add(hash) {
      let slot = hash & mask;
      let count = slots[(slot << 1) + 1]!;
      while (count !== 0 && slots[slot << 1] !== hash) {
        slot = (slot + 1) & mask;
        count = slots[(slot << 1) + 1]!;
      }
      slots[slot << 1] = hash;
      slots[(slot << 1) + 1] = count + 1;
      order[used] = slot;
      used += count === 0 ? 1 : 0;
      if (used * 2 > mask + 1) grow();
    },
    toVector(vector, offset) {
      sums.fill(0);
      for (let k = 0; k < used; k++) {
        const at = order[k]! << 1;
        const hash = slots[at]!;
        const count = slots[at + 1]!;
        const weight = count < log1pTable.length ? log1pTable[count]! : Math.log1p(count);
        const bucket = ((hash >>> 16) * highFactor + (hash & 0xffff)) % dimensions;
        // The top bit is the sign: ±1 from the arithmetic shift, no branch (negating a double is exact).
        sums[bucket] = sums[bucket]! + weight * ((hash >> 31) | 1);
      }
      let squares = 0;
      for (let d = 0; d < dimensions; d++) squares += sums[d]! * sums[d]!;
      if (squares === 0) return vector.fill(0, offset, offset + dimensions);
      const scale = 1 / Math.sqrt(squares);
      for (let d = 0; d < dimensions; d++) vector[offset + d] = sums[d]! * scale;
      return vector;
    },
  };
}
