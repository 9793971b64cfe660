import type { ExistingIndexDefinition } from './existing-index.js';
import { memory } from './memory.js';
import { pgvectorExisting } from './pgvector/existing.js';
import { pgvector } from './pgvector/store.js';
import { closeServerPools } from './pgvector/server-pools.js';
import { pineconeExisting } from './pinecone/existing.js';
import { pinecone } from './pinecone/definition.js';
import { weaviateExisting } from './weaviate/existing.js';
import { weaviate } from './weaviate/definition.js';
import type { StoreDefinition } from './vector-store.js';

/** Vector store kinds: the key is the `kind:` users write; memory.ts here, every service in its own folder. */
export const stores = { memory, pgvector, pinecone, weaviate } as const satisfies Record<string, StoreDefinition>;
export type StoreKind = keyof typeof stores;

/** Read-only readers of indexes built by someone else (`kind: existing` retrievers' `source:`), by store. */
export const existingIndexes = { pgvector: pgvectorExisting, pinecone: pineconeExisting, weaviate: weaviateExisting } as const satisfies Record<string, ExistingIndexDefinition>;

/** Ends the connections server stores keep for reuse (the CLI, when a command returns or fails). */
export function closeStoreConnections(): Promise<void> {
  return closeServerPools();
}
