import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../shared/errors.js';
import { writeJsonl } from './beir-writer.js';
import type { ConvertSummary } from '../converter-types.js';

const header = ['model_name', 'data_source', 'knowledge', 'message', 'response', 'begin_label'];
const labels: Record<string, string> = { 'Fully attributable': 'faithful', 'Not fully attributable': 'unfaithful', Generic: 'generic' };

/**
 * BEGIN (WoW part) as a faithfulness set: tab-separated, no quoting, text verbatim. `Generic` responses (no
 * factual content) go to generic.jsonl, the rest to labels.jsonl as faithful / unfaithful.
 */
export async function convertBegin(raw: string, out: string): Promise<ConvertSummary> {
  const rows: Record<string, string>[] = [];
  for (const split of ['dev', 'test']) {
    const file = `begin_${split}_wow.tsv`;
    const lines = (await readFile(join(raw, file), 'utf8')).split(/\r?\n/);
    if (lines[0] !== header.join('\t')) {
      throw new DataError(`unexpected header ${JSON.stringify(lines[0])}`, { place: { file, line: 1 }, fix: `expected ${header.join(', ')}` });
    }
    lines.slice(1).forEach((line, index) => {
      if (line === '') return;
      const cells = line.split('\t');
      if (cells.length !== header.length) {
        throw new DataError(`row has ${cells.length} cells, expected ${header.length}`, { place: { file, line: index + 2 } });
      }
      const [model, , knowledge, message, response, beginLabel] = cells as [string, string, string, string, string, string];
      const label = labels[beginLabel];
      if (!label) throw new DataError(`unknown BEGIN label ${JSON.stringify(beginLabel)}`, { place: { file, line: index + 2 } });
      rows.push({ id: `begin-wow-${split}-${index}`, question: message, context: knowledge, answer: response, label, begin_label: beginLabel, model, split });
    });
  }
  const labelled = await writeJsonl(join(out, 'labels.jsonl'), rows.filter((row) => row.label !== 'generic'));
  await writeJsonl(join(out, 'generic.jsonl'), rows.filter((row) => row.label === 'generic'));
  return { labels: labelled };
}
