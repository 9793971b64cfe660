#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { RagbenchError, describeFileSystemError, exitCodes } from '../shared/errors.js';
import { redactUrlsInText } from '../shared/redact-url.js';
import type { GlobalOptions } from './global-options.js';
import type { ParityCliOptions } from './commands/parity.js';
import type { SynthCommandOptions } from './commands/synth.js';
import { setFlagsFromString } from 'node:v8';

// Node 24.22's Maglev JIT intermittently gave one arm every metric's estimate of its last metric in `ragbench run`
// (3 of 42 quick starts; 0 of 36 with --no-maglev), while the per-query values were right. Until that is pinned
// down the CLI runs without Maglev (set before any command module loads; TurboFan still optimises hot code), and
// run-eval cross-checks every summary mean against the per-query results before anything is written.
setFlagsFromString('--no-maglev');

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;


interface CompareFlags {
  gateFile?: string;
  junit?: string;
  markdown?: string;
  html?: string;
  alpha: string;
  seed: string;
  permutations: string;
  json: boolean;
  allowDifferentCorpus: boolean;
  allowDifferentQueries: boolean;
}

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

  program
    .command('run')
    .description('run an experiment: corpus × chunkers × retrievers × metrics, with bootstrap confidence intervals')
    .argument('<eval.yaml>', 'experiment file, e.g. evals/chunking-shootout.yaml')
    .option('--out <dir>', 'write the run here instead of <work-dir>/runs/<id>')
    .option('--json', 'print the summary as JSON instead of a table', false)
    .option('--baseline <run>', "compare with this run (folder, run id or latest) under the eval's gate; exit 1 when it fails")
    .option('--junit <file>', 'with --baseline: write JUnit XML')
    .option('--markdown <file>', 'with --baseline: write a Markdown summary, e.g. "$GITHUB_STEP_SUMMARY"')
    .option('--allow-different-corpus', 'with --baseline: compare even when the corpus fingerprints differ', false)
    .option('--allow-different-queries', 'with --baseline: compare even when the runs scored different query sets', false)
    .option('--verbose', 'also print seconds per stage and arm (read, chunk, embed, write, index build, query, score, answer)', false)
    .option('--html <file>', 'with --baseline: write the comparison HTML report here (default under <work-dir>/comparisons/)')
    .action(
      async (
        evalFile: string,
        options: {
          out?: string;
          json: boolean;
          baseline?: string;
          junit?: string;
          markdown?: string;
          allowDifferentCorpus: boolean;
          allowDifferentQueries: boolean;
          verbose: boolean;
          html?: string;
        },
        command: Command,
      ) => {
        const { runCommand } = await import('./commands/run.js');
        await runCommand(evalFile, options, globals(command));
      },
    );

  program
    .command('compare')
    .description('compare two runs: per-metric deltas, paired tests, per-query diff; exit 1 when a gate fails')
    .argument('<baseline>', 'run folder, run id under <work-dir>/runs, or latest')
    .argument('<candidate>', 'run folder, run id under <work-dir>/runs, or latest')
    .option('--gate-file <file>', "YAML with a gate: section (an eval file works); default: the candidate eval's gate")
    .option('--junit <file>', 'write JUnit XML (one testsuite per arm, one testcase per gated metric)')
    .option('--markdown <file>', 'write a Markdown summary, e.g. "$GITHUB_STEP_SUMMARY"')
    .option('--html <file>', 'write the HTML report here (default <work-dir>/comparisons/<baseline>__vs__<candidate>.html)')
    .option('--alpha <p>', 'significance level for ungated metrics', '0.05')
    .option('--seed <n>', 'seed of the randomization test and bootstrap', '42')
    .option('--permutations <n>', 'Monte Carlo sign flips when the test is not exact', '10000')
    .option('--json', 'print the comparison as JSON', false)
    .option('--allow-different-corpus', 'compare even when the corpus fingerprints differ (otherwise exit 2)', false)
    .option('--allow-different-queries', 'compare even when the runs scored different query sets (otherwise exit 2)', false)
    .action(async (baseline: string, candidate: string, options: CompareFlags, command: Command) => {
      const { compareCommand } = await import('./commands/compare.js');
      await compareCommand(baseline, candidate, options, globals(command));
    });

  program
    .command('ingest')
    .description('chunk, embed and index a corpus into a retriever; resumable (run again after an interruption)')
    .argument('<retriever.yaml>', 'retriever config, e.g. retrievers/local.yaml')
    .requiredOption('--corpus <corpus>', 'corpus config (corpora/*.yaml), name, or folder')
    .requiredOption('--chunker <chunker...>', 'one or more chunker configs (chunkers/*.yaml) or names')
    .action(async (retrieverFile: string, options: { corpus: string; chunker: string[] }, command: Command) => {
      const { ingestCommand } = await import('./commands/ingest.js');
      await ingestCommand(retrieverFile, options, globals(command));
    });

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
      const { scoreCommand } = await import('./commands/score.js');
      await scoreCommand(options);
    });

  program
    .command('decide')
    .description('prompt-only, RAG or fine-tuning? answers the questions closed-book, per retriever arm, with the gold passages (and the whole corpus when it fits); recommends with evidence')
    .argument('<eval.yaml>', 'an eval with an answers: section (optional decide:), e.g. evals/rag-vs-closed-book.yaml')
    .option('--out <dir>', 'write the run (plus decision.md, decision.html, decision.json) here instead of <work-dir>/runs/<id>')
    .option('--json', 'print the decision report as JSON', false)
    .action(async (evalFile: string, options: { out?: string; json: boolean }, command: Command) => {
      const { decideCommand } = await import('./commands/decide.js');
      await decideCommand(evalFile, options, globals(command));
    });

  program
    .command('parity')
    .description('ingest the same chunks into two or more stores and compare rankings: Jaccard@k, RBO, ANN recall vs exact, metric deltas')
    .argument('<eval.yaml>', 'an eval whose retrievers are dense retrievers differing only by store, e.g. evals/parity.yaml')
    .option('--k <n>', 'top-k chunks compared per query', '10')
    .option('--threshold <x>', 'list queries whose 1 − Jaccard@k exceeds this', '0')
    .option('--rbo-p <p>', 'rank-biased overlap persistence', '0.9')
    .option('--min-jaccard <x>', "exit 1 when a store pair's mean Jaccard@k is below this")
    .option('--out <file>', 'also write the full report as JSON')
    .option('--json', 'print the report as JSON', false)
    .action(async (evalFile: string, options: ParityCliOptions, command: Command) => {
      const { parityCommand } = await import('./commands/parity.js');
      await parityCommand(evalFile, options, globals(command));
    });

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
      const { synthCommand } = await import('./commands/synth.js');
      await synthCommand(corpus, options, globals(command));
    });

  program
    .command('faithfulness')
    .description('validate an offline faithfulness metric on labelled answers: ROC AUC, balanced accuracy, calibration')
    .requiredOption('--labels <labels.jsonl>', 'rows {"id","question","context","answer","label":"faithful|unfaithful"}')
    .option('--metric <name>', 'lexical-alignment or k-precision', 'lexical-alignment')
    .option('--group-by <field>', 'also report AUC per value of this row field, e.g. system')
    .option('--folds <n>', 'cross-validation folds for the threshold (grouped by question)', '5')
    .option('--seed <n>', 'seed of the fold assignment', '42')
    .option('--json', 'machine-readable', false)
    .action(async (options: { labels: string; metric: string; groupBy?: string; folds: string; seed: string; json: boolean }) => {
      const { faithfulnessCommand } = await import('./commands/faithfulness.js');
      await faithfulnessCommand(options);
    });

  program
    .command('view')
    .description("browse the work dir's runs in a local web viewer: reports, comparisons with gates, per-query drill-down (read-only)")
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', '4173')
    .option('--host <address>', 'address to bind; keep the default unless you know who else can reach it', '127.0.0.1')
    .option('--open', 'open the viewer in the default browser', false)
    .action(async (options: { port: string; host: string; open: boolean }, command: Command) => {
      const { viewCommand } = await import('./commands/view.js');
      await viewCommand(options, globals(command));
    });

  program
    .command('list')
    .description('list the available chunker, embedder, store and retriever kinds with their options')
    .option('--json', 'machine-readable', false)
    .action(async (options: { json: boolean }) => {
      const { listCommand } = await import('./commands/list.js');
      listCommand(options);
    });

  const datasets = program.command('datasets').description('evaluation datasets by name: list, pull (download, verify, convert), path, verify');
  datasets
    .command('list')
    .description('every dataset ragbench can pull: kind, size, licence, whether it is present locally')
    .option('--json', 'machine-readable, with sources, checksums, licence and citation', false)
    .action(async (options: { json: boolean }) => {
      const { datasetsListCommand } = await import('./commands/datasets.js');
      await datasetsListCommand(options);
    });
  datasets
    .command('pull')
    .description('download (or copy from a mirror), checksum and convert datasets into RAGBENCH_DATASETS')
    .argument('<name...>', 'dataset names, e.g. cranfield beir/scifact')
    .option('--mirror <dir|url>', 'read upstream files from <mirror>/<name>/raw/<file> instead of the internet (default: RAGBENCH_DATASETS_MIRROR)')
    .option('--force', 'pull again even when present', false)
    .action(async (names: string[], options: { mirror?: string; force: boolean }) => {
      const { datasetsPullCommand } = await import('./commands/datasets.js');
      await datasetsPullCommand(names, options);
    });
  datasets
    .command('path')
    .description("print a pulled dataset's folder")
    .argument('<name>', 'dataset name')
    .action(async (name: string) => {
      const { datasetsPathCommand } = await import('./commands/datasets.js');
      await datasetsPathCommand(name);
    });
  datasets
    .command('verify')
    .description('re-check the checksums of pulled datasets (upstream and converted files); exit 2 on a mismatch')
    .argument('[name]', 'one dataset (default: every pulled one)')
    .action(async (name: string | undefined) => {
      const { datasetsVerifyCommand } = await import('./commands/datasets.js');
      await datasetsVerifyCommand(name);
    });

  return program;
}

function globals(command: Command): GlobalOptions {
  const root = command.parent ?? command;
  const options = root.opts<{ workDir: string; debug: boolean }>();
  return { workDir: options.workDir, debug: options.debug };
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
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
