import type { z } from 'zod';
import type { Env } from './env.js';

/** What a plug-in may use when it is created: explicit dependencies, no globals. */
export interface PluginContext {
  readonly env: Env;
  /** The `.ragbench/` folder for caches, embedded databases and run outputs. */
  readonly workDir: string;
}

/**
 * One pluggable implementation: its options schema (the YAML shape, strict) and a factory.
 * The registry key is the kind and the file name (`src/chunkers/recursive.ts` is kind `recursive`).
 */
export interface PluginDefinition<Schema extends z.ZodType, Instance, Context = PluginContext> {
  readonly description: string;
  readonly options: Schema;
  create(options: z.output<Schema>, context: Context): Instance;
}

/** Identity helper that keeps the options type flowing into `create`. */
export function definePlugin<Schema extends z.ZodType, Instance, Context = PluginContext>(
  definition: PluginDefinition<Schema, Instance, Context>,
): PluginDefinition<Schema, Instance, Context> {
  return definition;
}
