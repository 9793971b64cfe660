import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../../doubles/openai-server.js';
import { runSample } from '../../helpers/external-index.js';

describe('kind: langchain embedder', () => {
  let server: OpenAiServer;
  beforeAll(async () => {
    server = await startOpenAiServer({ apiKey: 'lc-key' });
  });
  afterAll(async () => server?.close());

  const retriever = () => ({
    kind: 'dense',
    embedder: {
      kind: 'langchain',
      module: '@langchain/openai',
      export: 'OpenAIEmbeddings',
      options: { model: 'text-embedding-3-small', dimensions: 64, maxRetries: 0, configuration: { baseURL: server.url } },
      secretOptions: { apiKey: 'LC_KEY' },
    },
    store: { kind: 'memory' },
  });

  it('embeds through the LangChain class, caches on disk like built-in embedders, and keeps the key out of the manifest', async () => {
    const first = await runSample(retriever(), { env: { LC_KEY: 'lc-key' } });
    const requests = server.requests.length;
    expect(requests).toBeGreaterThan(1);
    // Same settings, same work dir: chunks and queries come from the embedding cache; the probe is the only call.
    const second = await runSample(retriever(), { env: { LC_KEY: 'lc-key' }, workDir: first.workDir });
    expect(server.requests.length - requests).toBe(1);
    expect([...second.perQuery]).toEqual([...first.perQuery]);
    const manifest = JSON.stringify(second.manifest);
    expect(manifest).toContain('LC_KEY');
    expect(manifest).not.toContain('lc-key');
  }, 60_000);

  it('a missing package or export is a config error with the fix', async () => {
    const missing = { ...retriever(), embedder: { kind: 'langchain', module: '@langchain/not-installed', export: 'X' } };
    await expect(runSample(missing)).rejects.toMatchObject({ code: 'E_CONFIG', fix: expect.stringContaining('npm install @langchain/not-installed') });
    const wrongExport = { ...retriever(), embedder: { ...retriever().embedder, export: 'OpenAIEmbedding' } };
    await expect(runSample(wrongExport, { env: { LC_KEY: 'lc-key' } })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('no export "OpenAIEmbedding"') });
  }, 60_000);
});
