// Faithfulness metrics vs human labels (SALAD, BEGIN-WoW): ROC AUC per system / docs_in_prompt / model.
// Usage: npx tsc -p tsconfig.build.json && node bench/faithfulness.mjs [--write]
//   RAGBENCH_DIST=<outDir> to run on another build (e.g. when others' files break the main build).
//   --write rewrites the table section of bench/RESULTS-faithfulness.md.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = resolve(process.env.RAGBENCH_DIST ?? join(root, 'dist'));
const f = await import(join(dist, 'metrics/faithfulness/index.js'));
const { rocAuc, bestThresholdCV } = await import(join(dist, 'stats/roc.js'));
const { ensureDataset } = await import(join(dist, 'datasets/store.js'));
// SALAD has no stated licence, so ragbench never pulls it: point SALAD_DATASET_DIR at a copy of its folder.
const saladDir = process.env.SALAD_DATASET_DIR;
if (!saladDir) {
  console.error('bench/faithfulness.mjs: set SALAD_DATASET_DIR to a folder holding SALAD labels.jsonl (not redistributed: no stated licence)');
  process.exit(2);
}
const folds = 5;
const seed = 1;

// --smoke: every 8th row of each set (same fits and tables, seconds instead of minutes; never --write).
const smoke = process.argv.includes('--smoke');
const sample = (rows) => (smoke ? rows.filter((_, i) => i % 8 === 0) : rows);
const salad = sample(await f.readLabelledSet(join(saladDir, 'labels.jsonl')));
const begin = sample(await f.readLabelledSet(join(await ensureDataset('begin-wow'), 'labels.jsonl')));
// Fold units: a SALAD question with all six systems' sentences; a BEGIN knowledge snippet with all responses to it.
// Each dataset gets the same total weight in the pooled fit (BEGIN has 1.5× SALAD's rows and a dialogue style that
// would otherwise set the weights); the average weight is 1, so λ keeps its meaning.
const totalRows = salad.length + begin.length;
const examples = (rows, group) =>
  rows.map((r) => ({ answer: r.answer, context: r.context, faithful: r.faithful, group: group(r), weight: totalRows / (2 * rows.length) }));
const saladEx = examples(salad, (r) => `salad:${r.fields.question_id}`);
const beginEx = examples(begin, (r) => `begin:${r.context}`);
const pooled = [...saladEx, ...beginEx];

const started = performance.now();
const oof = f.crossValidatedScores(pooled, { folds, seed });
const cvSeconds = (performance.now() - started) / 1000;
const shipped = f.fitFaithfulnessModel(pooled, { folds, seed });
const saladOnly = f.fitFaithfulnessModel(saladEx, { folds, seed });
const beginOnly = f.fitFaithfulnessModel(beginEx, { folds, seed });

const scoreAll = (rows, metric) => rows.map((r) => metric(r.answer, r.context).value);
const timed = (rows) => {
  const t = performance.now();
  scoreAll(rows, f.faithfulnessMetrics['lexical-alignment']);
  return Math.round(rows.length / ((performance.now() - t) / 1000));
};
const rowsPerSecond = timed([...salad, ...begin]);

const columns = {
  'k-precision': (rows) => scoreAll(rows, f.kPrecision),
  'reference overlap': (rows) => scoreAll(rows, f.referenceOverlap),
  'lexical-alignment (out-of-fold)': (rows) => rows.map((r) => oof[rowIndex.get(r)]),
  'lexical-alignment (shipped weights, in-sample)': (rows) => scoreAll(rows, f.faithfulnessMetrics['lexical-alignment']),
};
const rowIndex = new Map([...salad, ...begin].map((r, i) => [r, i]));

/** AUC over the rows a metric scored (nulls left out and counted). */
function auc(values, rows) {
  const kept = rows.flatMap((r, i) => (values[i] === null ? [] : [i]));
  return rocAuc(kept.map((i) => values[i]), kept.map((i) => rows[i].faithful));
}

const slices = [
  ['SALAD all', salad],
  ...['webgpt', 'gpt3_wdoc', 'gpt3_whudoc', 'alpaca_wdoc', 'gpt3', 'alpaca'].map((s) => [`SALAD ${s}`, salad.filter((r) => r.fields.system === s)]),
  ['SALAD docs_in_prompt=true', salad.filter((r) => r.fields.docs_in_prompt === true)],
  ['SALAD docs_in_prompt=false', salad.filter((r) => r.fields.docs_in_prompt === false)],
  ['BEGIN all', begin],
  ...['ctrl', 'doha', 'gpt2', 't5'].map((m) => [`BEGIN ${m}`, begin.filter((r) => r.fields.model === m)]),
];
// The transfer column scores a whole dataset with the model fitted on the other one.
const transfer = new Map();
const saladTransfer = scoreAll(salad, (a, c) => f.lexicalFaithfulness(a, c, { model: beginOnly }));
const beginTransfer = scoreAll(begin, (a, c) => f.lexicalFaithfulness(a, c, { model: saladOnly }));
salad.forEach((r, i) => transfer.set(r, saladTransfer[i]));
begin.forEach((r, i) => transfer.set(r, beginTransfer[i]));
columns['transfer (fit on the other dataset)'] = (rows) => rows.map((r) => transfer.get(r));

