import { z } from 'zod';
import type { Env } from './env.js';

/** What a plug-in may use when it is created: explicit dependencies, no globals. */
export interface PluginContext {
  readonly env: Env;
  /** The `.ragbench/` folder for caches, embedded databases and run outputs. */
  readonly workDir: string;
  /** Where a plug-in reports something the user must know but that is not an error (damaged cache records). */
  readonly warn?: (message: string) => void;
  /**
   * One-line messages the user should see while the work goes on (a server's NOTICEs and warnings, progress of a
   * long server-side step). The CLI prints them on stderr; library callers may pass their own or none.
   */
  readonly notice?: (message: string) => void;
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

/** A validated plug-in config: which kind, its parsed options, and an optional display name. */
export interface PluginConfig<Kind extends string = string> {
  readonly kind: Kind;
  readonly name?: string;
  readonly description?: string;
  readonly options: Record<string, unknown>;
}

/**
 * A zod schema for `{ kind: <registry key>, name?, description?, ...options }` that validates the options
 * with the kind's own strict schema. Issues keep their path, so YAML errors point at the right line.
 */
export function pluginConfigSchema<Kind extends string>(
  family: string,
  registry: Readonly<Record<Kind, PluginDefinition<z.ZodType, unknown, never>>>,
) {
  const kinds = Object.keys(registry) as Kind[];
  return z
    .looseObject({ kind: z.string({ error: `${family} config needs a kind (one of: ${kinds.join(', ')})` }) })
    .transform((value, ctx): PluginConfig<Kind> => {
      const kind = value.kind as Kind;
      const definition = registry[kind];
      if (!definition || !Object.hasOwn(registry, kind)) {
        ctx.addIssue({
          code: 'custom',
          path: ['kind'],
          message: `unknown ${family} kind "${value.kind}"; valid kinds: ${kinds.join(', ')}`,
        });
        return z.NEVER;
      }
      const { name, description, ...rest } = value as Record<string, unknown>;
      delete rest.kind;
      if (name !== undefined && typeof name !== 'string') {
        ctx.addIssue({ code: 'custom', path: ['name'], message: 'name must be a string' });
        return z.NEVER;
      }
      const parsed = definition.options.safeParse(rest);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue(describeIssue(issue, kind, definition.options));
        return z.NEVER;
      }
      return {
        kind,
        ...(typeof name === 'string' ? { name } : {}),
        ...(typeof description === 'string' ? { description } : {}),
        options: parsed.data as Record<string, unknown>,
      };
    });
}

/** Re-issues an options issue under the config's path; an unknown key names the valid options. */
function describeIssue(issue: z.core.$ZodIssue, kind: string, schema: z.ZodType) {
  if (issue.code === 'unrecognized_keys') {
    const valid = schema instanceof z.ZodObject ? Object.keys(schema.shape).join(', ') : '';
    return {
      code: 'custom' as const,
      path: [...issue.path, issue.keys[0] ?? ''],
      message: `unknown option "${issue.keys.join('", "')}" for kind ${kind}${valid ? `; valid options: ${valid}` : ''}`,
    };
  }
  return { code: 'custom' as const, path: [...issue.path], message: issue.message };
}
