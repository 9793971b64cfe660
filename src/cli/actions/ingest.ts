import { join } from 'node:path';
import { loadCorpusReference, loadPluginReference } from '../../config/load-eval.js';
import { ingestOnly } from '../../pipeline/index/ingest-only.js';
import { createEnv } from '../../shared/env.js';
import type { GlobalOptions } from '../global-options.js';
import { abortOnInterrupt } from '../interrupt.js';
import { createTerminalProgress, printNotice, printWarning } from '../progress.js';
import { checkWorkDir } from '../../shared/files/work-dir.js';

export async function ingestCommand(
  retrieverFile: string,
  options: { corpus: string; chunker: string[] },
  globals: GlobalOptions,
): Promise<void> {
  // Arguments resolve against the working directory, as a shell user expects.
  const fromCwd = join(process.cwd(), '.cli');
  const place = { file: '(command line)' };
  const retriever = await loadPluginReference(retrieverFile, 'retrievers', fromCwd, place);
  const corpus = await loadCorpusReference(options.corpus, fromCwd, place);
  const chunkerList = await Promise.all(options.chunker.map((ref) => loadPluginReference(ref, 'chunkers', fromCwd, place)));
  const interrupt = abortOnInterrupt();
  try {
    const results = await ingestOnly({
      corpus,
      chunkers: chunkerList,
      retriever,
      workDir: await checkWorkDir(globals.workDir),
      env: createEnv(),
      progress: createTerminalProgress(),
      warn: printWarning,
      notice: printNotice,
      signal: interrupt.signal,
    });
    for (const result of results) {
      process.stdout.write(
        `${result.chunker} → ${retriever.name}: ${result.chunks} chunks in index ${result.key} (${result.mode}, ${result.seconds.toFixed(1)} s)\n`,
      );
    }
  } finally {
    interrupt.dispose();
  }
}
