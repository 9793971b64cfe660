import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isNode, isScalar, parseDocument, type Document as YamlDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type Place } from '../errors.js';

/**
 * Reads a YAML file and validates it with a zod schema. Every error names `file:line:column` and the
 * option's path, taken from the YAML node the failing value came from.
 */
export async function loadYamlFile<Schema extends z.ZodType>(file: string, schema: Schema): Promise<z.output<Schema>> {
  return (await loadYamlWithPlaces(file, schema)).value;
}

/** A validated YAML file plus a way to point later errors (e.g. a missing referenced file) at a line. */
interface LoadedYaml<T> {
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
  let value: unknown;
  try {
    // maxAliasCount bounds alias expansion: a "billion laughs" document must fail, not exhaust memory.
    value = doc.toJS({ maxAliasCount: maxYamlAliases }) ?? {};
  } catch (error) {
    throw new ConfigError(`invalid YAML: ${(error as Error).message.split('\n')[0]}`, {
      place: { file },
      fix: `use at most ${maxYamlAliases} alias expansions (*name); write the values out instead`,
      cause: error,
    });
  }
  const result = schema.safeParse(value);
  if (result.success) {
    return { value: result.data, placeOf: (path) => ({ file, ...placeOf(doc, lineCounter, path) }) };
  }
  const issue = result.error.issues[0]!;
  let path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  let message = issue.message;
  let place = placeOf(doc, lineCounter, path);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    // Point at the unknown key's own line, not at its parent mapping.
    place = keyPlace(doc, lineCounter, path, issue.keys[0]!) ?? place;
    path = [...path, issue.keys[0]!];
    message = `unknown key${issue.keys.length > 1 ? `s ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : ''}`;
  } else if (path.length > 0 && valueAt(value, path) === undefined) {
    // zod says "Invalid input" for a missing union-typed key; say what is missing.
    message = 'is required but missing';
  }
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  throw new ConfigError(`${where}${message}`, {
    place: { file, ...place },
    fix: 'see `ragbench list` for the valid kinds and options',
  });
}

/** Alias expansions one YAML file may use (the `yaml` package's default, made explicit). */
const maxYamlAliases = 100;

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** The position of a mapping's key (not its value). */
function keyPlace(doc: YamlDocument, counter: LineCounter, mapPath: readonly (string | number)[], key: string) {
  const node = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath, true);
  if (!isMap(node)) return undefined;
  const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
  if (!pair || !isNode(pair.key) || !pair.key.range) return undefined;
  const pos = counter.linePos(pair.key.range[0]);
  return { line: pos.line, column: pos.col };
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
