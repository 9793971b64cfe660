import { unscorable, type Score } from './faithfulness/score.js';
import { contentTokens, tokens } from './text-normalize.js';

/**
 * Context recall: did retrieval hand the generator what it needed? Two views, both Scores in [0, 1]:
 * - gold passage recall: the share of the gold passages (QA `context_ids`) among the retrieved chunks' documents;
 * - answer coverage: the share of the gold answer's content tokens that occur in the retrieved text.
 * null when there is nothing to look for (no gold passages; no gold answer with a content word). Retrieving
 * nothing is a real 0.
 */

/**
 * `retrievedDocIds`: the documents of the top-k chunks given to the generator, best first (duplicates allowed:
 * a document counts once however many of its chunks were retrieved, so the value never exceeds 1).
 */
export function goldPassageRecall(retrievedDocIds: readonly string[], goldIds: readonly string[]): Score {
  const gold = new Set(goldIds);
  if (gold.size === 0) return unscorable('no gold passages for this question');
  const retrieved = new Set(retrievedDocIds);
  let found = 0;
  for (const id of gold) if (retrieved.has(id)) found++;
  return { value: found / gold.size, detail: { found, gold: gold.size } };
}

/**
 * The best (maximum over gold answers) share of a gold answer's content tokens — SQuAD-normalised tokens
 * without stopwords, with multiplicity — that occur anywhere in the retrieved text. A gold answer of only
 * stopwords ("yes") cannot be looked for and is skipped; if none is left the score is null.
 */
export function answerCoverage(golds: readonly string[], retrievedText: string): Score {
  if (golds.length === 0) return unscorable('no gold answer');
  const candidates = golds.map(contentTokens).filter((list) => list.length > 0);
  if (candidates.length === 0) return unscorable('the gold answers have no content words to look for');
  const available = new Set(tokens(retrievedText));
  let best = 0;
  for (const list of candidates) {
    let found = 0;
    for (const token of list) if (available.has(token)) found++;
    best = Math.max(best, found / list.length);
  }
  return { value: best };
}
