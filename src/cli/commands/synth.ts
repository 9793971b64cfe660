import type { Command } from 'commander';
import { globalOptions } from '../global-options.js';
import type { SynthCommandOptions } from '../actions/synth.js';

/** `ragbench synth`: its flags and help; the work is loaded only when the command runs (actions/synth.ts). */
export function registerSynthCommand(program: Command): void {
  program
    .command('synth')
    .description('generate a test set with span labels from a corpus: known-item queries offline, or LLM-written questions')
    .argument('<corpus>', 'corpus config (corpora/*.yaml), name, or folder')
    .requiredOption('--out <dir>', 'folder to write (BEIR layout + qrels/test.spans.jsonl + synth-report.json + README.md)')
    .option('--method <method>', 'known-item (offline) or llm', 'known-item')
    .option('--queries <n>', 'how many queries', '100')
    .option('--seed <n>', 'random seed (same seed, same test set)', '1')
    .option('--noise <share>', 'known-item: share of query terms dropped, replaced or moved (default 0.2)')
    .option('--terms <n>', 'known-item: terms drawn per query before noise (default 6)')
    .option('--passage-sentences <n>', 'known-item: sentences per labelled passage (default 2)')
    .option('--llm <chat.yaml>', 'llm: chat model config (kind: openai, model, baseURL …)')
    .option('--types <shares>', 'llm: question type shares (default factoid=0.6,multi-hop=0.2,unanswerable=0.2)')
    .option('--quote-tolerance <share>', 'llm: allowed edit distance of a fuzzy quote match / quote length (default 0.1)')
    .option('--dedup <jaccard>', 'llm: drop a question this similar (token Jaccard) to a kept one (default 0.8)')
    .action(async (corpus: string, options: SynthCommandOptions, command: Command) => {
      const { synthCommand } = await import('../actions/synth.js');
      await synthCommand(corpus, options, globalOptions(command));
    });
}
