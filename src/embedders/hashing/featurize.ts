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

function fmix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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

export function createFeaturizer(options: FeatureOptions): (text: string) => Float32Array {
  const { dimensions, wordNgrams, charNgrams, lowercase } = options;
  const maxWordN = wordNgrams.length > 0 ? Math.max(...wordNgrams) : 0;
  const maxCharN = charNgrams.length > 0 ? Math.max(...charNgrams) : 0;
  const isCharN = new Uint8Array(maxCharN + 1);
  for (const n of charNgrams) isCharN[n] = 1;
  const stopwords = options.stopwords ? new Set(options.stopwords) : undefined;
  // Prefilter by word hash so a substring is only allocated for words that may be stopwords.
  const stopHashes = options.stopwords ? new Set(options.stopwords.map((w) => wordHash(w, 0, w.length))) : undefined;
  const counts = new TermCounts();
  const recentWords = new Int32Array(Math.max(1, maxWordN));

  return (text) => {
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
      while (i < length && WORD_CHAR[s.charCodeAt(i)] === 1) h = fnvStep(h, s.charCodeAt(i++));
      const end = i;
      if (stopHashes?.has(h) && stopwords?.has(s.slice(start, end))) continue;

      if (maxWordN > 0) {
        recentWords[wordsSeen % maxWordN] = h;
        wordsSeen++;
        for (const n of wordNgrams) {
          if (n > wordsSeen) break;
          let g = WORD_GRAM_SEED ^ n;
          for (let k = wordsSeen - n; k < wordsSeen; k++) g = fnvStep(g, recentWords[k % maxWordN]!);
          counts.add(fmix32(g));
        }
      }

      // Every n-gram of "<word>" for each wanted n, hashed incrementally from each start position.
      const wordLength = end - start;
      for (let p = -1; p <= wordLength; p++) {
        let g = CHAR_GRAM_SEED;
        const last = Math.min(wordLength, p + maxCharN - 1);
        for (let j = p; j <= last; j++) {
          g = fnvStep(g, j < 0 ? WORD_BEGIN : j === wordLength ? WORD_END : s.charCodeAt(start + j));
          const n = j - p + 1;
          if (isCharN[n] === 1) counts.add(fmix32(g ^ Math.imul(n, 0x27d4eb2d)));
        }
      }
    }
    return counts.toVector(dimensions);
  };
}

function wordHash(s: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = fnvStep(h, s.charCodeAt(i));
  return h;
}

/** Math.log1p of the small counts almost every feature has: the same doubles, looked up. */
const log1pTable = Float64Array.from({ length: 64 }, (_, count) => Math.log1p(count));

/**
 * Term frequencies keyed by the full 32-bit feature hash (open addressing in typed arrays, reused across texts),
 * so tf is per n-gram as sublinear tf needs, not per bucket, and counting allocates nothing per feature.
 */
class TermCounts {
  #keys = new Uint32Array(1024);
  #counts = new Uint32Array(1024);
  #used: number[] = [];

  clear(): void {
    for (const slot of this.#used) this.#counts[slot] = 0;
    this.#used.length = 0;
  }

  add(hash: number): void {
    const mask = this.#keys.length - 1;
    let slot = hash & mask;
    for (;;) {
      const count = this.#counts[slot]!;
      if (count === 0) {
        this.#keys[slot] = hash;
        this.#counts[slot] = 1;
        this.#used.push(slot);
        if (this.#used.length * 2 > this.#keys.length) this.#grow();
        return;
      }
      if (this.#keys[slot] === hash) {
        this.#counts[slot] = count + 1;
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  toVector(dimensions: number): Float32Array {
    const sums = new Float64Array(dimensions);
    // hash % dimensions in small-integer arithmetic (a uint32 above 2^31 is a double in V8, and a double modulo
    // cost as much as the rest of this loop): hash = hi·65536 + lo, so hash ≡ hi·(65536 mod d) + lo (mod d).
    const highFactor = 65536 % dimensions;
    for (const slot of this.#used) {
      const hash = this.#keys[slot]!;
      const count = this.#counts[slot]!;
      const weight = count < log1pTable.length ? log1pTable[count]! : Math.log1p(count);
      const bucket = ((hash >>> 16) * highFactor + (hash & 0xffff)) % dimensions;
      sums[bucket] = sums[bucket]! + (hash & 0x80000000 ? -weight : weight);
    }
    let squares = 0;
    for (let d = 0; d < dimensions; d++) squares += sums[d]! * sums[d]!;
    const vector = new Float32Array(dimensions);
    if (squares === 0) return vector;
    const scale = 1 / Math.sqrt(squares);
    for (let d = 0; d < dimensions; d++) vector[d] = sums[d]! * scale;
    return vector;
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldCounts = this.#counts;
    const oldUsed = this.#used;
    this.#keys = new Uint32Array(oldKeys.length * 2);
    this.#counts = new Uint32Array(oldKeys.length * 2);
    this.#used = [];
    const mask = this.#keys.length - 1;
    for (const oldSlot of oldUsed) {
      const hash = oldKeys[oldSlot]!;
      let slot = hash & mask;
      while (this.#counts[slot] !== 0) slot = (slot + 1) & mask;
      this.#keys[slot] = hash;
      this.#counts[slot] = oldCounts[oldSlot]!;
      this.#used.push(slot);
    }
  }
}
