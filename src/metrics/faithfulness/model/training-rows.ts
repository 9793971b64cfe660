import { hashText } from '../../../shared/hash.js';
import { shippedTrainingRowKeys } from './lexical-alignment-training.js';

/**
 * The rows the shipped lexical-alignment weights were fitted on are recorded by a key per row: the first 12 hex
 * digits of sha256(answer + NUL + context). Content, not ids, so a copy of SALAD or BEGIN with other ids (or a
 * subset, or a merge with the user's own rows) is still recognised; 48 bits make a chance match with another
 * row negligible (≈ 10⁻⁸ for a million rows).
 */
export function trainingRowKey(answer: string, context: string): string {
  return hashText(`${answer}\u0000${context}`, 12);
}

let keys: ReadonlySet<string> | undefined;

/** True when the shipped weights were fitted on this (answer, context) pair. */
export function isShippedTrainingRow(answer: string, context: string): boolean {
  keys ??= new Set(shippedTrainingRowKeys.match(/.{12}/g) ?? []);
  return keys.has(trainingRowKey(answer, context));
}
