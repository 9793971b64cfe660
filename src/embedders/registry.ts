import type { EmbedderDefinition } from './embedder.js';
import { hashing } from './hashing.js';
import { langchain } from './langchain.js';
import { openai } from './openai.js';
import { transformers } from './transformers.js';

/** Embedder kinds: the key is the `kind:` users write and the file name in this folder. */
export const embedders = { hashing, openai, langchain, transformers } as const satisfies Record<string, EmbedderDefinition>;
export type EmbedderKind = keyof typeof embedders;
