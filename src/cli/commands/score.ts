import type { Command } from 'commander';

/** `ragbench score`: its flags and help; the work is loaded only when the command runs (actions/score.ts). */
export function registerScoreCommand(program: Command): void {
  program
    .command('score')
    .description('score a TREC run file against TREC or BEIR-tsv qrels (trec_eval conventions)')
    .requiredOption('--qrels <file>', 'qrels: TREC (qid 0 docid rel) or BEIR tsv (query-id, corpus-id, score)')
    .requiredOption('--run <file>', 'TREC run file (qid Q0 docid rank score tag)')
    .option('--metrics <list>', 'comma-separated metrics', 'recall@10,mrr@10,ndcg@10,map@100')
    .option('--include-unjudged', 'score queries with no relevant documents as 0 (trec_eval -c)', false)
    .option('--strict', 'a judged query missing from the run is an error (exit 2) instead of scoring 0', false)
    .option('--json', 'print {"metrics":{...},"perQuery":{...}}', false)
    .action(async (options: { qrels: string; run: string; metrics: string; includeUnjudged: boolean; strict: boolean; json: boolean }) => {
      const { scoreCommand } = await import('../actions/score.js');
      await scoreCommand(options);
    });
}
