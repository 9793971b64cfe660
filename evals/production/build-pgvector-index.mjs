// "Your" ingestion pipeline, which ragbench did not write: LangChain's RecursiveCharacterTextSplitter and
// PGVectorStore fill a pgvector table in a PGlite data folder (through a Postgres socket, exactly as against a
// server). ragbench then evaluates that table read-only (evals/production-index.yaml).
//
//   node evals/production/build-pgvector-index.mjs [dataDir] [--degrade 0.5]
//
// --degrade f: embed a fraction f of the chunks with another embedding model (other n-gram settings, same
// dimensions), as a botched reindex would; the regression gate should catch it.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PGVectorStore } from '@langchain/community/vectorstores/pgvector';
import { Document } from '@langchain/core/documents';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { OfflineEmbeddings } from './embeddings.mjs';

const args = process.argv.slice(2);
const degradeAt = args.indexOf('--degrade');
const degrade = degradeAt >= 0 ? Number(args[degradeAt + 1]) : 0;
const dataDir = args.find((arg, i) => !arg.startsWith('--') && i !== degradeAt + 1) ?? '.ragbench/production-pglite';

const lines = (await readFile(new URL('../../corpora/sample/corpus.jsonl', import.meta.url), 'utf8')).split('\n').filter(Boolean);
const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 400, chunkOverlap: 0 });
const documents = [];
for (const line of lines) {
  const row = JSON.parse(line);
  for (const text of await splitter.splitText(row.text)) documents.push(new Document({ pageContent: text, metadata: { docId: row._id } }));
}

await rm(dataDir, { recursive: true, force: true });
await mkdir(dataDir, { recursive: true });
const db = await PGlite.create({ dataDir, extensions: { vector } });
const socket = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
await socket.start();
const port = socket.getServerConn().split(':').at(-1);
const embeddings = new OfflineEmbeddings();
const store = await PGVectorStore.initialize(embeddings, {
  postgresConnectionOptions: { connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, max: 3 },
  tableName: 'docs',
  columns: { idColumnName: 'id', vectorColumnName: 'embedding', contentColumnName: 'content', metadataColumnName: 'metadata' },
  distanceStrategy: 'cosine',
  dimensions: 384,
});
const vectors = await embeddings.embedDocuments(documents.map((d) => d.pageContent));
if (degrade > 0) {
  const other = new OfflineEmbeddings({ charNgrams: [2] });
  const step = 1 / degrade;
  for (let i = 0; i < documents.length; i += step) vectors[Math.floor(i)] = await other.embedQuery(documents[Math.floor(i)].pageContent);
}
await store.addVectors(vectors, documents);
await store.end();
await socket.stop();
await db.close();
console.log(`${documents.length} chunks written to ${dataDir} (table docs)${degrade > 0 ? `, ${Math.round(degrade * 100)}% embedded by another model` : ''}`);
