/**
 * Sequence and string helpers for lexical alignment of an answer against a context. Pure; inputs are token or
 * term arrays already normalised by the caller.
 */

/** Character trigrams of a word padded with '#', so "heat" → {#he, hea, eat, at#}: prefixes and suffixes count. */
export function charTrigrams(word: string): Set<string> {
  const padded = `#${word}#`;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

/** Dice coefficient 2|A∩B| / (|A|+|B|) of two trigram sets: 1 for equal sets, 0 for disjoint ones. */
export function dice(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size + b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** Length of the longest common subsequence: how many of `a`'s terms reappear in `b` in the same order. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const current = [0];
    for (let j = 0; j < b.length; j++) current.push(x === b[j] ? previous[j]! + 1 : Math.max(previous[j + 1]!, current[j]!));
    previous = current;
  }
  return previous[b.length]!;
}

/** Positions of each token in `tokens`, built once per context so many answers can be matched against it. */
export function positionIndex(tokens: readonly string[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  tokens.forEach((token, j) => {
    const at = index.get(token);
    if (at) at.push(j);
    else index.set(token, [j]);
  });
  return index;
}

/**
 * Extractive fragments (Grusky et al., "Newsroom", NAACL 2018): walking the answer left to right, each position
 * takes the longest token run it shares with the context and skips past it; unmatched tokens are skipped alone.
 * Returns the fragment lengths, so Σ = answer tokens found in the context in copied runs.
 */
export function extractiveFragments(
  answer: readonly string[],
  context: readonly string[],
  index: ReadonlyMap<string, readonly number[]>,
): number[] {
  const fragments: number[] = [];
  let i = 0;
  while (i < answer.length) {
    let best = 0;
    for (const j of index.get(answer[i]!) ?? []) {
      let k = 0;
      while (i + k < answer.length && j + k < context.length && answer[i + k] === context[j + k]) k++;
      best = Math.max(best, k);
    }
    if (best > 0) {
      fragments.push(best);
      i += best;
    } else i++;
  }
  return fragments;
}

/** Length of the longest token run of `answer` that occurs verbatim (contiguously) in the context. */
export function longestCommonRun(answer: readonly string[], index: ReadonlyMap<string, readonly number[]>): number {
  let best = 0;
  let previous = new Map<number, number>();
  for (const token of answer) {
    const current = new Map<number, number>();
    for (const j of index.get(token) ?? []) {
      const run = (previous.get(j - 1) ?? 0) + 1;
      current.set(j, run);
      best = Math.max(best, run);
    }
    previous = current;
  }
  return best;
}
