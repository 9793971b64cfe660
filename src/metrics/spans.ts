/**
 * Chunk-level metrics from span labels, for any chunker: how much of the relevant text the retrieved chunks
 * cover, and how much of what they retrieve is relevant. Pure functions on offsets, no text needed.
 *
 * Unit: CHARACTERS (UTF-16 code units of the document text, the unit of chunk and span offsets). Chroma's
 * chunking evaluation counts cl100k tokens; characters need no tokenizer, are exact for every chunker whatever
 * its own unit, and differ from token counts by a near-constant factor on one corpus, so rankings of chunkers
 * agree. Whitespace counts like any character.
 *
 * Sets, not sums: the retrieved text R is the UNION of the top-k chunks' spans (per document, merged), the
 * relevant text S the union of the query's relevant spans. Chroma sums chunk lengths in the precision
 * denominator, so overlapping chunks (any overlap > 0 setting) count the same text twice and look less precise
 * than they are; here text retrieved twice counts once. (What the generator is sent, overlaps included, is
 * `chunkCost`.) Grades are ignored: every span with grade ≥ 1 is relevant text.
 */
import type { RelevantSpan } from '../corpus/types.js';
import type { TokenOffsets } from '../shared/text/token-offsets.js';

/** A retrieved chunk's place: `[start, end)` in its document's text. */
interface RetrievedSpan {
  readonly docId: string;
  readonly start: number;
  readonly end: number;
}

/** A chunk hit as retrievers return it: the id is `${docId}#${start}-${end}` (see `chunkId`). */
export interface ChunkHitRef {
  readonly id: string;
  readonly docId: string;
}

interface SpanScores {
  /** |R ∩ S| / |S|: the share of relevant characters the top-k chunks cover ("span recall@k"). */
  readonly recall: number;
  /** |R ∩ S| / |R|; 0 when nothing was retrieved. */
  readonly precision: number;
  /** |R ∩ S| / |R ∪ S|. */
  readonly iou: number;
  readonly relevantChars: number;
  readonly retrievedChars: number;
  readonly overlapChars: number;
}

/** Names the metrics go by in tables, with `@k` appended: span-recall@10, span-precision@10, span-iou@10. */
/** The offsets of a chunk hit, read from its id; throws RangeError when the id is not `${docId}#start-end`. */
export function chunkSpanOf(hit: ChunkHitRef): RetrievedSpan {
  const prefix = `${hit.docId}#`;
  // Parsed after the known docId, so a document id containing `#` or `-` is still read right.
  const match = hit.id.startsWith(prefix) ? /^(\d+)-(\d+)$/.exec(hit.id.slice(prefix.length)) : null;
  if (!match) throw new RangeError(`chunk id ${JSON.stringify(hit.id)} is not "${hit.docId}#<start>-<end>"`);
  return { docId: hit.docId, start: Number(match[1]), end: Number(match[2]) };
}

/**
 * The offsets of the hits whose place is known. A chunk from an existing index whose text could not be located in
 * its document has the id `${docId}#?…` (`unlocatedChunkId`): it is left out here, and the run counts and reports
 * such chunks, so a span metric over them is a lower bound rather than a guess.
 */
function locatedSpans(hits: readonly ChunkHitRef[]): RetrievedSpan[] {
  return hits.filter((hit) => !hit.id.startsWith(`${hit.docId}#?`)).map(chunkSpanOf);
}

/**
 * Span metrics of one query at cut-off k. `hits`: chunk hits best first (the top `k` are used; a k larger than
 * the list uses all). `spans`: the query's relevant spans. Returns null when the query has no relevant span
 * (undefined or empty): such a query has nothing to recall and is left out of means, never scored 0.
 */
export function spanMetricsForQuery(
  hits: readonly ChunkHitRef[],
  spans: readonly RelevantSpan[] | undefined,
  k: number,
): SpanScores | null {
  return spanScores(locatedSpans(topK(hits, k)), spans ?? []);
}

