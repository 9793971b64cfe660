import { crossEncoder } from './cross-encoder.js';
import { http } from './http.js';
import type { RerankerDefinition } from './reranker.js';

/** Reranker kinds: the key is the `kind:` of a `rerank:` stage and the file name in this folder. */
export const rerankers = { http, 'cross-encoder': crossEncoder } as const satisfies Record<string, RerankerDefinition>;
export type RerankerKind = keyof typeof rerankers;
