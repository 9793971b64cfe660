import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataError, RagbenchError, ServiceError } from '../shared/errors.js';
import { fetchUnderPolicy, type OutboundPolicy } from '../shared/http/outbound.js';
import type { Progress } from '../shared/progress.js';
import type { UpstreamFile } from './catalog.js';
import { pullCommand } from './location.js';

export interface FetchedFile {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly md5: string;
  /** Where the bytes came from (URL or path). */
  readonly from: string;
}

interface FetchOptions {
  /** A folder or http(s) URL laid out as `<mirror>/<dataset>/raw/<file>`. */
  readonly mirror?: string;
  readonly progress: Progress;
  readonly signal?: AbortSignal;
}

const isUrl = (location: string) => /^https?:\/\//i.test(location);

/** Where one upstream file is read from: the mirror when given, else its pinned upstream URL. */
function sourceOf(dataset: string, file: UpstreamFile, mirror: string | undefined): string {
  if (mirror === undefined) return file.url;
  if (isUrl(mirror)) return `${mirror.replace(/\/+$/, '')}/${dataset.split('/').map(encodeURIComponent).join('/')}/raw/${encodeURIComponent(file.name)}`;
  return join(mirror, ...dataset.split('/'), 'raw', file.name);
}

/**
 * Copies one upstream file to `dest`, hashing it on the way, and checks its size (a short HTTP body is a
 * truncated download) and checksum. Throws before anything outside the temporary folder is touched.
 */
export async function fetchFile(dataset: string, file: UpstreamFile, dest: string, options: FetchOptions): Promise<FetchedFile> {
  const from = sourceOf(dataset, file, options.mirror);
  const { body, size } = isUrl(from) ? await openUrl(dataset, from, options.signal) : await openPath(dataset, from);
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let bytes = 0;
  options.progress.start(`${dataset}: ${file.name} (KiB)`, size === undefined ? undefined : Math.ceil(size / 1024));
  let reported = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      sha256.update(chunk);
      md5.update(chunk);
      const kib = Math.floor(bytes / 1024);
      if (kib > reported) {
        options.progress.advance(kib - reported);
        reported = kib;
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(dest), ...(options.signal ? [{ signal: options.signal }] : []));
    // the last partial KiB, so a finished download reads n/n
    if (Math.ceil(bytes / 1024) > reported) options.progress.advance(Math.ceil(bytes / 1024) - reported);
  } catch (error) {
    if (error instanceof RagbenchError) throw error;
    throw new ServiceError('download', `${dataset}: ${file.name} is truncated: the transfer from ${from} broke off after ${bytes} bytes (${(error as Error).message})`, {
      retryable: true,
      fix: `run \`${pullCommand(dataset)}\` again`,
      cause: error,
    });
  } finally {
    options.progress.done();
  }
  if (size !== undefined && bytes !== size) {
    throw new ServiceError('download', `${dataset}: ${file.name} is truncated: got ${bytes} of ${size} bytes from ${from}`, {
      retryable: true,
      fix: `run \`${pullCommand(dataset)}\` again`,
    });
  }
  const fetched = { name: file.name, bytes, sha256: sha256.digest('hex'), md5: md5.digest('hex'), from };
  checkDigest(dataset, file, fetched);
  return fetched;
}

/** A checksum mismatch names the file, the expected and the actual hash. */
export function checkDigest(dataset: string, file: UpstreamFile, actual: { sha256: string; md5: string; from: string }): void {
  const [algorithm, expected, got] = file.sha256 ? ['sha256', file.sha256, actual.sha256] : file.md5 ? ['md5', file.md5, actual.md5] : [];
  if (algorithm && expected !== got) {
    throw new DataError(`${dataset}: checksum mismatch for ${file.name} (from ${actual.from}): expected ${algorithm} ${expected}, got ${got}`, {
      place: { file: actual.from },
      fix: 'the file differs from the pinned upstream version; check the mirror or source (nothing was overwritten)',
    });
  }
}

async function openPath(dataset: string, path: string): Promise<{ body: Readable; size: number }> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) {
    throw new DataError(`${dataset}: mirror file missing: ${path}`, {
      place: { file: path },
      fix: 'a mirror folder holds <mirror>/<dataset>/raw/<upstream file>, e.g. a copy of another machine\'s datasets folder',
    });
  }
  return { body: createReadStream(path), size: info.size };
}

/** A download may be large (Touché's zip is 700 MB) but not endless, and may not stall forever. */
export const downloadPolicy: OutboundPolicy = {
  service: 'download',
  maxResponseBytes: 4 * 1024 ** 3,
  maxResponseBytesSetting: 'the download cap (4 GiB; no dataset in the catalog is larger)',
  crossOriginRedirects: 'follow',
  idleTimeoutMs: 60_000,
};

async function openUrl(dataset: string, url: string, signal: AbortSignal | undefined): Promise<{ body: Readable; size: number | undefined }> {
  let response: Response;
  try {
    // Downloads carry no credentials, so redirects to another host (a release asset on a CDN) are followed, at most 5.
    response = await fetchUnderPolicy(url, signal ? { signal } : {}, downloadPolicy);
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new ServiceError('download', `${dataset}: cannot download ${url} (${reason})`, {
      retryable: true,
      fix: `connect to the internet and run \`${pullCommand(dataset)}\`, or pull from a copy: \`${pullCommand(dataset)} --mirror DIR\``,
      cause: error,
    });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new ServiceError('download', `${dataset}: ${url} answered HTTP ${response.status} ${response.statusText}`.trimEnd(), {
      status: response.status,
      retryable: response.status >= 500,
      fix: response.status >= 500 ? `the server failed; run \`${pullCommand(dataset)}\` again later` : 'check the mirror URL (layout <mirror>/<dataset>/raw/<file>)',
    });
  }
  const length = response.headers.get('content-length');
  const encoded = response.headers.get('content-encoding');
  // A compressed body's length is not the file's length; only trust it for identity encoding.
  const size = length !== null && (!encoded || encoded === 'identity') ? Number(length) : undefined;
  return { body: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), size };
}