/** `spanMetricsForQuery` on offsets already known. */
export function spanScores(retrieved: readonly RetrievedSpan[], relevant: readonly RelevantSpan[]): SpanScores | null {
  const wanted = mergeIntervals(relevant.filter((s) => s.grade >= 1));
  const relevantChars = totalLength(wanted);
  if (relevantChars === 0) return null;
  const got = mergeIntervals(retrieved);
  const retrievedChars = totalLength(got);
  let overlapChars = 0;
  for (const [docId, intervals] of got) {
    const other = wanted.get(docId);
    if (other) overlapChars += intersectionLength(intervals, other);
  }
  return {
    recall: overlapChars / relevantChars,
    precision: retrievedChars === 0 ? 0 : overlapChars / retrievedChars,
    iou: overlapChars / (relevantChars + retrievedChars - overlapChars),
    relevantChars,
    retrievedChars,
    overlapChars,
  };
}

interface ChunkCost {
  /** Chunks in the top k (what a generator is given). */
  readonly chunks: number;
  /** Sum of their lengths: overlapping text is sent, and paid for, once per chunk. */
  readonly chars: number;
  /** Distinct document characters among them; `chars / distinctChars` − 1 is the share sent twice. */
  readonly distinctChars: number;
  /**
   * ≈ tokens: ceil(chars / 4), OpenAI's rule of thumb for English with cl100k/o200k. An estimate, so cost
   * comparisons between chunkers need no tokenizer pass over every retrieved chunk.
   */
  readonly estimatedTokens: number;
}

/** What the top k chunk hits cost a generator, per query. */
export function chunkCost(hits: readonly ChunkHitRef[], k: number): ChunkCost {
  const spans = locatedSpans(topK(hits, k));
  const chars = spans.reduce((sum, s) => sum + (s.end - s.start), 0);
  return { chunks: spans.length, chars, distinctChars: totalLength(mergeIntervals(spans)), estimatedTokens: Math.ceil(chars / 4) };
}

/**
 * Per document, the union of the spans as sorted, disjoint `start, end` pairs (touching spans join).
 * Empty or reversed spans contribute nothing.
 */
export function mergeIntervals(spans: readonly RetrievedSpan[]): Map<string, number[]> {
  const byDoc = new Map<string, RetrievedSpan[]>();
  for (const span of spans) {
    if (span.end <= span.start) continue;
    let list = byDoc.get(span.docId);
    if (!list) byDoc.set(span.docId, (list = []));
    list.push(span);
  }
  const merged = new Map<string, number[]>();
  for (const [docId, list] of byDoc) {
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    const out: number[] = [];
    for (const { start, end } of list) {
      if (out.length > 0 && start <= out[out.length - 1]!) out[out.length - 1] = Math.max(out[out.length - 1]!, end);
      else out.push(start, end);
    }
    merged.set(docId, out);
  }
  return merged;
}

/** Overlap of two sorted disjoint interval lists (flat pairs), by a merge walk. */
function intersectionLength(a: readonly number[], b: readonly number[]): number {
  let total = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]!, b[j]!);
    const end = Math.min(a[i + 1]!, b[j + 1]!);
    if (end > start) total += end - start;
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return total;
}

function totalLength(intervals: ReadonlyMap<string, readonly number[]>): number {
  let total = 0;
  for (const list of intervals.values()) for (let i = 0; i < list.length; i += 2) total += list[i + 1]! - list[i]!;
  return total;
}

function topK<T>(items: readonly T[], k: number): readonly T[] {
  if (!(k >= 1)) throw new RangeError(`k must be a positive integer or Infinity, got ${k}`);
  return Number.isFinite(k) ? items.slice(0, k) : items;
}

/**
 * A span or context-cost metric as written in an eval's `spanMetrics`: `span-recall@5`, `token-iou@5`, … or at a
 * context budget, `span-recall@tokens=1000` (then `k` is Infinity and `tokens` the budget: see `withinTokenBudget`).
 */
interface SpanMetricSpec {
  readonly name: (typeof spanMetricKinds)[number];
  readonly k: number;
  readonly label: string;
  readonly tokens?: number;
}

/**
 * `span-*` measure overlap in characters (the unit of chunk offsets: exact for every chunker); `token-*` in
 * cl100k tokens, as Chroma's chunking evaluation does (but counting overlapping retrieved text once).
 */
const spanMetricKinds = [
  'span-recall',
  'span-precision',
  'span-iou',
  'token-recall',
  'token-precision',
  'token-iou',
  'context-tokens',
] as const;

