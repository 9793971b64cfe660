import type { Command } from 'commander';

/** Global flags every command sees, resolved once in main.ts (flags > env > defaults). */
export interface GlobalOptions {
  readonly workDir: string;
  readonly debug: boolean;
}

/** The root program's --work-dir and --debug, as any (sub)command's action sees them. */
export function globalOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  const options = root.opts<{ workDir: string; debug: boolean }>();
  return { workDir: options.workDir, debug: options.debug };
}
