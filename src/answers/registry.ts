import type { AnswererDefinition } from './answerer.js';
import { extractive } from './extractive.js';
import { llm } from './llm.js';

/** Answerer kinds: the key is the `kind:` users write and the file name in this folder. */
export const answerers = { extractive, llm } as const satisfies Record<string, AnswererDefinition>;
