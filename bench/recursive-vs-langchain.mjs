// ragbench `recursive` vs LangChain's RecursiveCharacterTextSplitter: same chunk texts, throughput of each.
//
//   npm run build && node bench/recursive-vs-langchain.mjs [--runs 10] [--size 800] [--overlap 100] [--module path]
//
// The input is every IR dataset (cranfield, cisi, pubmedqa-pqal, pulled on first use; title + text per document,
// documents separated by a blank line) plus the distinct contexts of begin-wow and, when SALAD_DATASET_DIR points at
// a copy (SALAD has no stated licence, so it is never pulled), salad-lfqa-attribution, split as one
// string so all four default separators ("\n\n", "\n", " ", "") are exercised. `--module` points at another
// build of src/chunkers/registry.js (default ../dist/chunkers/registry.js).
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    smoke: { type: 'boolean', default: false },
    size: { type: 'string', default: '800' },
    overlap: { type: 'string', default: '100' },
    module: { type: 'string', default: fileURLToPath(new URL('../dist/chunkers/registry.js', import.meta.url)) },
  },
});
const smoke = process.argv.includes('--smoke'); // small data, same code path (what .ci/run runs)
const runs = smoke ? 1 : Number(args.runs);
const sizeChars = Number(args.size);
const overlapChars = Number(args.overlap);

const { ensureDataset } = await import('../dist/datasets/store.js');
const folderOf = async (name) => (name === 'salad-lfqa-attribution' ? process.env.SALAD_DATASET_DIR : await ensureDataset(name));
const readJsonl = (path) => readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line));

const parts = [];
for (const name of ['cranfield', 'cisi', 'pubmedqa-pqal']) {
  for (const doc of readJsonl(`${await folderOf(name)}/corpus.jsonl`)) parts.push(doc.title ? `${doc.title}\n${doc.text}` : doc.text);
}
for (const name of ['salad-lfqa-attribution', 'begin-wow']) {
  const folder = await folderOf(name);
  const path = `${folder}/labels.jsonl`;
  if (folder && existsSync(path)) parts.push(...new Set(readJsonl(path).map((row) => row.context)));
}
const text = (smoke ? parts.slice(0, 200) : parts).join('\n\n');
const megabytes = Buffer.byteLength(text) / 1e6;

const registryPath = resolve(args.module);
if (!existsSync(registryPath)) {
  console.error(`${registryPath} not found: run \`npm run build\` first (or pass --module)`);
  process.exit(2);
}
const { createChunker } = await import(pathToFileURL(registryPath).href);
const ours = createChunker('recursive', { sizeChars, overlapChars });
const theirs = new RecursiveCharacterTextSplitter({ chunkSize: sizeChars, chunkOverlap: overlapChars });
const doc = { id: 'bench', text };

/** Runs both splitters alternately (so both meet the same GC and machine load), after one warm-up run each. */
async function race(contenders) {
  const times = contenders.map(() => []);
  const results = [];
  for (let run = 0; run <= runs; run++) {
    for (const [i, { split }] of contenders.entries()) {
      const started = performance.now();
      results[i] = await split();
      if (run > 0) times[i].push(performance.now() - started);
    }
  }
  return contenders.map(({ label }, i) => {
    const median = times[i].sort((a, b) => a - b)[Math.floor(times[i].length / 2)];
    console.log(`${label.padEnd(10)} median ${median.toFixed(1).padStart(8)} ms  ${(megabytes / (median / 1000)).toFixed(1).padStart(7)} MB/s`);
    return { result: results[i], median };
  });
}

console.log(`input: ${megabytes.toFixed(2)} MB (${text.length} UTF-16 units), chunkSize ${sizeChars}, overlap ${overlapChars}, ${runs} runs`);
const [lc, rb] = await race([
  { label: 'langchain', split: () => theirs.splitText(text) },
  { label: 'ragbench', split: () => ours.chunk(doc) },
]);

const expected = lc.result;
const got = rb.result.map((chunk) => chunk.text);
const firstDiff = expected.findIndex((t, i) => t !== got[i]);
if (got.length !== expected.length || firstDiff !== -1) {
  console.error(`MISMATCH: ${got.length} chunks vs LangChain's ${expected.length}; first difference at ${firstDiff}`);
  process.exit(1);
}
const spansOk = rb.result.every((c) => text.slice(c.start, c.end) === c.text);
console.log(`identical chunk texts: ${got.length} chunks; span invariant ${spansOk ? 'holds' : 'BROKEN'}`);
console.log(`speed-up: ${(lc.median / rb.median).toFixed(1)}x`);
if (!spansOk) process.exit(1);
