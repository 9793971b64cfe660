import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../shared/files/write-atomic.js';
import { canonicalJson, hashText } from '../../shared/hash.js';

/**
 * What was ingested into one index (`<workDir>/indexes/<key>.json`), checkpointed after every batch so an
 * interrupted ingest resumes where it stopped and a finished one is reused by later runs.
 */
export interface IndexManifest {
  readonly key: string;
  readonly status: 'building' | 'complete';
  readonly corpus: { readonly name: string; readonly fingerprint: string };
  readonly chunker: { readonly name: string; readonly fingerprint: string };
  readonly retriever: { readonly name: string; readonly fingerprint: string };
  /** Documents whose chunks are all stored, in corpus order. */
  readonly documentsDone: number;
  readonly chunksDone: number;
  /** `idChecksum` (shared/hash.ts) of the ids of those chunks; absent in manifests written before it existed. */
  readonly idChecksum?: string;
  readonly updatedAt: string;
}

export interface IndexIdentity {
  readonly corpus: { readonly name: string; readonly fingerprint: string };
  readonly chunker: { readonly name: string; readonly fingerprint: string };
  readonly retriever: { readonly name: string; readonly fingerprint: string };
}

/**
 * Backend-safe index name (`[a-z0-9_]`, ≤ 48 chars): readable prefix + a hash of everything that shapes the
 * index, so changed corpus, chunker, embedder or store settings never reuse a stale index.
 */
export function indexKeyFor(identity: IndexIdentity): string {
  const hash = hashText(
    canonicalJson({
      corpus: identity.corpus.fingerprint,
      chunker: identity.chunker.fingerprint,
      retriever: identity.retriever.fingerprint,
    }),
    12,
  );
  const slug = `${identity.corpus.name}_${identity.chunker.name}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 48 - hash.length - 4);
  return `rb_${slug}_${hash}`;
}

export function manifestPath(workDir: string, key: string): string {
  return join(workDir, 'indexes', `${key}.json`);
}

export async function readIndexManifest(workDir: string, key: string): Promise<IndexManifest | undefined> {
  try {
    return JSON.parse(await readFile(manifestPath(workDir, key), 'utf8')) as IndexManifest;
  } catch {
    // a missing or unreadable manifest means "unknown state": ingest from the start (upserts are idempotent)
    return undefined;
  }
}

export function writeIndexManifest(workDir: string, manifest: IndexManifest): Promise<void> {
  return writeJsonAtomic(manifestPath(workDir, manifest.key), manifest);
}
