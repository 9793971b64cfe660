/**
 * Progress events from long work. Library code reports; only `cli/progress.ts` draws (on a TTY, not in CI).
 */
export interface Progress {
  /** Starts a phase of `total` units (undefined when unknown). */
  start(label: string, total?: number): void;
  advance(units: number): void;
  done(): void;
}

export const silentProgress: Progress = {
  start() {},
  advance() {},
  done() {},
};
