/** What a converter wrote, for the pull summary and the dataset manifest. */
export interface ConvertSummary {
  readonly documents?: number;
  readonly queries?: number;
  readonly judgments?: number;
  readonly labels?: number;
}

/** Turns the upstream files in `raw` into the BEIR layout in `out` (both folders exist). */
export type Converter = (raw: string, out: string) => Promise<ConvertSummary>;
