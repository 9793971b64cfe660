/**
 * BM25's index in bounded memory (issue 14). While chunks are added, each chunk's distinct terms and frequencies
 * are appended to byte segments, varint-coded (term ids sorted and delta-coded: ~3 bytes per term instead of two
 * per-chunk typed arrays); `finalise` turns them into compressed-sparse-row postings (chunk slot + tf, 5–6 bytes
 * per posting), dropping each segment as soon as it has been read. Weights are not stored: a query computes
 * idf · tf·(k1+1) / (tf + norm) per posting from the same operands, so scores are bit-identical to precomputed ones.
 */

/** An inverted index in compressed-sparse-row form: term t's postings are [offsets[t], offsets[t+1]). */
export interface Postings {
  readonly offsets: Uint32Array;
  readonly chunks: Uint32Array;
  /** Term frequency per posting, in the narrowest array that holds the largest one. */
  readonly tfs: Uint8Array | Uint16Array | Uint32Array;
  readonly idf: Float64Array;
  /** Per slot: k1·(1 − b + b·|d|/avgdl), the length part of BM25's denominator. */
  readonly norms: Float64Array;
  /** One accumulator per slot, reused by every query (retrieve never awaits, so queries cannot interleave). */
  readonly scores: Float64Array;
  readonly touched: Uint32Array;
  /** Scratch space (a heap) for selecting the k-th best score. */
  readonly buffer: Float64Array;
}

const segmentBytes = 8 * 1024 * 1024;

/** A growable Uint32 column (one value per chunk slot). */
export class Column {
  values = new Uint32Array(1024);
  push(index: number, value: number): void {
    if (index >= this.values.length) {
      const grown = new Uint32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[index] = value;
  }
}

/** Chunks' term lists as added, one slot per add; a slot replaced by a later add of the same chunk id is dead. */
export class ChunkTermLog {
  #segments: (Uint8Array | undefined)[] = [];
  #used = segmentBytes; // forces a first segment
  readonly #segment = new Column();
  readonly #offset = new Column();
  readonly #distinct = new Column();
  readonly #length = new Column();
  readonly #dead = new Set<number>();
  #slots = 0;
  #scratch = new Uint8Array(1024);
  #maxTf = 0;

  get slots(): number {
    return this.#slots;
  }

  get liveChunks(): number {
    return this.#slots - this.#dead.size;
  }

  kill(slot: number): void {
    this.#dead.add(slot);
  }

  /** Appends one chunk (term ids → frequencies, `length` tokens); returns its slot. */
  append(counts: Map<number, number>, length: number): number {
    const terms = Uint32Array.from(counts.keys()).sort();
    if (this.#scratch.length < terms.length * 10) this.#scratch = new Uint8Array(terms.length * 10);
    const scratch = this.#scratch;
    let at = 0;
    let previous = 0;
    for (const term of terms) {
      const tf = counts.get(term)!;
      if (tf > this.#maxTf) this.#maxTf = tf;
      at = writeVarint(scratch, at, term - previous);
      at = writeVarint(scratch, at, tf);
      previous = term;
    }
    if (this.#used + at > segmentBytes || this.#segments.length === 0) {
      this.#segments.push(new Uint8Array(Math.max(segmentBytes, at)));
      this.#used = 0;
    }
    const segment = this.#segments.length - 1;
    this.#segments[segment]!.set(scratch.subarray(0, at), this.#used);
    const slot = this.#slots++;
    this.#segment.push(slot, segment);
    this.#offset.push(slot, this.#used);
    this.#distinct.push(slot, terms.length);
    this.#length.push(slot, length);
    this.#used += at;
    return slot;
  }

  /**
   * The postings of every live slot, in slot order per term. Consumes the log (its segments are released while
   * the postings fill), so it can be called once.
   */
  finalise(termCount: number, k1: number, b: number, onSlots?: (slots: number) => void): Postings {
    const slots = this.#slots;
    const lengths = this.#length.values;
    const dead = this.#dead;
    const live = (slot: number) => dead.size === 0 || !dead.has(slot);
    let totalLength = 0;
    for (let slot = 0; slot < slots; slot++) if (!this.#dead.has(slot)) totalLength += lengths[slot]!;
    const chunkCount = this.liveChunks;
    // An index of empty chunks has avgdl 0; any positive value gives the same (empty) postings.
    const avgLength = chunkCount > 0 && totalLength > 0 ? totalLength / chunkCount : 1;

    const df = new Uint32Array(termCount);
    this.#decodeAll(live, (_slot, term) => df[term]!++, false, onSlots);
    const offsets = new Uint32Array(termCount + 1);
    let total = 0;
    for (let t = 0; t < termCount; t++) {
      total += df[t]!;
      if (total > 0xffffffff) throw new Error(`bm25: more than ${0xffffffff} postings; split the corpus`);
      offsets[t + 1] = total;
    }
    const idf = new Float64Array(termCount);
    for (let t = 0; t < termCount; t++) idf[t] = Math.log(1 + (chunkCount - df[t]! + 0.5) / (df[t]! + 0.5));
    const norms = new Float64Array(slots);
    for (let slot = 0; slot < slots; slot++) norms[slot] = k1 * (1 - b + (b * lengths[slot]!) / avgLength);

    const chunks = new Uint32Array(total);
    const tfs = this.#maxTf <= 0xff ? new Uint8Array(total) : this.#maxTf <= 0xffff ? new Uint16Array(total) : new Uint32Array(total);
    const next = df; // reused as the write cursor per term
    for (let t = 0; t < termCount; t++) next[t] = offsets[t]!;
    // Slots are visited in order, so each term's postings come out sorted by slot; segments go once read.
    this.#decodeAll(live, (slot, term, tf) => {
      const p = next[term]!++;
      chunks[p] = slot;
      tfs[p] = tf;
    }, true, onSlots);
    return {
      offsets,
      chunks,
      tfs,
      idf,
      norms,
      scores: new Float64Array(slots),
      touched: new Uint32Array(slots),
      buffer: new Float64Array(slots),
    };
  }

  #decodeAll(
    live: (slot: number) => boolean,
    visit: (slot: number, term: number, tf: number) => void,
    release = false,
    onSlots?: (slots: number) => void,
  ): void {
    const segmentOf = this.#segment.values;
    const offsetOf = this.#offset.values;
    const distinctOf = this.#distinct.values;
    let current = 0;
    for (let slot = 0; slot < this.#slots; slot++) {
      const s = segmentOf[slot]!;
      if (release) while (current < s) this.#segments[current++] = undefined;
      if (onSlots && slot % 65536 === 65535) onSlots(65536);
      if (!live(slot)) continue;
      const bytes = this.#segments[s]!;
      let at = offsetOf[slot]!;
      let term = 0;
      for (let i = distinctOf[slot]!; i > 0; i--) {
        // Two varints, inlined: the term-id gap, then the frequency.
        let gap = 0;
        let shift = 0;
        let byte: number;
        do {
          byte = bytes[at++]!;
          gap += (byte & 0x7f) * 2 ** shift;
          shift += 7;
        } while (byte & 0x80);
        let tf = 0;
        shift = 0;
        do {
          byte = bytes[at++]!;
          tf += (byte & 0x7f) * 2 ** shift;
          shift += 7;
        } while (byte & 0x80);
        term += gap;
        visit(slot, term, tf);
      }
    }
    if (onSlots) onSlots(this.#slots % 65536);
    if (release) this.#segments = [];
  }
}

function writeVarint(bytes: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    bytes[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  bytes[at++] = value;
  return at;
}
