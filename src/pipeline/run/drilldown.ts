import type { Document, Judgments, Query, SpanJudgments } from '../../corpus/types.js';
import type { DocumentRecord, DrilldownData, DrilldownResult, QueryRecord } from '../../report/run/html-model.js';
import type { QueryResult } from './results.js';

/**
 * What a run folder keeps for the per-query drill-down, besides results.jsonl: the scored queries with their labels
 * (queries.jsonl) and the documents any stored chunk or label points into (documents.jsonl). Chunk text is not
 * stored per arm: a chunk id `docId#start-end` holds its offsets into the document, so each text is stored once
 * however many arms retrieved it (on the chunking shootout that is ~10× smaller than chunk text per arm).
 */
export async function drilldownRecords(input: {
  readonly queries: readonly Query[];
  readonly judgments: Judgments;
  readonly spans?: SpanJudgments | undefined;
  /** The corpus in file order: streamed, only the wanted documents are kept. */
  readonly documents: Iterable<Document> | AsyncIterable<Document>;
  readonly results: readonly QueryResult[];
}): Promise<{ queries: QueryRecord[]; documents: DocumentRecord[] }> {
  const scored = new Set(input.results.map((r) => r.queryId));
  const queries = input.queries
    .filter((q) => scored.has(q.id))
    .map((q): QueryRecord => {
      const judged = Object.fromEntries([...(input.judgments.get(q.id) ?? [])].filter(([, grade]) => grade > 0));
      const spans = input.spans?.get(q.id);
      return { id: q.id, text: q.text, judged, ...(spans ? { spans: spans.map((s) => ({ docId: s.docId, start: s.start, end: s.end, grade: s.grade })) } : {}) };
    });
  const wanted = new Set<string>();
  for (const result of input.results) {
    for (const chunk of result.chunks ?? []) wanted.add(parseChunkId(chunk.id)[0]);
    for (const doc of result.top) wanted.add(doc.docId);
  }
  for (const query of queries) {
    for (const docId of Object.keys(query.judged)) wanted.add(docId);
    for (const span of query.spans ?? []) wanted.add(span.docId);
  }
  const documents: DocumentRecord[] = [];
  for await (const doc of input.documents) {
    if (wanted.has(doc.id)) documents.push({ id: doc.id, ...(doc.title ? { title: doc.title } : {}), text: doc.text });
  }
  return { queries, documents };
}

/** `docId#start-end` → [docId, start, end]; offsets −1 when the id has none (a retriever with its own ids). */
export function parseChunkId(id: string): [string, number, number] {
  const match = /^(.*)#(\d+)-(\d+)$/s.exec(id);
  return match ? [match[1]!, Number(match[2]), Number(match[3])] : [id, -1, -1];
}

/** One arm's results → the drill-down's per-query records (every metric in one map; chunks as tuples). */
function drilldownResults(results: readonly QueryResult[]): Record<string, DrilldownResult> {
  return Object.fromEntries(
    results.map((r) => {
      const chunks = (r.chunks ?? r.top.map((doc) => ({ id: doc.docId, score: doc.score }))).map((c) => {
        const [docId, start, end] = parseChunkId(c.id);
        return [docId, start, end, c.score] as const;
      });
      const result: DrilldownResult = {
        metrics: rounded({ ...r.metrics, ...(r.spans ?? {}), ...(r.answer?.scores ?? {}) }),
        chunks,
        relevantRanks: r.relevantRanks ?? {},
        ...(r.answer
          ? {
              answer: {
                text: r.answer.text,
                ...(r.answer.label ? { label: r.answer.label } : {}),
                scores: r.answer.scores,
                reasons: r.answer.reasons,
                ...(r.answer.claims ? { claims: r.answer.claims } : {}),
              },
            }
          : {}),
      };
      return [r.queryId, result];
    }),
  );
}

/** Four decimals: the page shows three (as the terminal does); full values stay in results.jsonl. */
function rounded(values: Readonly<Record<string, number | null>>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null ? null : Math.round(v * 1e4) / 1e4]));
}

/** Builds the embedded drill-down data from one or more runs' arms. */
export function drilldownData(input: {
  readonly queries: readonly QueryRecord[];
  readonly documents: readonly DocumentRecord[];
  readonly arms: readonly { readonly name: string; readonly results: readonly QueryResult[] }[];
  readonly metrics: readonly string[];
  readonly k: number;
  readonly baselineArm?: number;
}): DrilldownData {
  return {
    queries: input.queries,
    documents: Object.fromEntries(input.documents.map((d) => [d.id, { ...(d.title ? { title: d.title } : {}), text: d.text }])),
    arms: input.arms.map((arm) => ({ name: arm.name, results: drilldownResults(arm.results) })),
    metrics: input.metrics,
    k: input.k,
    baselineArm: input.baselineArm ?? 0,
  };
}
