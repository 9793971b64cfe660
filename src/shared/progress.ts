/**
 * Progress events from long work. Library code reports; only `cli/progress.ts` draws (on a TTY, not in CI).
 */
export interface Progress {
  /** Starts a phase of `total` units (undefined when unknown). */
  start(label: string, total?: number): void;
  advance(units: number): void;
  /**
   * Units through one stage of the phase's pipeline (ingest: chunks chunked, embedded, written), drawn beside the
   * phase's own count with each stage's rate. Optional: a progress without it shows the phase only.
   */
  stage?(name: string, units: number): void;
  done(): void;
}

export const silentProgress: Progress = {
  start() {},
  advance() {},
  done() {},
};
