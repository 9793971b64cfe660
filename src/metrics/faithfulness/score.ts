/**
 * A faithfulness score for one answer against its context: `value` in [0, 1], higher = better supported.
 * When a metric cannot score (empty answer, empty context, nothing checkable), `value` is null and `reason` says
 * why: never a fake 0 (which would read as "unfaithful") and never NaN (which poisons means and AUCs).
 */
export type Score =
  | { readonly value: number; readonly detail?: Readonly<Record<string, number>>; readonly claims?: readonly ClaimVerdict[] }
  | { readonly value: null; readonly reason: string };

/** An LLM judge's verdict on one claim of an answer, after the quote check (kept so a reader can audit the score). */
export interface ClaimVerdict {
  readonly claim: string;
  readonly verdict: 'supported' | 'unsupported' | 'contradicted';
  readonly quote: string;
  /** The judge said supported or contradicted, but its quote is not in the context: counted as unsupported. */
  readonly downgraded?: boolean;
}

/** A faithfulness metric: pure, offline, deterministic. */
export type FaithfulnessMetric = (answer: string, context: string) => Score;

export function unscorable(reason: string): Score {
  return { value: null, reason };
}

/** null when the answer or the context has no words at all; shared by every metric so they agree on it. */
export function checkInputs(answer: string, context: string): Score | undefined {
  if (!/[\p{L}\p{N}]/u.test(answer)) return unscorable('empty answer: no words to check');
  if (!/[\p{L}\p{N}]/u.test(context)) return unscorable('empty context: nothing to check the answer against');
  return undefined;
}
