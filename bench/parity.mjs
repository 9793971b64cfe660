// Store parity on Cranfield (issue #3): the same chunks and hashing embeddings into PGlite (exact and HNSW),
// pgvector over pglite-socket (exact and HNSW), the Pinecone double and the Weaviate double (flat and HNSW),
// compared by `runParity` (Jaccard@10, RBO, recall vs exact, metric deltas, ingest throughput per store).
// Run after `npm run build`:  node bench/parity.mjs [corpus] [chunker]   (default: cranfield recursive-800)
// The doubles are TypeScript, loaded with Node's type stripping (Node ≥ 22.18 / 24).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// The doubles import each other as `./x.js` (TypeScript's nodenext spelling); type stripping does not map that to
// `./x.ts`, so a `.js` imported from a `.ts` file that does not exist resolves to the `.ts` beside it.
registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
      const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
      if (!existsSync(new URL(specifier, context.parentURL)) && existsSync(ts)) return next(ts.href, context);
    }
    return next(specifier, context);
  },
});
// --smoke: the committed sample corpus instead of Cranfield, same stores and comparison.
const smoke = process.argv.includes('--smoke');
const [corpusArg, chunkerArg] = process.argv.slice(2).filter((arg) => arg !== '--smoke');
const corpus = smoke ? 'sample' : (corpusArg ?? 'cranfield');
const chunker = chunkerArg ?? 'recursive-800';

const { startPgliteServer } = await import(join(root, 'test/doubles/pglite-server.ts'));
const { startPineconeServer } = await import(join(root, 'test/doubles/pinecone-server.ts'));
const { startWeaviateServer } = await import(join(root, 'test/doubles/weaviate-server.ts'));
const { loadEval } = await import(join(root, 'dist/config/load-eval.js'));
const { runParity } = await import(join(root, 'dist/pipeline/parity/parity.js'));
const { renderParity } = await import(join(root, 'dist/cli/actions/parity.js'));
const { createEnv } = await import(join(root, 'dist/shared/env.js'));

const [pg, pinecone, weaviate] = await Promise.all([startPgliteServer(), startPineconeServer(), startWeaviateServer()]);
const workDir = mkdtempSync(join(tmpdir(), 'ragbench-parity-'));
const embedder = '{ kind: hashing, dimensions: 384 }';
const arm = (name, store) => `  - { name: ${name}, kind: dense, embedder: ${embedder}, store: ${store}, distance: cosine }`;
const evalFile = join(root, 'evals', `.parity-bench-${process.pid}.yaml`);
writeFileSync(
  evalFile,
  [
    'name: parity-doubles',
    `corpus: ${corpus}`,
    `chunkers: [${chunker}]`,
    'metrics: [recall@10, ndcg@10, mrr@10]',
    'retrievers:',
    arm('pglite-exact', '{ kind: pgvector, memory: true, exact: true }'),
    arm('pglite-hnsw', '{ kind: pgvector, memory: true }'),
    arm('pgsocket-exact', '{ kind: pgvector, mode: server, urlEnv: PARITY_PG_URL, exact: true }'),
    arm('pgsocket-hnsw', '{ kind: pgvector, mode: server, urlEnv: PARITY_PG_URL }'),
    arm('pinecone-double', '{ kind: pinecone, controllerHostEnv: PINECONE_CONTROLLER_HOST, pollIntervalMs: 20 }'),
    arm('weaviate-flat', '{ kind: weaviate, index: flat }'),
    arm('weaviate-hnsw', '{ kind: weaviate, index: hnsw }'),
    '',
  ].join('\n'),
);
try {
  const env = createEnv({
    ...process.env,
    PARITY_PG_URL: pg.url,
    PINECONE_API_KEY: pinecone.apiKey,
    PINECONE_CONTROLLER_HOST: pinecone.url,
    WEAVIATE_URL: weaviate.url,
    WEAVIATE_GRPC: `127.0.0.1:${weaviate.grpcPort}`,
  });
  const started = performance.now();
  const report = await runParity(await loadEval(evalFile), { workDir, env });
  console.log(renderParity(report));
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s; JSON: ${join(workDir, 'parity.json')}`);
  writeFileSync(join(workDir, 'parity.json'), JSON.stringify(report, null, 2));
} finally {
  rmSync(evalFile, { force: true });
  await Promise.all([pg.close(), pinecone.close(), weaviate.close()]);
}
