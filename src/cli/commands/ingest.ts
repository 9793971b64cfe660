import type { Command } from 'commander';
import { globalOptions } from '../global-options.js';

/** `ragbench ingest`: its flags and help; the work is loaded only when the command runs (actions/ingest.ts). */
export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('chunk, embed and index a corpus into a retriever; resumable (run again after an interruption)')
    .argument('<retriever.yaml>', 'retriever config, e.g. retrievers/local.yaml')
    .requiredOption('--corpus <corpus>', 'corpus config (corpora/*.yaml), name, or folder')
    .requiredOption('--chunker <chunker...>', 'one or more chunker configs (chunkers/*.yaml) or names')
    .action(async (retrieverFile: string, options: { corpus: string; chunker: string[] }, command: Command) => {
      const { ingestCommand } = await import('../actions/ingest.js');
      await ingestCommand(retrieverFile, options, globalOptions(command));
    });
}
