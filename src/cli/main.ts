#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { RagbenchError, describeFileSystemError, exitCodes } from '../shared/errors.js';
import { redactUrlsInText } from '../shared/redact-url.js';
import { closeWorkerPools } from '../shared/worker-pool.js';
import { closeStoreConnections } from '../stores/registry.js';
import { registerRunCommand } from './commands/run.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerIngestCommand } from './commands/ingest.js';
import { registerScoreCommand } from './commands/score.js';
import { registerDecideCommand } from './commands/decide.js';
import { registerParityCommand } from './commands/parity.js';
import { registerSynthCommand } from './commands/synth.js';
import { registerFaithfulnessCommand } from './commands/faithfulness.js';
import { registerViewCommand } from './commands/view.js';
import { registerListCommand } from './commands/list.js';
import { registerDatasetsCommand } from './commands/datasets.js';

// No V8 flags: an earlier `--no-maglev` (for a wrong summary seen in 3 of 42 quick starts) did not reproduce
// (bench/maglev-summary.mjs: 0 of 15 with Maglev, 0 of 15 without), so it is gone; run-eval still cross-checks every
// summary mean against the per-query results before anything is written, and fails loudly if they differ.

/** Every command, in the order `ragbench --help` lists them; each file holds its flags and loads its work lazily. */
const commands = [registerRunCommand, registerCompareCommand, registerIngestCommand, registerScoreCommand, registerDecideCommand, registerParityCommand, registerSynthCommand, registerFaithfulnessCommand, registerViewCommand, registerListCommand, registerDatasetsCommand];

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function buildProgram(): Command {
  const program = new Command('ragbench')
    .description('Evaluate retrieval-augmented generation: chunkers, retrievers and metrics with confidence intervals.')
    .version(version)
    .addOption(
      new Option('--work-dir <dir>', 'where indexes, caches and runs are kept').env('RAGBENCH_DIR').default('.ragbench'),
    )
    .option('--debug', 'print stack traces for errors', false)
    .configureOutput({
      // Usage errors read like every other error: one line, with the fix.
      outputError: (text, write) => write(`ragbench: ${text.trim().replace(/^error: /, '')} (fix: see ragbench --help)\n`),
    })
    .exitOverride();

  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI; returns the exit code. Errors are caught here, once, and printed as one line. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit with 0; commander already printed its message
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof RagbenchError) {
      // Messages may quote a URL (an endpoint, a file's place): never its user-info or token.
      process.stderr.write(redactUrlsInText(`ragbench: ${error.message}${error.fix ? ` (fix: ${error.fix})` : ''}\n`));
      if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
      return exitCodes[error.code];
    }
    const fileSystem = describeFileSystemError(error);
    if (fileSystem) {
      process.stderr.write(`ragbench: ${fileSystem.message} (fix: free space, or choose a writable --work-dir / --out)\n`);
      if (debug) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
      return fileSystem.exit;
    }
    if ((error as Error)?.name === 'AbortError') {
      process.stderr.write('ragbench: interrupted; run the same command again to resume\n');
      return 130;
    }
    process.stderr.write(`ragbench: internal error (a bug; please report it with this trace)\n${(error as Error)?.stack ?? String(error)}\n`);
    return 70;
  } finally {
    await Promise.all([closeWorkerPools(), closeStoreConnections()]);
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
