/**
 * Offline known-item queries, after Azzopardi, de Rijke & Balog, "Building simulated queries for known-item
 * topics" (SIGIR 2007): pick a document, pick a passage in it, sample query terms from the passage with
 * probability ∝ tf(passage) × idf(corpus) (their discriminative term selection), then perturb a controlled share
 * of the terms (their noise model, extended with reordering). The passage is the label: its span, and its
 * document as a qrel. Pure and seeded: same documents and options, same queries, on every platform.
 */
import { segmentSentences } from '../chunkers/sentences.js';
import type { Document } from '../corpus/types.js';
import { tokenizeAlnumLower } from '../retrievers/tokenize.js';
import { createRandom, type Random } from '../stats/random.js';
import type { DropCounts, SynthQuery } from './write-test-set.js';

export interface KnownItemOptions {
  /** How many queries to make. */
  readonly queries: number;
  readonly seed: number;
  /** Share of query terms perturbed, in [0, 1]: round(noise × terms) of them are dropped, replaced or moved. */
  readonly noise: number;
  /** Terms sampled per query before noise. */
  readonly termsPerQuery: number;
  /** Consecutive sentences in a passage. */
  readonly passageSentences: number;
  /** A passage shorter than this is not used (too little to ask about). */
  readonly minPassageChars: number;
  /** Sentence segmentation locale, as the sentences chunker's. */
  readonly locale: string;
}

export const knownItemDefaults: Omit<KnownItemOptions, 'queries' | 'seed'> = {
  noise: 0.2,
  termsPerQuery: 6,
  passageSentences: 2,
  minPassageChars: 80,
  locale: 'en',
};

type NoiseOp = 'drop' | 'replace' | 'reorder';

/** How one sampled term was perturbed; `replacement` for `replace`. */
interface Perturbation {
  readonly op: NoiseOp;
  readonly term: string;
  readonly replacement?: string;
}

interface KnownItemQuery extends SynthQuery {
  /** The sampled terms before noise, in passage order. */
  readonly terms: readonly string[];
  readonly perturbations: readonly Perturbation[];
}

interface KnownItemResult {
  readonly queries: readonly KnownItemQuery[];
  /** Candidates not kept, by reason (the synth report lists them). */
  readonly dropped: DropCounts;
}

// idf already discounts frequent words; this list only stops them in small corpora where idf cannot.
const stopwords = new Set(
  ('the and for with that this are was were from which has have been its not but their these than then also can may ' +
    'into such each any all our out upon there they them some more most other only over under very when where while ' +
    'would should could will shall being both between about after before here how what who whom why').split(' '),
);

const isCandidateTerm = (term: string) => term.length >= 3 && !/^\d+$/.test(term) && !stopwords.has(term);

/** Known-item queries over `documents` (see the module comment); fewer than asked when the corpus runs out. */
export function generateKnownItemQueries(documents: readonly Document[], options: KnownItemOptions): KnownItemResult {
  checkOptions(options);
  const random = createRandom(options.seed);
  const idf = inverseDocumentFrequencies(documents);
  const vocabulary = [...idf.keys()].filter((t) => idf.get(t)! > 0 && isCandidateTerm(t)).sort();
  const segmenter = new Intl.Segmenter(options.locale, { granularity: 'sentence' });
  const order = shuffle(documents.map((_, i) => i), random);
  const queries: KnownItemQuery[] = [];
  const dropped: Record<string, number> = {};
  const drop = (reason: string) => (dropped[reason] = (dropped[reason] ?? 0) + 1);
  const usedPassages = new Set<string>();
  const texts = new Set<string>();
  // Several passes over the shuffled documents when more queries than documents are asked for; a bound on
  // attempts keeps a corpus without usable passages from looping forever.
  const maxAttempts = Math.max(order.length * 3, options.queries * 3);
  for (let attempt = 0; queries.length < options.queries && attempt < maxAttempts && order.length > 0; attempt++) {
    const doc = documents[order[attempt % order.length]!]!;
    const passages = passageWindows(doc.text, segmenter, options);
    if (passages.length === 0) {
      if (attempt < order.length) drop(`no passage of ${options.passageSentences} sentence(s) ≥ ${options.minPassageChars} chars`);
      continue;
    }
    const [start, end] = passages[random.int(passages.length)]!;
    const key = `${doc.id}\u0000${start}`;
    if (usedPassages.has(key)) continue; // a later pass drew a passage already asked about
    usedPassages.add(key);
    const terms = sampleTerms(doc.text.slice(start, end), idf, options.termsPerQuery, random);
    if (terms.length < 2) {
      drop('fewer than 2 salient terms in the passage');
      continue;
    }
    const { words, perturbations } = addNoise(terms, options.noise, { random, vocabulary, doc, idf });
    const text = words.join(' ');
    if (texts.has(text)) {
      drop('duplicate query text');
      continue;
    }
    texts.add(text);
    queries.push({
      id: `ki-${queries.length + 1}`,
      text,
      type: 'known-item',
      spans: [{ docId: doc.id, start, end, grade: 1 }],
      terms,
      perturbations,
    });
  }
  if (queries.length < options.queries) drop('corpus exhausted before the requested number of queries');
  return { queries, dropped };
}

function checkOptions(o: KnownItemOptions): void {
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  };
  positive('queries', o.queries);
  positive('termsPerQuery', o.termsPerQuery);
  positive('passageSentences', o.passageSentences);
  if (!(o.noise >= 0 && o.noise <= 1)) throw new RangeError(`noise must be in [0, 1], got ${o.noise}`);
  if (!(o.minPassageChars >= 0)) throw new RangeError(`minPassageChars must be ≥ 0, got ${o.minPassageChars}`);
}

