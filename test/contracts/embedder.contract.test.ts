import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embedders/embedder.js';
import { embedders } from '../../src/embedders/registry.js';
import { createEnv } from '../../src/shared/env.js';
import { startOpenAiServer, type OpenAiServer } from '../doubles/openai-server.js';

/**
 * One behaviour suite over every embedder (Kysely's DIALECTS). Filter with RAGBENCH_EMBEDDERS=hashing,openai-double.
 * The real OpenAI variant runs only when OPENAI_API_KEY is set.
 */
interface EmbedderCase {
  readonly name: string;
  /** Why the case cannot run here; undefined when it can. */
  readonly skipReason?: string;
  /** Remote models are not bitwise deterministic; local ones are. */
  readonly exact: boolean;
  create(): Promise<Embedder>;
}

let server: OpenAiServer | undefined;
const workDir = '/nonexistent-workdir';

const cases: EmbedderCase[] = [
  {
    name: 'hashing',
    exact: true,
    create: () => embedders.hashing.create(embedders.hashing.options.parse({}), { env: createEnv({}), workDir }),
  },
  {
    name: 'openai-double',
    exact: true,
    async create() {
      server ??= await startOpenAiServer({ apiKey: 'contract-key' });
      const options = embedders.openai.options.parse({ baseURL: server.url, dimensions: 256, maxBatchSize: 2 });
      return embedders.openai.create(options, { env: createEnv({ OPENAI_API_KEY: 'contract-key' }), workDir });
    },
  },
  {
    // A LangChain Embeddings class loaded by module + export name, talking to the same wire-level double.
    name: 'langchain-openai-double',
    exact: true,
    async create() {
      server ??= await startOpenAiServer({ apiKey: 'contract-key' });
      const options = embedders.langchain.options.parse({
        module: '@langchain/openai',
        export: 'OpenAIEmbeddings',
        options: { model: 'text-embedding-3-small', dimensions: 256, batchSize: 2, maxRetries: 0, configuration: { baseURL: server.url } },
        secretOptions: { apiKey: 'LC_OPENAI_KEY' },
      });
      return embedders.langchain.create(options, { env: createEnv({ LC_OPENAI_KEY: 'contract-key' }), workDir });
    },
  },
  {
    name: 'openai (real service)',
    exact: false,
    skipReason: process.env.OPENAI_API_KEY ? undefined : 'OPENAI_API_KEY is not set',
    create: () =>
      embedders.openai.create(embedders.openai.options.parse({ dimensions: 256 }), { env: createEnv(process.env), workDir }),
  },
];

const only = process.env.RAGBENCH_EMBEDDERS?.split(',').map((s) => s.trim());
const selected = cases.filter((c) => !only || only.includes(c.name));

afterAll(async () => {
  await server?.close();
});

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

for (const embedderCase of selected) {
  if (embedderCase.skipReason) {
    it.skip(`embedder contract: ${embedderCase.name} (skipped: ${embedderCase.skipReason})`, () => {});
    continue;
  }
  describe(`embedder contract: ${embedderCase.name}`, () => {
    let embedder: Embedder;
    beforeAll(async () => {
      embedder = await embedderCase.create();
    });

    it('declares a fingerprint, positive dimensions and batch size', () => {
      expect(embedder.fingerprint.length).toBeGreaterThan(0);
      expect(Number.isInteger(embedder.dimensions) && embedder.dimensions > 0).toBe(true);
      expect(Number.isInteger(embedder.maxBatchSize) && embedder.maxBatchSize > 0).toBe(true);
    });

    it('returns one finite Float32Array of `dimensions` per text, also past maxBatchSize', async () => {
      const texts = Array.from({ length: Math.min(embedder.maxBatchSize + 1, 5) }, (_, i) => `contract text ${i}`);
      const vectors = await embedder.embed(texts, 'document');
      expect(vectors).toHaveLength(texts.length);
      for (const vector of vectors) {
        expect(vector).toBeInstanceOf(Float32Array);
        expect(vector.length).toBe(embedder.dimensions);
        expect(vector.every(Number.isFinite)).toBe(true);
      }
    });

    it('returns no vectors for no texts', async () => {
      expect(await embedder.embed([], 'document')).toEqual([]);
    });

    it('gives the same text the same vector on every call', async () => {
      const text = 'Pressure distribution on a swept wing at supersonic speed.';
      const [a] = await embedder.embed([text], 'document');
      const [b] = await embedder.embed(['something else', text], 'document').then((v) => [v[1]]);
      if (embedderCase.exact) expect(Array.from(b!)).toEqual(Array.from(a!));
      else expect(cosine(a!, b!)).toBeGreaterThan(0.99);
    });

    it('accepts both roles and places a query nearer its matching document than an unrelated one', async () => {
      const [query] = await embedder.embed(['boundary layer transition on a flat plate'], 'query');
      const [match, other] = await embedder.embed(
        ['Experiments on boundary layer transition over a flat plate.', 'A recipe for lemon cake with sugar and eggs.'],
        'document',
      );
      expect(query!.length).toBe(embedder.dimensions);
      expect(cosine(query!, match!)).toBeGreaterThan(cosine(query!, other!));
    });
  });
}
