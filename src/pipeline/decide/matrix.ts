import { join } from 'node:path';
import { decideConfigSchema, decisionMetricNames } from '../../config/eval-config.js';
import type { ResolvedEval } from '../../config/load-eval.js';
import { decideMatrix, type MatrixArmKind, type MatrixDecision } from '../../report/decision/matrix.js';
import { renderMatrixDecisionHtml, renderMatrixDecisionMarkdown } from '../../report/decision/matrix-render.js';
import type { AnswerMatrixRow } from '../../report/matrix/summary.js';
import { ConfigError } from '../../shared/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../shared/files/write-atomic.js';
import { perQueryMeans } from '../../stats/repeats.js';
import { readAnswerRecords } from '../run/folder.js';
import { runEval, type RunOptions } from '../run/run-eval.js';

export interface MatrixDecideOutcome {
  readonly decision: MatrixDecision & { readonly evalName: string; readonly runId: string };
  readonly dir: string;
}

/**
 * `ragbench decide` on an eval with an answer matrix: the matrix run (`ragbench run`, same folder and files), then
 * decide's five arms picked from its cells (decide.matrix) and compared pairwise over the questions
 * (report/decision/matrix.ts). Writes decision.json, decision.md and decision.html into the run folder.
 */
export async function runMatrixDecide(plan: ResolvedEval, options: RunOptions): Promise<MatrixDecideOutcome> {
  const config = plan.answers!;
  const decide = plan.decide ?? decideConfigSchema.parse({});
  const metric = decide.primaryMetric ?? decisionMetricNames.find((m) => config.metrics.includes(m));
  if (!metric || !config.metrics.includes(metric)) {
    throw new ConfigError(`ragbench decide compares arms on a correctness metric, and answers.metrics has none (${decisionMetricNames.join(', ')})`, {
      place: { file: plan.file },
      fix: 'add decision-accuracy (yes/no/maybe sets), token-f1 or correctness-llm to answers.metrics',
    });
  }
  const { summary, dir } = await runEval(plan, options);
  const rows = (summary.answerMatrix ?? []).filter((r) => r.metric === metric);
  const records = (await readAnswerRecords(dir)) ?? [];
  const picks = pickArms(rows, config, decide.matrix ?? {});
  const arms = picks.flatMap(({ name, row }) => {
    if (!row || row.mean === null) return [];
    const scores = new Map<string, (number | null)[]>();
    for (const r of records) if (r.cell === row.cell) scores.set(r.queryId, [...(scores.get(r.queryId) ?? []), r.scores[metric] ?? null]);
    const answersCount = row.queries * row.repeats;
    return [
      {
        name,
        cell: row.cell,
        model: row.model,
        mean: row.mean,
        lower: row.lower!,
        upper: row.upper!,
        repeats: row.repeats,
        repeatSd: row.repeatSd,
        costPerQuery: row.cost === null || answersCount === 0 ? null : row.cost / answersCount,
        latencyP50: row.latencyP50,
        perQuery: perQueryMeans(scores),
      },
    ];
  });
  const skipped = picks.filter((p) => !p.row || p.row.mean === null).map((p) => ({ name: p.name, reason: p.reason ?? 'its cell scored no question' }));
  const decision = decideMatrix({ metric, arms, skipped, alpha: decide.alpha, confidence: plan.bootstrap.confidence ?? 0.95, seed: plan.bootstrap.seed ?? 42 });
  const report = { evalName: summary.evalName, runId: summary.runId, ...decision };
  await writeFileAtomic(join(dir, 'decision.md'), renderMatrixDecisionMarkdown(report));
  await writeFileAtomic(join(dir, 'decision.html'), renderMatrixDecisionHtml(report));
  await writeJsonAtomic(join(dir, 'decision.json'), report);
  return { decision: report, dir };
}

type MatrixChoice = NonNullable<NonNullable<ResolvedEval['decide']>['matrix']>;

/** decide's arms as matrix cells; an arm the matrix has no cell for is skipped with the reason. */
function pickArms(rows: readonly AnswerMatrixRow[], config: NonNullable<ResolvedEval['answers']>, choice: MatrixChoice): { name: MatrixArmKind; row?: AnswerMatrixRow; reason?: string }[] {
  const llms = Object.entries(config.answerers ?? {}).filter(([, a]) => a.kind === 'llm').map(([name]) => name);
  const base = choice.base ?? llms[0];
  const prompts = Object.entries(config.prompts ?? { default: '' });
  const zeroShot = choice.prompt ?? prompts.find(([, p]) => typeof p === 'string' || !p.fewShot)?.[0];
  const fewShot = choice.fewShot ?? prompts.find(([, p]) => typeof p !== 'string' && p.fewShot)?.[0];
  const temperature = choice.temperature ?? (config.temperatures ?? [0])[0]!;
  const arm = choice.arm ?? rows.find((r) => r.contexts === 'retrieved')?.arm ?? undefined;
  const find = (answerer: string | undefined, prompt: string | undefined, contexts: string) =>
    rows.find((r) => r.answerer === answerer && r.prompt === prompt && r.temperature === temperature && r.contexts === contexts && (contexts !== 'retrieved' || r.arm === arm));
  const wanted: [MatrixArmKind, string | undefined, string | undefined, string, string | undefined][] = [
    ['closed-book base model', base, zeroShot, 'closed-book', base ? undefined : 'no llm answerer in answers.answerers'],
    ['few-shot', base, fewShot, 'closed-book', fewShot ? undefined : 'no few-shot prompt in answers.prompts (a prompt with fewShot: { examples: N })'],
    ['RAG', base, zeroShot, 'retrieved', undefined],
    ['fine-tuned model', choice.fineTuned, zeroShot, 'closed-book', choice.fineTuned ? undefined : 'no fine-tuned answerer named (decide.matrix.fineTuned: <answerer>)'],
    ['RAG + fine-tuned', choice.fineTuned, zeroShot, 'retrieved', choice.fineTuned ? undefined : 'no fine-tuned answerer named (decide.matrix.fineTuned: <answerer>)'],
  ];
  return wanted.map(([name, answerer, prompt, contexts, reason]) => {
    const row = reason ? undefined : find(answerer, prompt, contexts);
    return row
      ? { name, row }
      : { name, reason: reason ?? `the matrix has no cell ${answerer} / ${prompt} / t${temperature} / ${contexts}${contexts === 'retrieved' ? ` / ${arm}` : ''} (check answers.contexts and decide.matrix)` };
  });
}
