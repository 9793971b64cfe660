import { z } from 'zod';
import { metadataPath, offsetOf, readPath } from '../stores/existing-index.js';
import { ConfigError } from '../shared/errors.js';
import type { ExternalHit } from './external.js';

/**
 * Where each result item (a JSON object from a service, a document from a user's module) keeps the document id
 * and, optionally, the chunk text, score and offsets. Dot paths: `docId`, `metadata.source`, `doc.id`.
 */
export const hitFieldsSchema = z.strictObject({
  docId: z.string().min(1).default('docId'),
  text: z.string().min(1).optional(),
  score: z.string().min(1).optional(),
  start: z.string().min(1).optional(),
  end: z.string().min(1).optional(),
  /** The source's own chunk id, for the manifest's counts (distinct chunks). */
  id: z.string().min(1).optional(),
});
export type HitFields = z.output<typeof hitFieldsSchema>;

/**
 * One result item → an ExternalHit. A missing document id is a mapping error (ConfigError, exit 2): every item
 * would lack it, and scoring them all as misses would be a plausible wrong number.
 */
export function toExternalHit(item: unknown, fields: HitFields, where: string): ExternalHit {
  const docId = readPath(item, metadataPath(fields.docId));
  if ((typeof docId !== 'string' && typeof docId !== 'number') || String(docId).trim() === '') {
    const keys = item !== null && typeof item === 'object' ? Object.keys(item).slice(0, 8).join(', ') : typeof item;
    throw new ConfigError(`${where} has no document id at "${fields.docId}" (it has: ${keys})`, {
      fix: 'set the retriever’s fields.docId to the path of the document id in each result',
    });
  }
  const text = fields.text === undefined ? undefined : readPath(item, metadataPath(fields.text));
  const score = fields.score === undefined ? undefined : Number(readPath(item, metadataPath(fields.score)));
  const ref = fields.id === undefined ? undefined : readPath(item, metadataPath(fields.id));
  const start = fields.start === undefined ? undefined : offsetOf(readPath(item, metadataPath(fields.start)));
  const end = fields.end === undefined ? undefined : offsetOf(readPath(item, metadataPath(fields.end)));
  return {
    docId: String(docId),
    ...(typeof text === 'string' ? { text } : {}),
    ...(score !== undefined && Number.isFinite(score) ? { score } : {}),
    ...(ref !== undefined && ref !== null ? { ref: String(ref) } : {}),
    ...(start !== undefined && end !== undefined ? { start, end } : {}),
  };
}
