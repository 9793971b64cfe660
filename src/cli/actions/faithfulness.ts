import {
  faithfulnessMetrics,
  validateFaithfulnessMetric,
  readLabelledSet,
  type FaithfulnessMetricName,
} from '../../metrics/faithfulness/index.js';
import { DataError, UsageError } from '../../shared/errors.js';

interface FaithfulnessOptions {
  readonly labels: string;
  readonly metric: string;
  readonly groupBy?: string;
  readonly folds: string;
  readonly seed: string;
  readonly json: boolean;
}

/**
 * `ragbench faithfulness --labels <labels.jsonl>`: validates an offline faithfulness metric on a labelled set
 * (the shared layout: id, question, context, answer, label faithful|unfaithful), so users can check a metric on
 * their own annotations before trusting it. Rows the shipped weights were fitted on are never scored in-sample
 * (see validateFaithfulnessMetric); the output says which basis its figures have.
 */
export async function faithfulnessCommand(options: FaithfulnessOptions): Promise<void> {
  const names = Object.keys(faithfulnessMetrics);
  if (!names.includes(options.metric)) {
    throw new UsageError(`--metric ${options.metric} is not a faithfulness metric`, `use one of: ${names.join(', ')}`);
  }
  const folds = Number(options.folds);
  const seed = Number(options.seed);
  if (!Number.isInteger(folds) || folds < 2) throw new UsageError(`--folds ${options.folds} must be an integer ≥ 2`, 'e.g. --folds 5');
  if (!Number.isInteger(seed)) throw new UsageError(`--seed ${options.seed} must be an integer`, 'e.g. --seed 42');
  const rows = await readLabelledSet(options.labels);
  const groupBy = options.groupBy;
  if (groupBy !== undefined && !rows.some((row) => row.fields[groupBy] !== undefined)) {
    throw new UsageError(`--group-by ${groupBy}: no row of ${options.labels} has that field`, 'name a field of the rows, e.g. system');
  }
  const classes = new Set(rows.map((row) => row.faithful));
  if (classes.size < 2) {
    throw new DataError('the labelled set needs both faithful and unfaithful rows to measure a metric', {
      place: { file: options.labels },
      fix: 'add rows of the missing label',
    });
  }
  const metric = faithfulnessMetrics[options.metric as FaithfulnessMetricName];
  const result = validateFaithfulnessMetric(rows, options.metric, metric, {
    folds,
    seed,
    ...(groupBy !== undefined ? { groupBy: (row) => String(row.fields[groupBy] ?? '(none)') } : {}),
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ metric: options.metric, rows: rows.length, ...result })}\n`);
    return;
  }
  const outOfFold = result.basis === 'refit-out-of-fold' ? ', out-of-fold' : '';
  const lines = [
    `metric ${options.metric} on ${options.labels}: ${result.scored} rows scored, ${result.nullCount} not scorable`,
    `note: ${result.note}`,
    `ROC AUC (faithful${outOfFold})`.padEnd(32) + result.auc.toFixed(4),
    `balanced accuracy (${folds}-fold CV)  ${result.balancedAccuracy.toFixed(4)}   threshold ${result.threshold.toFixed(4)} (faithful iff score ≥ threshold)`,
  ];
  for (const [group, auc] of Object.entries(result.aucByGroup)) lines.push(`  AUC ${groupBy}=${group}`.padEnd(33) + auc.toFixed(4));
  lines.push('', `calibration${outOfFold ? ' (out-of-fold)' : ''}     rows  mean score  faithful rate`);
  for (const bin of result.calibration) {
    if (bin.count === 0) continue;
    lines.push(
      `[${bin.lower.toFixed(1)}, ${bin.upper.toFixed(1)})`.padEnd(14) +
        String(bin.count).padStart(6) +
        (bin.meanScore ?? 0).toFixed(3).padStart(12) +
        (bin.positiveRate ?? 0).toFixed(3).padStart(15),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
