import { describe, expect, it } from 'vitest';
import type { Document } from '../../../src/corpus/types.js';
import { tokenizeAlnumLower } from '../../../src/retrievers/tokenize.js';
import { addNoise, generateKnownItemQueries, knownItemDefaults, type KnownItemOptions } from '../../../src/synth/known-item.js';
import { createRandom } from '../../../src/stats/random.js';
import { readCorpus } from '../chunkers/corpus.js';
import { lacks } from '../../helpers/datasets.js';

const cranfield = lacks('cranfield') ? [] : readCorpus('cranfield');
const options = (overrides: Partial<KnownItemOptions> = {}): KnownItemOptions => ({ ...knownItemDefaults, queries: 60, seed: 1, ...overrides });

describe.skipIf(lacks('cranfield'))('known-item queries', () => {
  it('are reproducible by seed, and differ with another seed', () => {
    const a = generateKnownItemQueries(cranfield, options());
    expect(generateKnownItemQueries(cranfield, options())).toEqual(a);
    const b = generateKnownItemQueries(cranfield, options({ seed: 2 }));
    expect(b.queries.map((q) => q.text)).not.toEqual(a.queries.map((q) => q.text));
    expect(a.queries).toHaveLength(60);
    expect(new Set(a.queries.map((q) => q.id)).size).toBe(60);
    expect(new Set(a.queries.map((q) => q.text)).size).toBe(60);
  });

  it('label a passage of whole sentences inside an existing document, as long as asked', () => {
    const byId = new Map(cranfield.map((d) => [d.id, d]));
    for (const query of generateKnownItemQueries(cranfield, options({ passageSentences: 3, minPassageChars: 120 })).queries) {
      expect(query.type).toBe('known-item');
      expect(query.spans).toHaveLength(1);
      const [span] = query.spans;
      const doc = byId.get(span!.docId)!;
      expect(doc).toBeDefined();
      expect(span!.start).toBeGreaterThanOrEqual(0);
      expect(span!.end).toBeLessThanOrEqual(doc.text.length);
      expect(span!.end - span!.start).toBeGreaterThanOrEqual(120);
      const passage = doc.text.slice(span!.start, span!.end);
      expect(passage.trim()).toBe(passage);
      // Every sampled term comes from the passage.
      const words = new Set(tokenizeAlnumLower(passage));
      for (const term of query.terms) expect(words.has(term)).toBe(true);
    }
  });

  it.each([0, 0.2, 0.5, 1])('perturbs round(noise × terms) terms at noise %d', (noise) => {
    const { queries } = generateKnownItemQueries(cranfield, options({ noise }));
    for (const q of queries) {
      expect(q.perturbations).toHaveLength(Math.round(noise * q.terms.length));
      const drops = q.perturbations.filter((p) => p.op === 'drop').length;
      expect(q.text.split(' ')).toHaveLength(q.terms.length - drops);
      expect(q.text.length).toBeGreaterThan(0);
    }
    if (noise === 0) for (const q of queries) expect(q.text).toBe(q.terms.join(' '));
    if (noise === 1) {
      const ops = new Set(queries.flatMap((q) => q.perturbations.map((p) => p.op)));
      expect([...ops].sort()).toEqual(['drop', 'reorder', 'replace']);
    }
  });

  it('asks for the configured number of terms, fewer only when the passage has fewer', () => {
    for (const q of generateKnownItemQueries(cranfield, options({ termsPerQuery: 4, noise: 0 })).queries) {
      expect(q.terms.length).toBeLessThanOrEqual(4);
      expect(q.terms.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('reports what it could not make: short documents, an exhausted corpus', () => {
    const docs: Document[] = [
      { id: 'short', text: 'Too short.' },
      { id: 'a', text: 'Turbulent boundary layers thicken downstream of the shock. Laminar separation bubbles shrink at higher speed.' },
      { id: 'b', text: 'Rocket nozzles expand exhaust gases supersonically. Injectant jets generate strong side forces inside.' },
    ];
    const result = generateKnownItemQueries(docs, options({ queries: 10, passageSentences: 1, minPassageChars: 30 }));
    expect(result.queries.length).toBeGreaterThan(0);
    expect(result.queries.length).toBeLessThanOrEqual(4); // two documents × two one-sentence passages
    expect(result.dropped['no passage of 1 sentence(s) ≥ 30 chars']).toBe(1);
    expect(result.dropped['corpus exhausted before the requested number of queries']).toBe(1);
  });

  it.each([
    [{ queries: 0 }, /queries must be a positive integer/],
    [{ noise: 1.5 }, /noise must be in \[0, 1\]/],
    [{ termsPerQuery: 2.5 }, /termsPerQuery/],
  ])('rejects %j', (overrides, message) => {
    expect(() => generateKnownItemQueries(cranfield, options(overrides))).toThrow(message);
  });
});

describe('addNoise', () => {
  const doc: Document = { id: 'd', text: 'wing wings wingtip flutter' };
  const vocabulary = ['flutter', 'wing', 'wings', 'wingspan', 'wingtip'];
  const context = (seed: number) => ({ random: createRandom(seed), vocabulary, doc, idf: new Map([['flutter', 1]]) });

  it('replaces a term by the corpus term sharing the longest prefix', () => {
    let replaced = 0;
    for (let seed = 0; seed < 30; seed++) {
      const { perturbations } = addNoise(['wingspan', 'flutter'], 0.5, context(seed));
      for (const p of perturbations.filter((p) => p.op === 'replace' && p.term === 'wingspan')) {
        expect(p.replacement).toBe('wings'); // 5 shared letters; wing and wingtip share 4
        replaced++;
      }
    }
    expect(replaced).toBeGreaterThan(0);
  });

  it('never drops every term', () => {
    for (let seed = 0; seed < 50; seed++) expect(addNoise(['wing'], 1, context(seed)).words).toHaveLength(1);
  });
});
