import { createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { DataError } from '../../shared/errors.js';
import type { ConvertSummary } from '../converter-types.js';

/**
 * A BEIR zip is already in the BEIR layout under one top folder (`scifact/corpus.jsonl`, ...): extract it
 * without that folder. Entries that would escape the output folder are refused.
 */
export async function convertBeirZip(raw: string, out: string): Promise<ConvertSummary> {
  const zips = (await readdir(raw)).filter((name) => name.endsWith('.zip'));
  if (zips.length !== 1) throw new DataError(`expected one .zip in ${raw}, found ${zips.length}`, { place: { file: raw } });
  const file = join(raw, zips[0]!);
  const written = await extractZip(file, out, (entry) => entry.replace(/^[^/]+\//, ''));
  for (const required of ['corpus.jsonl', 'queries.jsonl']) {
    if (!written.includes(required)) {
      throw new DataError(`${zips[0]} has no ${required} under its top folder`, { place: { file }, fix: 'is this a BEIR dataset zip?' });
    }
  }
  if (!(await stat(join(out, 'qrels')).catch(() => undefined))) {
    throw new DataError(`${zips[0]} has no qrels/ folder`, { place: { file }, fix: 'is this a BEIR dataset zip?' });
  }
  return {};
}

/** Extracts every file entry of a zip into `out`, renaming each with `rename`; returns the written paths. */
async function extractZip(file: string, out: string, rename: (entry: string) => string): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (error, opened) => (error ? reject(corrupt(file, error)) : resolve(opened))),
  );
  const written: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', (error: Error) => reject(corrupt(file, error)));
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const handle = async () => {
        const name = rename(entry.fileName);
        if (entry.fileName.endsWith('/') || name === '') return;
        const target = normalize(join(out, name));
        if (!target.startsWith(normalize(out) + sep)) throw new DataError(`zip entry ${entry.fileName} points outside the dataset folder`, { place: { file } });
        await mkdir(dirname(target), { recursive: true });
        const stream = await new Promise<NodeJS.ReadableStream>((res, rej) =>
          zip.openReadStream(entry, (error, opened) => (error ? rej(corrupt(file, error)) : res(opened))),
        );
        await pipeline(stream, createWriteStream(target));
        written.push(name);
      };
      handle().then(() => zip.readEntry(), (error: unknown) => {
        zip.close();
        reject(error instanceof DataError ? error : corrupt(file, error));
      });
    });
    zip.readEntry();
  });
  return written;
}

function corrupt(file: string, error: unknown): DataError {
  return new DataError(`cannot read zip: ${error instanceof Error ? error.message : String(error)}`, {
    place: { file },
    fix: 'the archive is damaged or truncated; pull again with --force',
  });
}
