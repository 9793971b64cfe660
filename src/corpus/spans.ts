import { DataError, type Place } from '../shared/errors.js';
import { isJsonObject, readJsonl } from './jsonl.js';
import type { RelevantSpan, SpanJudgments } from './types.js';

interface ReadSpansOptions {
  /**
   * docId → text length (UTF-16 code units). When given, a span naming an unknown document or ending past the
   * document's end is a DataError at its line; without it only the span's own shape is checked.
   */
  readonly documentLengths?: ReadonlyMap<string, number>;
}

/**
 * Reads span-level judgments, `qrels/<split>.spans.jsonl`: one `{"query-id","corpus-id","start","end","score"}`
 * per line. Offsets are UTF-16 code units into the document's `text` (as chunk offsets), end exclusive, so a
 * span's text is `doc.text.slice(start, end)`. `score` is an integer grade, default 1; spans with a score ≤ 0
 * are not relevant and left out, but their query stays in the map (possibly with no spans), as `readQrels` does.
 * Overlapping spans are kept as written: metrics merge them (`metrics/spans.ts`). Spans of a query keep file order.
 *
 * Throws a DataError at `file:line` (with a fix) on a malformed line, a negative or empty span, and (with
 * `documentLengths`) an unknown document or a span past the end of its document. A missing file is a DataError.
 */
export async function readSpanJudgments(file: string, options: ReadSpansOptions = {}): Promise<SpanJudgments> {
  const spans = new Map<string, RelevantSpan[]>();
  for await (const { value, line } of readJsonl(file)) {
    const place = { file, line };
    const span = parseSpanRecord(value, place);
    checkAgainstDocument(span, options.documentLengths, place);
    let list = spans.get(span.queryId);
    if (!list) spans.set(span.queryId, (list = []));
    if (span.grade > 0) list.push({ docId: span.docId, start: span.start, end: span.end, grade: span.grade });
  }
  return spans;
}

/** Formats one span judgment as the line `readSpanJudgments` reads (keys in the documented order). */
export function formatSpanLine(queryId: string, span: RelevantSpan): string {
  return JSON.stringify({ 'query-id': queryId, 'corpus-id': span.docId, start: span.start, end: span.end, score: span.grade });
}

interface SpanRecord extends RelevantSpan {
  readonly queryId: string;
}

const shape = 'each line is {"query-id": "...", "corpus-id": "...", "start": 0, "end": 10, "score": 1}';

function parseSpanRecord(value: unknown, place: Place): SpanRecord {
  if (!isJsonObject(value)) throw new DataError('a span judgment must be a JSON object', { place, fix: shape });
  const queryId = idField(value, 'query-id', place);
  const docId = idField(value, 'corpus-id', place);
  const start = offsetField(value, 'start', place);
  const end = offsetField(value, 'end', place);
  if (end <= start) {
    throw new DataError(`span ${start}-${end} of document ${docId} is empty or reversed`, {
      place,
      fix: 'a span is [start, end) with start < end (UTF-16 offsets into the document text, end exclusive)',
    });
  }
  const score = value.score ?? 1;
  if (typeof score !== 'number' || !Number.isInteger(score)) {
    throw new DataError(`"score" must be an integer, got ${JSON.stringify(score)}`, {
      place,
      fix: 'grades are integers: ≤ 0 not relevant, 1 and up relevant; leave "score" out for 1',
    });
  }
  return { queryId, docId, start, end, grade: score };
}

function idField(value: Record<string, unknown>, key: string, place: Place): string {
  const id = value[key];
  // BEIR writes numeric ids as strings, but a hand-written file may not quote them.
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id !== 'string' || id === '') {
    throw new DataError(`missing or empty "${key}"`, { place, fix: shape });
  }
  return id;
}

function offsetField(value: Record<string, unknown>, key: 'start' | 'end', place: Place): number {
  const offset = value[key];
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new DataError(`"${key}" must be a non-negative integer, got ${JSON.stringify(offset)}`, {
      place,
      fix: 'offsets are UTF-16 code units into the document text (JavaScript string indices), end exclusive',
    });
  }
  return offset;
}

function checkAgainstDocument(span: SpanRecord, lengths: ReadonlyMap<string, number> | undefined, place: Place): void {
  if (!lengths) return;
  const length = lengths.get(span.docId);
  if (length === undefined) {
    throw new DataError(`span names document ${JSON.stringify(span.docId)}, which is not in the corpus`, {
      place,
      fix: 'the span file and the corpus must come from the same test set',
    });
  }
  if (span.end > length) {
    throw new DataError(`span ${span.start}-${span.end} ends past document ${span.docId} (${length} characters)`, {
      place,
      fix: 'offsets count UTF-16 code units of the document "text" (not the title, not bytes); regenerate the spans',
    });
  }
}