const names = Object.keys(columns);
const lines = [`| slice | n (faithful/unfaithful) | ${names.join(' | ')} |`, `| --- | --- | ${names.map(() => '---:').join(' | ')} |`];
for (const [label, rows] of slices) {
  const counts = `${rows.length} (${rows.filter((r) => r.faithful).length}/${rows.filter((r) => !r.faithful).length})`;
  lines.push(`| ${label} | ${counts} | ${names.map((n) => auc(columns[n](rows), rows).toFixed(3)).join(' | ')} |`);
}
// Out-of-fold balanced accuracy: threshold chosen on the other folds (same grouping), per dataset.
const balanced = (rows, values, group) => {
  const kept = rows.flatMap((r, i) => (values[i] === null ? [] : [i]));
  return bestThresholdCV(kept.map((i) => values[i]), kept.map((i) => rows[i].faithful), {
    groups: kept.map((i) => group(rows[i])), folds, seed,
  }).balancedAccuracy;
};
const baLine = (label, rows, group) =>
  `| ${label} | ${['k-precision', 'reference overlap', 'lexical-alignment (out-of-fold)'].map((n) => balanced(rows, columns[n](rows), group).toFixed(3)).join(' | ')} |`;
const nulls = names.map((n) => `${n}: ${[...salad, ...begin].filter((r, i) => columns[n]([r])[0] === null).length}`).join('; ');

const report = [
  lines.join('\n'),
  '',
  'Balanced accuracy, threshold chosen by grouped 5-fold CV (out-of-fold):',
  '',
  '| dataset | k-precision | reference overlap | lexical-alignment (out-of-fold) |',
  '| --- | ---: | ---: | ---: |',
  baLine('SALAD', salad, (r) => String(r.fields.question_id)),
  baLine('BEGIN', begin, (r) => r.context),
  '',
  `Rows a metric returned null for (left out of its AUC): ${nulls}.`,
  '',
  `Shipped model (pooled fit over ${f.modelInputNames.length} inputs, λ = ${shipped.l2}): weights ${JSON.stringify(shipped.weights.map((w) => +w.toFixed(6)))}, bias ${shipped.bias.toFixed(6)}`,
  `SALAD-only λ = ${saladOnly.l2}, BEGIN-only λ = ${beginOnly.l2}. Nested CV took ${cvSeconds.toFixed(1)} s; lexical-alignment scores ${rowsPerSecond} rows/s.`,
].join('\n');
console.log(report);

const shippedNow = f.lexicalAlignmentModel;
const drift = Math.max(...shipped.weights.map((w, i) => Math.abs(w - shippedNow.weights[i])), Math.abs(shipped.bias - shippedNow.bias));
if (drift > 1e-3) console.log(`\nNOTE: src/metrics/faithfulness/model/lexical-alignment.ts holds other weights (max difference ${drift.toFixed(4)}); paste the ones above.`);

// The shipped model's training rows, by content key, so `ragbench faithfulness` never scores them in-sample.
const { trainingRowKey } = await import(join(dist, 'metrics/faithfulness/model/training-rows.js'));
const trainingKeys = [...new Set([...salad, ...begin].map((r) => trainingRowKey(r.answer, r.context)))].sort();
const trainingFile = [
  '// Generated by `node bench/faithfulness.mjs --write`: the keys (training-rows.ts) of the SALAD and BEGIN-WoW rows the',
  `// shipped lexical-alignment weights were fitted on (${salad.length} + ${begin.length} rows, ${trainingKeys.length} distinct). Do not edit.`,
  'export const shippedTrainingRowKeys =',
  ...Array.from({ length: Math.ceil(trainingKeys.length / 96) }, (_, i) => `  '${trainingKeys.slice(i * 96, i * 96 + 96).join('')}'`).map((line, i, all) => `${line}${i < all.length - 1 ? ' +' : ';'}`),
  '',
].join('\n');

const { shippedTrainingRowKeys } = await import(join(dist, 'metrics/faithfulness/model/lexical-alignment-training.js'));
if (shippedTrainingRowKeys !== trainingKeys.join('')) console.log('\nNOTE: lexical-alignment-training.ts lists other training rows; run with --write.');

if (process.argv.includes('--write') && !smoke) {
  await writeFile(join(root, 'src/metrics/faithfulness/model/lexical-alignment-training.ts'), trainingFile);
  const file = join(root, 'bench/RESULTS-faithfulness.md');
  const text = await readFile(file, 'utf8');
  const begin_ = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const at = text.indexOf(begin_);
  const to = text.indexOf(end);
  if (at < 0 || to < 0) throw new Error(`${file} lacks the ${begin_} … ${end} markers`);
  await writeFile(file, `${text.slice(0, at + begin_.length)}\n${report}\n${text.slice(to)}`);
  console.log(`\nwrote ${file}`);
}