/** Parses `span-iou@5` or `span-recall@tokens=1000`; throws RangeError naming the valid forms. */
export function parseSpanMetricName(text: string): SpanMetricSpec {
  const match = /^([a-z-]+)@(?:([1-9]\d*)|tokens=([1-9]\d*))$/.exec(text.trim().toLowerCase());
  const name = match?.[1] as SpanMetricSpec['name'] | undefined;
  if (!match || !name || !spanMetricKinds.includes(name)) {
    throw new RangeError(`unknown span metric "${text}"; use ${spanMetricKinds.map((m) => `${m}@k`).join(', ')} (or @tokens=N for a token budget)`);
  }
  if (match[3] !== undefined) {
    const tokens = Number(match[3]);
    return { name, k: Infinity, tokens, label: `${name}@tokens=${tokens}` };
  }
  const k = Number(match[2]);
  return { name, k, label: `${name}@${k}` };
}

/** Token positions of a document's text (see shared/token-offsets.ts), for the `token-*` metrics. */
export type TokenOffsetsOf = (docId: string) => TokenOffsets;

/**
 * One query's value of a span metric: null when it has no relevant span (context-tokens is always defined).
 * `tokenOffsetsOf` is needed by the `token-*` metrics only.
 */
export function spanMetricValue(
  spec: SpanMetricSpec,
  hits: readonly ChunkHitRef[],
  spans: readonly RelevantSpan[] | undefined,
  tokenOffsetsOf?: TokenOffsetsOf,
): number | null {
  let selected = hits;
  if (spec.tokens !== undefined) {
    if (!tokenOffsetsOf) throw new Error(`${spec.label} needs the documents' token offsets`);
    selected = withinTokenBudget(hits, spec.tokens, chunkTokenCounter(tokenOffsetsOf));
  }
  if (spec.name === 'context-tokens') return chunkCost(selected, spec.k).estimatedTokens;
  let retrieved: readonly RetrievedSpan[] = locatedSpans(topK(selected, spec.k));
  let relevant: readonly RelevantSpan[] = spans ?? [];
  if (spec.name.startsWith('token-')) {
    if (!tokenOffsetsOf) throw new Error(`${spec.label} needs the documents' token offsets`);
    retrieved = retrieved.map((span) => toTokenSpan(span, tokenOffsetsOf(span.docId)));
    relevant = relevant.map((span) => ({ ...toTokenSpan(span, tokenOffsetsOf(span.docId)), grade: span.grade }));
  }
  const scores = spanScores(retrieved, relevant);
  if (!scores) return null;
  return spec.name.endsWith('recall') ? scores.recall : spec.name.endsWith('precision') ? scores.precision : scores.iou;
}

/**
 * The chunks a generator gets for a prompt budget of `budget` tokens: hits in rank order, each costing its own
 * tokens (overlapping text is paid twice, as it is sent twice), while the running total stays within the budget.
 * Selection stops at the first chunk that would exceed it (a smaller later chunk is not slipped in: the ranking
 * decides what is sent), so a first chunk larger than the budget leaves nothing; a total exactly at the budget fits.
 */
export function withinTokenBudget<T>(hits: readonly T[], budget: number, tokensOf: (hit: T) => number): T[] {
  const taken: T[] = [];
  let total = 0;
  for (const hit of hits) {
    total += tokensOf(hit);
    if (total > budget) break;
    taken.push(hit);
  }
  return taken;
}

/**
 * cl100k tokens of a chunk hit: the document's tokens that overlap the chunk's characters (`toTokenSpan`), so a
 * token cut by a chunk boundary counts for both chunks — what the chunk costs up to a token at each edge.
 */
export function chunkTokenCounter(tokenOffsetsOf: TokenOffsetsOf): (hit: ChunkHitRef) => number {
  return (hit) => {
    const span = toTokenSpan(chunkSpanOf(hit), tokenOffsetsOf(hit.docId));
    return span.end - span.start;
  };
}

/** A character span as the token positions it touches: token i is in when it overlaps [start, end). */
export function toTokenSpan(span: RetrievedSpan, offsets: TokenOffsets): RetrievedSpan {
  const first = firstIndex(offsets.ends, (end) => end > span.start);
  const afterLast = firstIndex(offsets.starts, (start) => start >= span.end);
  return { docId: span.docId, start: first, end: Math.max(first, afterLast) };
}

/** The first index whose value satisfies a predicate that is false, then true, along the ascending array. */
function firstIndex(values: Int32Array, test: (value: number) => boolean): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (test(values[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}
