import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startRetrievalServer, type RetrievalServer } from '../doubles/retrieval-server.js';
import { repoRoot } from '../helpers/datasets.js';
import { runCli } from './cli.js';

/** The http retriever's failures as the CLI reports them: one line and the exit code (3 service, 2 mapping). */
describe('ragbench run with kind: http against a failing service', () => {
  let server: RetrievalServer;
  let dir: string;
  beforeAll(async () => {
    server = await startRetrievalServer(() => [{ doc_id: '1', text: 'x', score: 1 }]);
    dir = await mkdtemp(join(tmpdir(), 'rb-http-e2e-'));
  });
  afterAll(async () => server?.close());

  async function run(retriever: Record<string, unknown>) {
    const file = join(dir, `eval-${Math.random().toString(36).slice(2)}.yaml`);
    const config = { corpus: join(repoRoot, 'corpora', 'sample.yaml'), chunkers: ['fixed-256'], retrievers: [retriever], metrics: ['recall@10'], queryLimit: 2 };
    await writeFile(file, stringify(config));
    return runCli(['run', file, '--work-dir', join(dir, '.ragbench')], { env: { SEARCH_TOKEN: 'tok-123' } });
  }
  const retriever = (extra: Record<string, unknown> = {}) => ({
    kind: 'http',
    url: server.url,
    secretHeaders: { Authorization: { env: 'SEARCH_TOKEN', prefix: 'Bearer ' } },
    fields: { docId: 'doc_id' },
    retries: 1,
    retryDelayMs: 1,
    ...extra,
  });

  it('a 500 that persists exits 3 with one line naming the URL, never the token', async () => {
    server.fault = { status: 500, times: 100 };
    const result = await run(retriever());
    server.fault = undefined;
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`POST ${server.url}`);
    expect(result.stderr).toContain('HTTP 500');
    expect(result.stderr).not.toContain('tok-123');
  }, 60_000);

  it('results without the id field exit 2 with the fix', async () => {
    const result = await run(retriever({ fields: { docId: 'id' } }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no document id at "id"');
    expect(result.stderr).toContain('fields.docId');
  }, 60_000);
});
