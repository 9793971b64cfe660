import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { extractZip } from '../../../src/datasets/converters/beir-zip.js';

/** Archives built here, each hostile in one way; extraction must refuse them and write nothing outside `out`. */
async function zipOf(add: (zip: yazl.ZipFile) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rb-zip-'));
  const path = join(dir, 'hostile.zip');
  const zip = new yazl.ZipFile();
  add(zip);
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject));
  return path;
}

const out = () => mkdtemp(join(tmpdir(), 'rb-unzip-'));
const keep = (name: string) => name;

describe('zip extraction refuses hostile archives', () => {
  it('extracts an ordinary archive', async () => {
    const file = await zipOf((zip) => zip.addBuffer(Buffer.from('{"_id":"1"}\n'), 'corpus.jsonl'));
    const dir = await out();
    expect(await extractZip(file, dir, keep)).toEqual(['corpus.jsonl']);
  });

  it('refuses ../ and absolute entry names (zip-slip), writing nothing outside the folder', async () => {
    for (const [placeholder, hostile] of [['ab/evil.txt', '../evil.txt'], ['xetc/evil.txt', '/etc/evil.txt']] as const) {
      // yazl will not write such names, so the archive is built with a same-length name and patched in place.
      const file = await zipOf((zip) => zip.addBuffer(Buffer.from('x'), placeholder));
      const bytes = await readFile(file);
      await writeFile(file, Buffer.from(bytes.toString('latin1').replaceAll(placeholder, hostile), 'latin1'));
      const parent = await mkdtemp(join(tmpdir(), 'rb-slip-'));
      const dir = join(parent, 'dataset');
      await expect(extractZip(file, dir, keep)).rejects.toThrow(/points outside the dataset folder|invalid relative path|absolute path/);
      expect(await readdir(parent)).toEqual([]);
    }
  });

  it('refuses a symbolic link entry', async () => {
    const file = await zipOf((zip) => zip.addBuffer(Buffer.from('/etc/passwd'), 'corpus.jsonl', { mode: 0o120777 }));
    await expect(extractZip(file, await out(), keep)).rejects.toThrow(/"corpus\.jsonl" is a symbolic link; nothing of this archive is used/);
  });

  it('refuses a zip bomb by its packing ratio before unpacking it', async () => {
    const file = await zipOf((zip) => zip.addBuffer(Buffer.alloc(64 * 1024 * 1024), 'corpus.jsonl', { compress: true }));
    const dir = await out();
    await expect(extractZip(file, dir, keep)).rejects.toThrow(/unpacks \d+× its packed size \(a zip bomb\?\)/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('caps the total unpacked size and the entry count', async () => {
    const many = await zipOf((zip) => {
      for (let i = 0; i < 12; i++) zip.addBuffer(Buffer.from(`file ${i}`), `f${i}.txt`);
    });
    await expect(extractZip(many, await out(), keep, { maxEntries: 10, maxTotalBytes: 1 << 30, maxRatio: 200 })).rejects.toThrow(/beyond the 10 entries/);
    const big = await zipOf((zip) => zip.addBuffer(Buffer.from('y'.repeat(4096)), 'a.txt', { compress: false }));
    await expect(extractZip(big, await out(), keep, { maxEntries: 10, maxTotalBytes: 1024, maxRatio: 200 })).rejects.toThrow(/takes the archive past 1,024 bytes unpacked/);
  });
});
