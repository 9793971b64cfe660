import { describe, expect, it, vi } from 'vitest';
import { createTerminalProgress, formatDuration } from '../../../src/cli/progress.js';
import { silentProgress } from '../../../src/shared/progress.js';

/** A stand-in for process.stderr that records what is drawn. */
function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, columns: 120, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream, writes };
}

describe('terminal progress', () => {
  it('draws count, total, rate and ETA on a terminal', () => {
    const { stream, writes } = fakeStream(true);
    const progress = createTerminalProgress(stream, {});
    progress.start('ingest (docs)', 100);
    progress.done();
    expect(writes[0]).toMatch(/^\r\x1b\[2Kingest \(docs\) 0\/100 0\.0\/s$/);
    expect(writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('shows an ETA once a rate is known', () => {
    const { stream, writes } = fakeStream(true);
    const progress = createTerminalProgress(stream, {});
    // A faked clock: 2 s pass between start and advance, whatever the machine's load (draws are 100 ms apart at most).
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      progress.start('retrieve', 10);
      vi.advanceTimersByTime(2000);
      progress.advance(5);
    } finally {
      vi.useRealTimers();
    }
    expect(writes.at(-1)).toMatch(/retrieve 5\/10 2\.5\/s ETA 0:02$/);
  });

  it.each([
    ['not a terminal', false, {}],
    ['CI is set', true, { CI: 'true' }],
  ])('stays silent when %s', (_case, isTTY, env) => {
    const { stream } = fakeStream(isTTY);
    expect(createTerminalProgress(stream, env as NodeJS.ProcessEnv)).toBe(silentProgress);
  });

  it.each([
    [0, '0:00'],
    [59.6, '1:00'],
    [61, '1:01'],
    [3725, '1:02:05'],
  ])('formats %s s as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
