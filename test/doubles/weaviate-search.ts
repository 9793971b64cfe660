import { ServerError, Status } from 'nice-grpc';
import type { Filters } from '../../node_modules/weaviate-client/dist/node/esm/proto/v1/base.js';

/**
 * The parts of Weaviate's search the double answers beyond vectors, as documented (weaviate.io "Filters",
 * "Keyword (BM25) search", "Hybrid search"): where filters on properties, BM25F over text properties
 * (tokenization `word`: lowercase alphanumeric runs; k1 1.2, b 0.75, English stopwords dropped), and the two
 * hybrid fusions — rankedFusion Σ weight / (60 + rank), ranks from 0, and relativeScoreFusion, each list's
 * scores min-max normalised to [0, 1] (1 when all equal) and summed with weights alpha (vector) and 1 − alpha.
 */
export type Properties = Record<string, unknown>;

/** Weaviate's `en` stopword preset (the short list the docs name). */
const stopwords = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(' '),
);

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => !stopwords.has(t));
}

/** Operator numbers of weaviate.v1 Filters.Operator. */
const op = { equal: 1, notEqual: 2, gt: 3, gte: 4, lt: 5, lte: 6, and: 7, or: 8, like: 10, isNull: 11, containsAny: 12, containsAll: 13, containsNone: 14, not: 15 } as const;

function operandOf(filter: Filters): unknown {
  return (
    filter.valueText ??
    filter.valueInt ??
    filter.valueNumber ??
    filter.valueBoolean ??
    filter.valueTextArray?.values ??
    filter.valueIntArray?.values ??
    filter.valueNumberArray?.values ??
    filter.valueBooleanArray?.values
  );
}

/** Whether an object passes a where filter; a filter on an unknown property is refused, as Weaviate does. */
export function matchesWhere(properties: Properties, filter: Filters | undefined, known: ReadonlySet<string>): boolean {
  if (!filter) return true;
  if (filter.operator === op.and) return filter.filters.every((f) => matchesWhere(properties, f, known));
  if (filter.operator === op.or) return filter.filters.some((f) => matchesWhere(properties, f, known));
  if (filter.operator === op.not) return !filter.filters.every((f) => matchesWhere(properties, f, known));
  const property = filter.target?.property ?? filter.on[0];
  if (property === undefined) throw new ServerError(Status.UNKNOWN, 'invalid where filter: no property (references are not in the double)');
  if (!known.has(property)) throw new ServerError(Status.UNKNOWN, `explorer: get class: filter: no such prop with name '${property}' found in class in the schema. Check your schema files for which properties in this class are available`);
  const value = properties[property];
  const operand = operandOf(filter);
  const values = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  switch (filter.operator) {
    case op.equal:
      return values.some((v) => v === operand);
    case op.notEqual:
      return !values.some((v) => v === operand);
    case op.gt:
      return values.some((v) => (v as number) > (operand as number));
    case op.gte:
      return values.some((v) => (v as number) >= (operand as number));
    case op.lt:
      return values.some((v) => (v as number) < (operand as number));
    case op.lte:
      return values.some((v) => (v as number) <= (operand as number));
    case op.like: {
      const pattern = new RegExp(`^${String(operand).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
      return values.some((v) => pattern.test(String(v)));
    }
    case op.isNull:
      return (values.length === 0) === operand;
    case op.containsAny:
      return (operand as unknown[]).some((o) => values.includes(o));
    case op.containsAll:
      return (operand as unknown[]).every((o) => values.includes(o));
    case op.containsNone:
      return !(operand as unknown[]).some((o) => values.includes(o));
  }
  throw new ServerError(Status.UNKNOWN, `invalid where filter: operator ${filter.operator} is not in the double`);
}

/** BM25F scores (summed over `fields`, each field its own length normalisation) of every object with a match. */
export function bm25(objects: readonly { id: string; properties: Properties }[], query: string, fields: readonly string[]): Map<string, number> {
  const terms = [...new Set(tokenize(query))];
  const scores = new Map<string, number>();
  const n = objects.length;
  for (const field of fields) {
    const docs = objects.map((o) => ({ id: o.id, tokens: tokenize(typeof o.properties[field] === 'string' ? (o.properties[field] as string) : '') }));
    const average = docs.reduce((sum, d) => sum + d.tokens.length, 0) / Math.max(1, n);
    for (const term of terms) {
      const df = docs.filter((d) => d.tokens.includes(term)).length;
      if (df === 0) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (const d of docs) {
        const tf = d.tokens.filter((t) => t === term).length;
        if (tf === 0) continue;
        const score = (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * d.tokens.length) / Math.max(average, 1e-9)));
        scores.set(d.id, (scores.get(d.id) ?? 0) + score);
      }
    }
  }
  return scores;
}

export type Ranked = readonly { readonly id: string; readonly score: number }[];

/** Fuses a vector list and a keyword list (each best first, score higher is better) as Weaviate's hybrid does. */
export function fuse(vector: Ranked, keyword: Ranked, alpha: number, fusion: 'ranked' | 'relativeScore'): { id: string; score: number }[] {
  const total = new Map<string, number>();
  const add = (list: Ranked, weight: number) => {
    if (weight === 0) return;
    if (fusion === 'ranked') {
      list.forEach((hit, rank) => total.set(hit.id, (total.get(hit.id) ?? 0) + weight / (60 + rank)));
      return;
    }
    const scores = list.map((h) => h.score);
    const [min, max] = [Math.min(...scores), Math.max(...scores)];
    for (const hit of list) total.set(hit.id, (total.get(hit.id) ?? 0) + weight * (max === min ? 1 : (hit.score - min) / (max - min)));
  };
  // alpha 1 is a pure vector search and 0 a pure keyword search: only a weighted list brings candidates.
  for (const hit of [...(alpha > 0 ? vector : []), ...(alpha < 1 ? keyword : [])]) if (!total.has(hit.id)) total.set(hit.id, 0);
  add(vector, alpha);
  add(keyword, 1 - alpha);
  return [...total].map(([id, score]) => ({ id, score: Math.fround(score) })).sort((a, b) => b.score - a.score);
}
