import { checkInputs, type Score } from '../score.js';

/**
 * The lexical floor the shared datasets publish in `reference/overlap_baseline.json` ("answer content-token recall
 * against context"): tokens are `[a-z0-9]+` runs of the lowercased text; an answer token counts (with multiplicity)
 * unless it is in the stoplist below; the score is the share of counted answer tokens found in the context's
 * token set; an answer with no counted token scores 1.
 *
 * The generating script (`research/data-scripts/faithfulness_overlap_baseline.py`) is not in this repository; this
 * 99-word stoplist was recovered from the published per-row scores and reproduces all 6,716 of them exactly
 * (SALAD 2,685, BEGIN-WoW 4,031; test/reference/faithfulness.test.ts). Kept only to validate our data reading and
 * AUC code against the reference and as a named baseline; `kPrecision` is the baseline we document.
 */
export function referenceOverlap(answer: string, context: string): Score {
  const invalid = checkInputs(answer, context);
  if (invalid) return invalid;
  const counted = asciiTokens(answer).filter((token) => !referenceStoplist.has(token));
  // The reference scores an answer without content words as fully supported; reproduced, not endorsed.
  if (counted.length === 0) return { value: 1 };
  const available = new Set(asciiTokens(context));
  let found = 0;
  for (const token of counted) if (available.has(token)) found++;
  return { value: found / counted.length };
}

function asciiTokens(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

const referenceStoplist: ReadonlySet<string> = new Set(
  `a about after all also an and any are as at be been before being between both but by can could did do does during
  each few for from had has have he her here his how i if in into is it its just may me might more most must my no
  not of on only or other our over own same she should so some such than that the their them then there these they
  this those through to too under very was we were what when where which who whom why will with would you your`.split(
    /\s+/,
  ),
);
