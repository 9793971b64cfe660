import { DataError } from '../../shared/errors.js';

/** One record of a SMART-format file: `.I <id>` then fields `.T`, `.W`, `.A`, ... each followed by its lines. */
export interface SmartRecord {
  readonly id: string;
  /** Field letter → its lines joined with `\n` (a repeated field's lines are appended). */
  readonly fields: ReadonlyMap<string, string>;
  /** 1-based line of the `.I` marker, for errors. */
  readonly line: number;
}

const marker = /^\.([A-Z])(?:[ \t]+(.*?))?[ \t]*$/;

/**
 * Parses the SMART layout of the Glasgow/Cornell test collections (Cranfield, CISI, CACM). Only the field
 * letters in `known` are accepted, so a file of another shape fails loudly instead of converting to garbage.
 */
export function parseSmart(text: string, file: string, known: ReadonlySet<string>): SmartRecord[] {
  const records: SmartRecord[] = [];
  let current: { id: string; fields: Map<string, string[]>; line: number } | undefined;
  let field: string[] | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const match = marker.exec(raw);
    if (match) {
      const letter = match[1]!;
      const rest = match[2] ?? '';
      if (letter === 'I') {
        if (current) records.push(finish(current));
        if (rest === '') throw new DataError(`SMART record without an id`, { place: { file, line: index + 1 }, fix: 'the upstream file is damaged; pull it again' });
        current = { id: rest.trim(), fields: new Map(), line: index + 1 };
        field = undefined;
        return;
      }
      if (known.has(letter)) {
        if (!current) throw new DataError(`SMART field .${letter} before the first .I`, { place: { file, line: index + 1 } });
        field = current.fields.get(letter) ?? [];
        current.fields.set(letter, field);
        if (rest !== '') field.push(rest);
        return;
      }
      throw new DataError(`unknown SMART field .${letter}`, {
        place: { file, line: index + 1 },
        fix: `this converter reads the fields ${[...known].map((k) => `.${k}`).join(' ')}; is this the right file?`,
      });
    }
    if (field) field.push(raw);
    else if (raw.trim() !== '') throw new DataError('text outside any SMART field', { place: { file, line: index + 1 } });
  });
  if (current) records.push(finish(current));
  return records;
}

function finish(record: { id: string; fields: Map<string, string[]>; line: number }): SmartRecord {
  return { id: record.id, line: record.line, fields: new Map([...record.fields].map(([k, v]) => [k, v.join('\n')])) };
}

/** Every whitespace run (newlines included) becomes one space; leading and trailing space is dropped. */
export function squash(text: string | undefined): string {
  return (text ?? '').split(/\s+/).filter((part) => part !== '').join(' ');
}

/** Numeric ids lose their zero padding (`0756` → `756`, `01` → `1`) so qrels and corpus ids agree. */
export function plainId(id: string): string {
  return /^\d+$/.test(id) ? String(Number(id)) : id;
}