/** idf = ln(N / df) over the documents' alnum-lower tokens (the BM25 tokenisation, so queries match it). */
export function inverseDocumentFrequencies(documents: readonly Document[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const doc of documents) for (const term of new Set(tokenizeAlnumLower(doc.text))) df.set(term, (df.get(term) ?? 0) + 1);
  const n = documents.length;
  return new Map([...df].map(([term, count]) => [term, Math.log(n / count)]));
}

/** Every window of `passageSentences` consecutive sentences at least `minPassageChars` long, as [start, end). */
function passageWindows(text: string, segmenter: Intl.Segmenter, o: KnownItemOptions): [number, number][] {
  const sentences = segmentSentences(text, segmenter, true);
  const count = sentences.length / 2;
  const size = Math.min(o.passageSentences, count);
  const out: [number, number][] = [];
  for (let first = 0; first + size <= count && size > 0; first++) {
    const start = sentences[first * 2]!;
    const end = sentences[(first + size - 1) * 2 + 1]!;
    if (end - start >= o.minPassageChars) out.push([start, end]);
  }
  return out;
}

/** Up to `n` distinct terms drawn without replacement, P ∝ tf × idf; returned in order of first occurrence. */
function sampleTerms(passage: string, idf: ReadonlyMap<string, number>, n: number, random: Random): string[] {
  const tokens = tokenizeAlnumLower(passage);
  const tf = new Map<string, number>();
  for (const t of tokens) if (isCandidateTerm(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
  // Map order is first occurrence, so the weights (and the draw) are deterministic.
  const pool = [...tf].map(([term, count]) => ({ term, weight: count * (idf.get(term) ?? 0) })).filter((p) => p.weight > 0);
  const chosen = new Set<string>();
  while (chosen.size < n && pool.length > 0) {
    const total = pool.reduce((sum, p) => sum + p.weight, 0);
    let target = random.next() * total;
    let index = 0;
    while (index < pool.length - 1 && target >= pool[index]!.weight) target -= pool[index++]!.weight;
    chosen.add(pool.splice(index, 1)[0]!.term);
  }
  return tokens.filter((t, i) => chosen.has(t) && tokens.indexOf(t) === i);
}

interface NoiseContext {
  readonly random: Random;
  /** Candidate terms of the corpus, sorted, so terms sharing a prefix are neighbours. */
  readonly vocabulary: readonly string[];
  readonly doc: Document;
  readonly idf: ReadonlyMap<string, number>;
}

/**
 * Perturbs exactly round(noise × terms.length) distinct terms, each by an op drawn uniformly:
 * - `drop`: the term is left out (the user forgot it); never the last term standing, which is replaced instead;
 * - `replace`: a near term — the corpus term sharing the longest prefix of ≥ 4 letters (a morphological
 *   neighbour: "wing" → "wings"), else a random salient term of the same document (on topic, not in the passage);
 * - `reorder`: the term moves to another position (matters to dense retrievers, not to BM25).
 */
export function addNoise(terms: readonly string[], noise: number, context: NoiseContext): { words: string[]; perturbations: Perturbation[] } {
  const { random } = context;
  const count = Math.round(noise * terms.length);
  const targets = new Set(shuffle(terms.map((_, i) => i), random).slice(0, count));
  const ops = new Map<number, NoiseOp>();
  for (const i of [...targets].sort((a, b) => a - b)) ops.set(i, (['drop', 'replace', 'reorder'] as const)[random.int(3)]!);
  if ([...ops.values()].filter((op) => op === 'drop').length >= terms.length) ops.set(terms.length - 1, 'replace');
  const perturbations: Perturbation[] = [];
  let words: string[] = [];
  const moves: string[] = [];
  terms.forEach((term, i) => {
    const op = ops.get(i);
    if (op === 'drop') perturbations.push({ op, term });
    else if (op === 'replace') {
      const replacement = nearTerm(term, context, terms);
      perturbations.push({ op, term, replacement });
      words.push(replacement);
    } else if (op === 'reorder') {
      perturbations.push({ op, term });
      moves.push(term);
    } else words.push(term);
  });
  for (const term of moves) {
    // Inserting at a random slot of the others moves it unless chance puts it back in place; that is noise too.
    const at = random.int(words.length + 1);
    words = [...words.slice(0, at), term, ...words.slice(at)];
  }
  return { words, perturbations };
}

function nearTerm(term: string, { random, vocabulary, doc, idf }: NoiseContext, avoid: readonly string[]): string {
  let low = 0;
  let high = vocabulary.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (vocabulary[mid]! < term) low = mid + 1;
    else high = mid;
  }
  let best: string[] = [];
  let bestLength = 3; // a shared prefix of at least 4 letters
  for (const step of [-1, 1]) {
    for (let i = step < 0 ? low - 1 : low; i >= 0 && i < vocabulary.length; i += step) {
      const candidate = vocabulary[i]!;
      const shared = commonPrefix(candidate, term);
      if (shared <= 3) break;
      if (candidate === term || avoid.includes(candidate)) continue;
      if (shared > bestLength) [best, bestLength] = [[candidate], shared];
      else if (shared === bestLength) best.push(candidate);
    }
  }
  if (best.length > 0) return best.sort()[random.int(best.length)]!;
  const onTopic = [...new Set(tokenizeAlnumLower(doc.text))].filter((t) => isCandidateTerm(t) && !avoid.includes(t) && (idf.get(t) ?? 0) > 0);
  if (onTopic.length > 0) return onTopic[random.int(onTopic.length)]!;
  return vocabulary.length > 0 ? vocabulary[random.int(vocabulary.length)]! : term;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Fisher–Yates with the seeded source. */
function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
