import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../shared/errors.js';
import { sortJudgments, writeJsonl, writeLines, writeQrels, type Judgment } from './beir-writer.js';
import type { ConvertSummary } from '../converter-types.js';
import { parseSmart, plainId, squash, type SmartRecord } from './smart.js';

/**
 * Cranfield, CISI and CACM: the three SMART-format collections, converted as each dataset README says
 * (title `.T`, text `.W`, author `.A`, bib `.B`; every text field whitespace-squashed).
 */

const read = (raw: string, name: string) => readFile(join(raw, name), 'utf8');

function qrelLines(text: string, file: string, minColumns: number): { columns: string[]; line: number }[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ columns: line.trim().split(/\s+/), line: index + 1 }))
    .filter(({ columns }) => columns[0] !== '')
    .map((row) => {
      if (row.columns.length < minColumns) {
        throw new DataError(`qrels line has ${row.columns.length} column(s), expected ${minColumns}`, { place: { file, line: row.line } });
      }
      return row;
    });
}

function checkUnique(judgments: readonly Judgment[], file: string): void {
  const seen = new Set<string>();
  for (const j of judgments) {
    const key = `${j.queryId}\t${j.docId}`;
    if (seen.has(key)) throw new DataError(`duplicate judgment ${j.queryId} → ${j.docId}`, { place: { file } });
    seen.add(key);
  }
}

export async function convertCranfield(raw: string, out: string): Promise<ConvertSummary> {
  const docs = parseSmart(await read(raw, 'cran.all.1400'), 'cran.all.1400', new Set(['T', 'A', 'B', 'W']));
  const queries = parseSmart(await read(raw, 'cran.qry'), 'cran.qry', new Set(['W']));
  // cran.qry numbers its queries 001, 002, 004, ... while cranqrel numbers them 1..225 in file order.
  const queryRows = queries.map((q, i) => ({ _id: String(i + 1), text: squash(q.fields.get('W')), metadata: { cran_qry_id: q.id } }));
  // Cleverdon's codes: 1 = complete answer ... 4 = minimum interest; -1 = the query's source document (best).
  const gradeOf = (code: string, line: number): number => {
    if (code === '-1') return 4;
    const n = Number(code);
    if ([1, 2, 3, 4].includes(n)) return 5 - n;
    throw new DataError(`unknown relevance code ${code}`, { place: { file: 'cranqrel', line }, fix: 'cranqrel codes are -1 and 1..4' });
  };
  const rows = qrelLines(await read(raw, 'cranqrel'), 'cranqrel', 3);
  const rawCodes = rows.map(({ columns }) => `${columns[0]}\t${columns[1]}\t${columns[2]}`);
  const judgments = sortJudgments(rows.map(({ columns, line }) => ({ queryId: columns[0]!, docId: columns[1]!, score: gradeOf(columns[2]!, line) })));
  checkUnique(judgments, 'cranqrel');
  const documents = await writeJsonl(join(out, 'corpus.jsonl'), docs.map((d) => smartDocument(d, { author: 'A', bib: 'B' })));
  await writeJsonl(join(out, 'queries.jsonl'), queryRows);
  await writeQrels(out, judgments);
  await writeLines(join(out, 'qrels', 'raw-codes.tsv'), ['query-id\tcorpus-id\tscore', ...rawCodes]);
  return { documents, queries: queryRows.length, judgments: judgments.length };
}

export async function convertCisi(raw: string, out: string): Promise<ConvertSummary> {
  const docs = parseSmart(await read(raw, 'CISI.ALL'), 'CISI.ALL', new Set(['T', 'A', 'B', 'W', 'X', 'K', 'C']));
  const queries = parseSmart(await read(raw, 'CISI.QRY'), 'CISI.QRY', new Set(['T', 'A', 'B', 'W']));
  // Queries 58-112 are abstracts used as queries: their title/author/bib go to metadata, not into the text.
  const queryRows = queries.map((q) => ({ _id: plainId(q.id), text: squash(q.fields.get('W')), metadata: optionalFields(q, { title: 'T', author: 'A', bib: 'B' }) }));
  const judgments = binaryQrels(await read(raw, 'CISI.REL'), 'CISI.REL');
  const documents = await writeJsonl(join(out, 'corpus.jsonl'), docs.map((d) => smartDocument(d, { author: 'A' })));
  await writeJsonl(join(out, 'queries.jsonl'), queryRows);
  await writeQrels(out, judgments);
  return { documents, queries: queryRows.length, judgments: judgments.length };
}

/**
 * cacm.all uses every SMART field: .T title, .W abstract, .B bib, .A authors, .K keywords, .C CR classification
 * codes (1,425 documents), .N the entry's accession line and .X citation triples. The corpus keeps the text fields and
 * .K/.C as metadata; .N (bookkeeping) and .X (a citation graph, not text) are read and dropped.
 */
const cacmFields = new Set(['T', 'W', 'B', 'A', 'N', 'X', 'K', 'C']);

export async function convertCacm(raw: string, out: string): Promise<ConvertSummary> {
  const docs = parseSmart(await read(raw, 'cacm.all'), 'cacm.all', cacmFields);
  const queries = parseSmart(await read(raw, 'query.text'), 'query.text', new Set(['W', 'A', 'N']));
  // Queries without judgments stay in queries.jsonl (metrics skip unjudged queries, as trec_eval does).
  const queryRows = queries.map((q) => ({ _id: plainId(q.id), text: squash(q.fields.get('W')), metadata: optionalFields(q, { author: 'A', source: 'N' }) }));
  const judgments = binaryQrels(await read(raw, 'qrels.text'), 'qrels.text');
  const documents = await writeJsonl(
    join(out, 'corpus.jsonl'),
    docs.map((d) => smartDocument(d, { author: 'A', bib: 'B' }, { keywords: 'K', categories: 'C' })),
  );
  await writeJsonl(join(out, 'queries.jsonl'), queryRows);
  await writeQrels(out, judgments);
  return { documents, queries: queryRows.length, judgments: judgments.length };
}

/** `qid docid 0 0` lines (CISI.REL, CACM qrels.text): every listed pair is relevant, score 1. */
function binaryQrels(text: string, file: string): Judgment[] {
  const judgments = sortJudgments(
    qrelLines(text, file, 2).map(({ columns }) => ({ queryId: plainId(columns[0]!), docId: plainId(columns[1]!), score: 1 })),
  );
  checkUnique(judgments, file);
  return judgments;
}

function smartDocument(record: SmartRecord, always: Record<string, string>, optional: Record<string, string> = {}) {
  const metadata: Record<string, string> = {};
  for (const [key, letter] of Object.entries(always)) metadata[key] = squash(record.fields.get(letter));
  Object.assign(metadata, optionalFields(record, optional));
  return { _id: plainId(record.id), title: squash(record.fields.get('T')), text: squash(record.fields.get('W')), metadata };
}

function optionalFields(record: SmartRecord, fields: Record<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, letter] of Object.entries(fields)) {
    const value = record.fields.get(letter);
    if (value !== undefined) metadata[key] = squash(value);
  }
  return metadata;
}
