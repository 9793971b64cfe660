import { UsageError } from '../shared/errors.js';

/** A numeric flag's value, or a one-line usage error naming the flag, what was given and the fix. */
export function parseNumberFlag(flag: string, text: string, valid: (value: number) => boolean, fix: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !valid(value)) throw new UsageError(`${flag} ${JSON.stringify(text)} is not valid`, fix);
  return value;
}
