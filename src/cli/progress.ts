import type { Progress } from '../shared/progress.js';
import { silentProgress } from '../shared/progress.js';

/**
 * Count, rate and ETA on one redrawn stderr line, then each pipeline stage's count and rate (`· chunk 5120 9000/s
 * · embed 4864 8700/s · write 4608 8200/s`: the slowest stage sets the pace) — only on an interactive terminal outside CI, so logs
 * and CI output stay clean.
 */
export function createTerminalProgress(stream: NodeJS.WriteStream = process.stderr, env = process.env): Progress {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
  if (!stream.isTTY || ci) return silentProgress;
  let label = '';
  let total: number | undefined;
  let done = 0;
  let startedAt = 0;
  let drawnAt = 0;
  // Units per pipeline stage in this phase (ingest: chunk, embed, write), in the order first reported.
  let stages = new Map<string, number>();
  const draw = (force: boolean) => {
    const now = performance.now();
    if (!force && now - drawnAt < 100) return;
    drawnAt = now;
    const seconds = (now - startedAt) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    let line = `${label} ${done}${total !== undefined ? `/${total}` : ''} ${rate.toFixed(1)}/s`;
    if (total !== undefined && rate > 0 && done < total) line += ` ETA ${formatDuration((total - done) / rate)}`;
    for (const [name, units] of stages) line += ` · ${name} ${units} ${seconds > 0 ? (units / seconds).toFixed(0) : '0'}/s`;
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
  };
  return {
    start(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      done = 0;
      stages = new Map();
      startedAt = performance.now();
      draw(true);
    },
    advance(units) {
      done += units;
      draw(false);
    },
    stage(name, units) {
      stages.set(name, (stages.get(name) ?? 0) + units);
      draw(false);
    },
    done() {
      draw(true);
      stream.write('\r\x1b[2K');
    },
  };
}

/**
 * A store's one-line message (a server NOTICE, index build progress) on stderr, on its own line: on a terminal the
 * progress line is cleared first and redrawn by its next update.
 */
export function printNotice(message: string, stream: NodeJS.WriteStream = process.stderr): void {
  stream.write(`${stream.isTTY ? '\r\x1b[2K' : ''}ragbench: ${message}\n`);
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Warnings go to stderr on their own line whatever the terminal: they change how numbers should be read. */
export function printWarning(message: string): void {
  process.stderr.write(`\nragbench: warning: ${message}\n`);
}
