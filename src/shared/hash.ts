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
