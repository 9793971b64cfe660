import type { TokenOffsetsOf } from '../../metrics/spans.js';
import { createTokenOffsets, type TokenOffsets } from '../../shared/text/token-offsets.js';
import { readAllDocuments, type LoadedCorpus } from '../load-corpus.js';

/**
 * cl100k token positions of the corpus's documents, tokenized on first use and kept for the run — only when a
 * `token-*` span metric or a token-budget metric (`…@tokens=N`) asks for them (tokenizing is the slow part).
 * `metrics`: the eval's canonical metric and span metric labels.
 */
export async function documentTokens(corpus: LoadedCorpus, metrics: readonly string[]): Promise<TokenOffsetsOf | undefined> {
  if (!metrics.some((metric) => metric.startsWith('token-') || metric.includes('@tokens='))) return undefined;
  // Only these metrics keep every text in memory (the corpus streams otherwise, issue 14).
  const texts = new Map((await readAllDocuments(corpus)).map((doc) => [doc.id, doc.text]));
  const offsets = new Map<string, TokenOffsets>();
  let tokenize: ((text: string) => TokenOffsets) | undefined;
  return (docId) => {
    let found = offsets.get(docId);
    if (!found) {
      tokenize ??= createTokenOffsets('cl100k_base');
      found = tokenize(texts.get(docId) ?? '');
      offsets.set(docId, found);
    }
    return found;
  };
}
