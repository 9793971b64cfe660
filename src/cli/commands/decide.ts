import type { Command } from 'commander';
import { globalOptions } from '../global-options.js';

/** `ragbench decide`: its flags and help; the work is loaded only when the command runs (actions/decide.ts). */
export function registerDecideCommand(program: Command): void {
  program
    .command('decide')
    .description('prompt-only, RAG or fine-tuning? answers the questions closed-book, per retriever arm, with the gold passages (and the whole corpus when it fits); recommends with evidence')
    .argument('<eval.yaml>', 'an eval with an answers: section (optional decide:), e.g. evals/rag-vs-closed-book.yaml')
    .option('--out <dir>', 'write the run (plus decision.md, decision.html, decision.json) here instead of <work-dir>/runs/<id>')
    .option('--json', 'print the decision report as JSON', false)
    .action(async (evalFile: string, options: { out?: string; json: boolean }, command: Command) => {
      const { decideCommand } = await import('../actions/decide.js');
      await decideCommand(evalFile, options, globalOptions(command));
    });
}
