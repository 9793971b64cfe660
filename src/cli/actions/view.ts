import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { UsageError } from '../../shared/errors.js';
import { startViewServer } from '../../viewer/server.js';
import type { GlobalOptions } from '../global-options.js';

/** `ragbench view [--port N] [--open]`: serves the work dir's runs until Ctrl-C (then exits 0: stopping is the normal end). */
export async function viewCommand(options: { readonly port: string; readonly host: string; readonly open: boolean }, globals: GlobalOptions): Promise<void> {
  const port = Number(options.port);
  if (options.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port ${JSON.stringify(options.port)} is not a port`, 'e.g. --port 4173, or --port 0 for any free port');
  }
  const server = await startViewServer({ workDir: resolve(globals.workDir), port, host: options.host }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${options.host} is in use`, 'pass another --port, or --port 0');
    throw error;
  });
  process.stdout.write(`ragbench view: ${server.url} (runs in ${resolve(globals.workDir, 'runs')}; Ctrl-C to stop)\n`);
  if (!isLoopback(options.host)) {
    process.stderr.write(
      `ragbench view: warning: listening on ${options.host}, not loopback: anyone who can reach this address can read every run (queries, documents, answers); there is no login\n`,
    );
  }
  if (options.open) openBrowser(server.url);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Best effort: a machine without a desktop just keeps the printed URL. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(command as string, args as string[], { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`ragbench view: could not open a browser; open ${url} yourself\n`));
  child.unref();
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
