import { createHash } from 'node:crypto';

/** Short, stable content hash (hex) for fingerprints and cache keys. */
export function hashText(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Canonical JSON: object keys sorted, so equal settings always fingerprint the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** `kind` + canonical options: part of index names, so changed settings never reuse a stale index. */
export function fingerprintOf(kind: string, options: unknown): string {
  return `${kind}:${canonicalJson(options)}`;
}

/**
 * An order-independent checksum of a set of ids: Σ over ids of the first 32 bits of md5(id), as decimal text.
 * Postgres computes the same in one aggregate (stores/pgvector-sql.ts), so a stored index can be checked against
 * the ids ingest wrote without reading them back. Add ids one by one with `addToIdChecksum`.
 */
export function addToIdChecksum(sum: bigint, id: string): bigint {
  return sum + BigInt(Number.parseInt(createHash('md5').update(id).digest('hex').slice(0, 8), 16));
}
