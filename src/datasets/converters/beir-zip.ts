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

/**
 * What one archive may unpack to. The BEIR zips hold at most a few dozen files and compress text 3–6×; a zip bomb
 * declares (or, lying, produces) far more. yauzl checks each entry's bytes against its declared size.
 */
export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxTotalBytes: number;
  /** Unpacked over packed size of one entry (entries under 1 MiB are exempt). */
  readonly maxRatio: number;
}
export const zipLimits: ZipLimits = { maxEntries: 10_000, maxTotalBytes: 16 * 1024 ** 3, maxRatio: 200 };

/** Extracts every file entry of a zip into `out`, renaming each with `rename`; returns the written paths. */
export async function extractZip(file: string, out: string, rename: (entry: string) => string, limits: ZipLimits = zipLimits): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (error, opened) => (error ? reject(corrupt(file, error)) : resolve(opened))),
  );
  const written: string[] = [];
  let entries = 0;
  let declaredBytes = 0;
  const refuse = (entry: yauzl.Entry, why: string) =>
    new DataError(`zip entry ${JSON.stringify(entry.fileName)} ${why}; nothing of this archive is used`, {
      place: { file },
      fix: 'this is not a dataset archive ragbench can trust; check where it came from',
    });
  await new Promise<void>((resolve, reject) => {
    zip.on('error', (error: Error) => reject(corrupt(file, error)));
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const handle = async () => {
        if (++entries > limits.maxEntries) throw refuse(entry, `is beyond the ${limits.maxEntries.toLocaleString('en-US')} entries an archive may hold`);
        // Absolute paths and `..` segments are refused outright (yauzl already refuses some), not silently re-rooted.
        if (/^([/\\]|[A-Za-z]:)/.test(entry.fileName) || entry.fileName.split(/[/\\]/).includes('..')) throw refuse(entry, 'points outside the dataset folder');
        const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
        if (mode === 0o120000) throw refuse(entry, 'is a symbolic link');
        const name = rename(entry.fileName);
        if (entry.fileName.endsWith('/') || name === '') return;
        declaredBytes += entry.uncompressedSize;
        if (declaredBytes > limits.maxTotalBytes) throw refuse(entry, `takes the archive past ${limits.maxTotalBytes.toLocaleString('en-US')} bytes unpacked`);
        if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)) {
          throw refuse(entry, `unpacks ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}× its packed size (a zip bomb?)`);
        }
        const target = normalize(join(out, name));
        if (!target.startsWith(normalize(out) + sep)) throw refuse(entry, 'points outside the dataset folder');
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
