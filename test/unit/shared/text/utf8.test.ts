import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBeirDocuments } from '../../../../src/corpus/beir.js';
import { readQrels } from '../../../../src/corpus/qrels.js';
import { readRun } from '../../../../src/metrics/run-file.js';
import { DataError } from '../../../../src/shared/errors.js';
import { createUtf8Stream, decodeUtf8, firstInvalidUtf8 } from '../../../../src/shared/text/utf8.js';

/** Issue 11 #9: non-UTF-8 bytes became U+FFFD silently; now an error with the byte offset and line. */
describe('strict UTF-8', () => {
  it.each([
    [[0x61, 0xe9, 0x62], 1], // Latin-1 é
    [[0x61, 0xc3], 1], // truncated 2-byte sequence
    [[0xed, 0xa0, 0x80], 0], // an encoded surrogate
    [[0xc0, 0xaf], 0], // overlong
    [[0xf0, 0x9f, 0x9a, 0x80, 0xff], 4],
    [[0x61, 0x62], 2],
  ])('finds the first invalid byte of %j at %d', (bytes, at) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(at);
  });

  it('decodes valid text (emoji split across stream chunks too) and rejects Latin-1 with offset and line', () => {
    const bytes = Buffer.from('ab\n🚀 ok\n');
    const stream = createUtf8Stream('f');
    expect(stream.push(bytes.subarray(0, 5)) + stream.push(bytes.subarray(5)) + stream.end()).toBe('ab\n🚀 ok\n');
    expect(() => decodeUtf8(Buffer.from([0x61, 0x0a, 0x63, 0x61, 0x66, 0xe9]), 'latin1.tsv')).toThrow(
      'latin1.tsv:2 invalid UTF-8 at byte offset 5 (byte 0xe9)',
    );
    const chunked = createUtf8Stream('c.jsonl');
    chunked.push(Buffer.from('x\ny\n'));
    expect(() => chunked.push(Buffer.from([0x7a, 0x0a, 0xff]))).toThrow('c.jsonl:4 invalid UTF-8 at byte offset 6 (byte 0xff)');
  });

  it('corpus, qrels and run readers fail on Latin-1 bytes instead of reading U+FFFD', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rb-utf8-'));
    const latin1 = (text: string) => Buffer.from(text, 'latin1');
    await writeFile(join(dir, 'corpus.jsonl'), latin1('{"_id":"a","text":"ok"}\n{"_id":"b","text":"caf\u00e9"}\n'));
    await writeFile(join(dir, 'qrels.tsv'), latin1('query-id\tcorpus-id\tscore\nq\u00e9\ta\t1\n'));
    await writeFile(join(dir, 'run.trec'), latin1('q Q0 caf\u00e9 1 1.0 x\n'));
    const docs = async () => {
      for await (const _ of readBeirDocuments(join(dir, 'corpus.jsonl'))) void _;
    };
    await expect(docs()).rejects.toThrow(`${join(dir, 'corpus.jsonl')}:2 invalid UTF-8 at byte offset 46 (byte 0xe9)`);
    await expect(readQrels(join(dir, 'qrels.tsv'))).rejects.toThrow(/qrels\.tsv:2 invalid UTF-8 at byte offset 26 /);
    await expect(readRun(join(dir, 'run.trec'))).rejects.toThrow(DataError);
  });
});
