
/**
 * One row of `summary.json` `answerMatrix`: one cell (answerer × prompt × temperature × retrieval arm × context
 * mode) on one answer metric. `mean`, `lower`, `upper`: the mean of per-query means over repeats and its
 * percentile-bootstrap interval over queries (src/stats/repeats.ts); `repeatSd`: the mean within-query SD across
 * repeats (null with one repeat). `cost`: list-price USD of the cell's answers (cached ones included: a run without
 * the cache pays for them), null with `costReason` when the model has no price. `latencyP50`: median ms of the
 * answers actually sent (null when every answer came from the cache).
 */
export interface AnswerMatrixRow {
  readonly cell: string;
  readonly answerer: string;
  readonly model: string | null;
  readonly prompt: string;
  readonly temperature: number | null;
  readonly arm: string | null;
  /** retrieved, gold or closed-book (answers/answerer.ts ContextMode). */
  readonly contexts: 'retrieved' | 'gold' | 'closed-book';
  readonly metric: string;
  readonly mean: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly queries: number;
  readonly repeats: number;
  readonly repeatSd: number | null;
  readonly nullShare: number;
  readonly cost: number | null;
  readonly costReason?: string;
  readonly latencyP50: number | null;
}

/** One answer of the matrix (`answers.jsonl` in the run folder): the drill-down and decide's paired input. */
export interface AnswerRecord {
  readonly cell: string;
  readonly queryId: string;
  /** 1-based; also the sampling seed sent. */
  readonly repeat: number;
  readonly text: string;
  readonly label?: string;
  readonly scores: Readonly<Record<string, number | null>>;
  readonly cached: boolean;
  readonly latencyMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The cell key, also in every row and record. */
export function cellKey(cell: Pick<AnswerMatrixRow, 'answerer' | 'prompt' | 'temperature' | 'arm' | 'contexts'>): string {
  return [cell.answerer, cell.prompt, cell.temperature === null ? '-' : `t${cell.temperature}`, cell.contexts, cell.arm ?? '-'].join(' / ');
}
