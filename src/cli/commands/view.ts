import type { Command } from 'commander';
import { globalOptions } from '../global-options.js';

/** `ragbench view`: its flags and help; the work is loaded only when the command runs (actions/view.ts). */
export function registerViewCommand(program: Command): void {
  program
    .command('view')
    .description("browse the work dir's runs in a local web viewer: reports, comparisons with gates, per-query drill-down (read-only)")
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', '4173')
    .option('--host <address>', 'address to bind; keep the default unless you know who else can reach it', '127.0.0.1')
    .option('--open', 'open the viewer in the default browser', false)
    .action(async (options: { port: string; host: string; open: boolean }, command: Command) => {
      const { viewCommand } = await import('../actions/view.js');
      await viewCommand(options, globalOptions(command));
    });
}
