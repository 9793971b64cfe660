import { readFile } from 'node:fs/promises';
import { LineCounter, isNode, parseDocument, type Document as YamlDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type Place } from './errors.js';

/**
 * Reads a YAML file and validates it with a zod schema. Every error names `file:line:column` and the
 * option's path, taken from the YAML node the failing value came from.
 */
export async function loadYamlFile<Schema extends z.ZodType>(file: string, schema: Schema): Promise<z.output<Schema>> {
  return (await loadYamlWithPlaces(file, schema)).value;
}

/** A validated YAML file plus a way to point later errors (e.g. a missing referenced file) at a line. */
export interface LoadedYaml<T> {
  readonly value: T;
  placeOf(path: readonly (string | number)[]): Place;
}

export async function loadYamlWithPlaces<Schema extends z.ZodType>(
  file: string,
  schema: Schema,
): Promise<LoadedYaml<z.output<Schema>>> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`, {
      place: { file },
      fix: 'check the path (paths inside a YAML file are relative to that file)',
      cause: error,
    });
  }
  return parseYaml(source, file, schema);
}

export function parseYaml<Schema extends z.ZodType>(
  source: string,
  file: string,
  schema: Schema,
): LoadedYaml<z.output<Schema>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    throw new ConfigError(`invalid YAML: ${syntax.message.split('\n')[0]}`, {
      place: { file, line: pos.line, column: pos.col },
      fix: 'fix the YAML syntax at that position',
    });
  }
  const value: unknown = doc.toJS() ?? {};
  const result = schema.safeParse(value);
  if (result.success) {
    return { value: result.data, placeOf: (path) => ({ file, ...placeOf(doc, lineCounter, path) }) };
  }
  const issue = result.error.issues[0]!;
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  const place = placeOf(doc, lineCounter, path);
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  throw new ConfigError(`${where}${issue.message}`, {
    place: { file, ...place },
    fix: 'see `ragbench list` for the valid kinds and options',
  });
}

/** The position of the deepest existing node on `path` (a missing key points at its parent). */
function placeOf(doc: YamlDocument, counter: LineCounter, path: readonly (string | number)[]) {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}
