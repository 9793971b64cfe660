import { bm25 } from './bm25.js';
import { dense } from './dense.js';
import { existing } from './existing.js';
import { http } from './http.js';
import { hybrid } from './hybrid.js';
import { module } from './module.js';
import type { RetrieverDefinition } from './retriever.js';

/** Every retriever kind, keyed by its file name. */
export const retrievers = { dense, bm25, hybrid, existing, http, module } as const satisfies Record<string, RetrieverDefinition>;
export type RetrieverKind = keyof typeof retrievers;
