import { readFile } from 'node:fs/promises';
import { DataError } from '../shared/errors.js';
import { isJsonObject, type JsonlRecord } from './jsonl.js';
import type { Query } from './types.js';

/** The label of a yes/no/maybe question (PubMedQA's `final_decision`). */
export type Decision = 'yes' | 'no' | 'maybe';
export const decisions: readonly Decision[] = ['yes', 'no', 'maybe'];

/** Gold data for one question of a QA set. */
export interface QaItem {
  readonly question: string;
  /** Gold answers as the file gives them (for PubMedQA: the label, e.g. `["yes"]`). */
  readonly answers: readonly string[];
  /** Corpus document ids of the gold passages (may be empty). */
  readonly contextIds: readonly string[];
  /** Set when every gold answer is the same yes/no/maybe label: the task asks a decision. */
  readonly decision?: Decision;
  /** A free-text reference answer (PubMedQA's `long_answer`, the abstract's conclusion) when the file has one. */
  readonly longAnswer?: string;
}

/** queryId → gold data. */
export type QaSet = ReadonlyMap<string, QaItem>;

const layout = 'each line is {"id", "question", "answers": [...], "context_ids": [...]} (long_answer optional)';

/**
 * Reads a QA file (`qa.jsonl`, one JSON object per line): `id` (the query id), `question`, `answers` (strings),
 * `context_ids` (optional, gold passage ids) and `long_answer` (optional). Unknown fields are ignored (PubMedQA
 * carries `split` and reasoning predictions). Throws DataError at `file:line` on a bad record or a repeated id.
 */
export async function readQaFile(file: string): Promise<Map<string, QaItem>> {
  const items = new Map<string, QaItem>();
  for (const { value, line } of await readJsonLines(file)) {
    const place = { file, line };
    if (!isJsonObject(value)) throw new DataError('a QA line must be a JSON object', { place, fix: layout });
    const id = typeof value.id === 'number' && Number.isFinite(value.id) ? String(value.id) : value.id;
    if (typeof id !== 'string' || id === '') throw new DataError('missing or empty "id"', { place, fix: layout });
    if (typeof value.question !== 'string') throw new DataError(`QA ${id}: "question" must be a string`, { place, fix: layout });
    const answers = stringList(value.answers, 'answers', id, place);
    const contextIds = value.context_ids === undefined ? [] : stringList(value.context_ids, 'context_ids', id, place);
    const longAnswer = value.long_answer;
    if (longAnswer !== undefined && longAnswer !== null && typeof longAnswer !== 'string') {
      throw new DataError(`QA ${id}: "long_answer" must be a string`, { place, fix: layout });
    }
    if (items.has(id)) throw new DataError(`duplicate QA id ${JSON.stringify(id)}`, { place, fix: 'QA ids must be unique' });
    const decision = decisionOf(answers);
    items.set(id, {
      question: value.question,
      answers,
      contextIds,
      ...(decision ? { decision } : {}),
      ...(typeof longAnswer === 'string' && longAnswer.trim() !== '' ? { longAnswer } : {}),
    });
  }
  return items;
}

/**
 * JSON Lines split at \n only. Not `readJsonl`: node:readline also ends lines at U+2028/U+2029, which are legal
 * inside JSON strings, and PubMedQA's qa.jsonl has one (line 994, a long_answer), so a readline-based reader
 * reports valid data as malformed. QA files are small, so reading the whole file is fine.
 */
async function readJsonLines(file: string): Promise<JsonlRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DataError(`cannot read QA file: ${(error as Error).message}`, { place: { file }, fix: 'check the qa path', cause: error });
  }
  const records: JsonlRecord[] = [];
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    try {
      records.push({ value: JSON.parse(raw) as unknown, line });
    } catch (error) {
      throw new DataError(`malformed JSON: ${(error as Error).message}`, { place: { file, line }, fix: 'each line must be one JSON object', cause: error });
    }
  });
  return records;
}

function stringList(value: unknown, field: string, id: string, place: { file: string; line: number }): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new DataError(`QA ${id}: "${field}" must be an array of strings`, { place, fix: layout });
  }
  return value as string[];
}

/** The shared label when all answers are one yes/no/maybe (case and spaces ignored); else undefined. */
function decisionOf(answers: readonly string[]): Decision | undefined {
  const labels = new Set(answers.map((answer) => answer.trim().toLowerCase()));
  if (labels.size !== 1) return undefined;
  const [label] = labels;
  return decisions.find((d) => d === label);
}

/**
 * The free-text gold answers EM, F1 and answer coverage compare against. For a decision set the `answers` are
 * only labels ("yes"), which no free-text answer should be matched against: the long answer is used when there
 * is one, else none (those metrics are then null, and decision accuracy is the measure).
 */
export function referenceAnswers(item: QaItem): readonly string[] {
  if (item.decision === undefined) return item.answers;
  return item.longAnswer === undefined ? [] : [item.longAnswer];
}

/**
 * A QA file must belong to the queries it is evaluated with: ids it has that the queries lack mean another test
 * set. Queries without a QA record are allowed (their answer metrics are null). Throws DataError.
 */
export function checkQaIds(qa: QaSet, queries: readonly Query[], file: string): void {
  const queryIds = new Set(queries.map((q) => q.id));
  const unknown = [...qa.keys()].filter((id) => !queryIds.has(id));
  if (unknown.length > 0) {
    throw new DataError(`${unknown.length} QA id(s) are not query ids (first: ${unknown[0]})`, {
      place: { file },
      fix: 'qa.jsonl ids must be the ids of queries.jsonl: both must come from the same test set',
    });
  }
}
