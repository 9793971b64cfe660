import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRun, runRankings } from '../../../src/metrics/run-file.js';
import { readRunRankings } from '../../../src/metrics/run-stream.js';

let dir = '';
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'rb-run-stream-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('readRunRankings (streamed run for `ragbench score`)', () => {
  it('equals runRankings(readRun(…)): trec_eval order with score ties, interleaved queries, BOM, blank and CRLF lines', async () => {
    const lines = ['\uFEFFq1 Q0 b 1 2.0 t', 'q2 Q0 x 1 1 t', '', 'q1 Q0 a 2 2.0 t\r', 'q1 Q0 c 3 3.5 t', 'q2 Q0 y 2 1.5 t'];
    // Tabs and runs of spaces, a signed rank, exponent scores, non-ASCII ids (read by parseRunLine), a no-break space.
    lines.push('q2\tQ0\tz\t+3\t1e-3\tt', '  q2   Q0 \u00fcber -4 2E0 t  ', 'q3\u00a0Q0 w 1 0.5 t'.replace('\u00a0', ' '), 'q2 Q0 \u00a0v 5 -1 t');
    // Large enough to cross the 1 MB read pieces several times.
    for (let q = 3; q < 400; q++) for (let d = 0; d < 100; d++) lines.push(`q${q} Q0 doc-${(d * 37) % 100}-${q} ${d + 1} ${(d % 7) / 3} run`);
    const path = await file('run.trec', lines.join('\n'));
    const streamed = await readRunRankings(path);
    expect(streamed).toEqual(runRankings(await readRun(path)));
    expect(streamed.get('q1')).toEqual(['c', 'b', 'a']);
  });

  it('reports a duplicate document at its second line, as readRun does', async () => {
    const path = await file('dup.trec', 'q1 Q0 a 1 3 t\nq1 Q0 b 2 2 t\nq2 Q0 a 1 1 t\nq1 Q0 a 3 1 t\n');
    const streamed = await readRunRankings(path).catch((error: unknown) => error);
    const whole = await readRun(path).catch((error: unknown) => error);
    expect(streamed).toMatchObject({ message: expect.stringMatching(/:4 query q1 lists doc a twice \(first at line 1\)$/), place: { line: 4 } });
    expect(streamed).toEqual(whole);
  });

  it('a malformed line and a missing file are DataErrors naming the place', async () => {
    await expect(readRunRankings(await file('bad.trec', 'q1 Q0 a 1 1 t\nq1 Q0 b 1 t\n'))).rejects.toMatchObject({ place: { line: 2 }, code: 'E_DATA' });
    await expect(readRunRankings(join(dir, 'missing.trec'))).rejects.toMatchObject({ message: expect.stringMatching(/cannot read run file/) });
  });
});
