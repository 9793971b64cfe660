import { z } from 'zod';
import { createEnv } from '../shared/env.js';
import { ConfigError } from '../shared/errors.js';
import type { PluginContext } from '../shared/plugin.js';
import type { Chunker, ChunkerDefinition } from './chunker.js';
import { fixed } from './fixed.js';
import { langchain } from './langchain.js';
import { markdown } from './markdown.js';
import { recursive } from './recursive.js';
import { semantic } from './semantic.js';
import { sentences } from './sentences.js';
import { tokens } from './tokens.js';

/** Every chunker kind: the key is the kind string and the file name. */
export const chunkers = { fixed, tokens, recursive, sentences, markdown, semantic, langchain } as const satisfies Record<string, ChunkerDefinition>;
export type ChunkerKind = keyof typeof chunkers;

function isChunkerKind(kind: string): kind is ChunkerKind {
  return Object.hasOwn(chunkers, kind);
}

/** Chunkers are pure and offline; this context has no variables, so a chunker asking for a secret would fail. */
const offlineContext: PluginContext = { env: createEnv({}), workDir: '.ragbench' };

/**
 * Validates `options` against the kind's strict schema (defaults applied) and builds the chunker.
 * Throws a ConfigError for an unknown kind or invalid options, naming the option and the rule.
 */
export function createChunker(kind: string, options: unknown = {}, context: PluginContext = offlineContext): Chunker {
  if (!isChunkerKind(kind)) {
    throw new ConfigError(`unknown chunker kind "${kind}"`, { fix: `use one of: ${Object.keys(chunkers).join(', ')}` });
  }
  const definition: ChunkerDefinition = chunkers[kind];
  const parsed = definition.options.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(`invalid ${kind} chunker options: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`, {
      cause: parsed.error,
    });
  }
  return definition.create(parsed.data, context);
}
