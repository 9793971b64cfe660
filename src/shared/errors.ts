/**
 * One error family, caught once in `cli/main.ts` and printed as one line: where, what, and the fix.
 * `code` is a stable string that docs and tests refer to.
 */
type ErrorCode =
  | 'E_USAGE'
  | 'E_CONFIG'
  | 'E_DATA'
  | 'E_DIMENSION'
  | 'E_INDEX_MISMATCH'
  | 'E_SERVICE'
  | 'E_GATE';

/** Exit codes: 0 ok, 1 gate failed, 2 usage/config/data error, 3 service error. */
export const exitCodes: Record<ErrorCode, number> = {
  E_USAGE: 2,
  E_CONFIG: 2,
  E_DATA: 2,
  E_DIMENSION: 2,
  E_INDEX_MISMATCH: 2,
  E_SERVICE: 3,
  E_GATE: 1,
};

export class RagbenchError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;
  constructor(code: ErrorCode, message: string, fix?: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.fix = fix;
    this.name = new.target.name;
  }
}

/** A place in a file: `file:line:column` (1-based) when known. */
export interface Place {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

function formatPlace(place: Place): string {
  let text = place.file;
  if (place.line !== undefined) text += `:${place.line}`;
  if (place.line !== undefined && place.column !== undefined) text += `:${place.column}`;
  return text;
}

export class UsageError extends RagbenchError {
  constructor(message: string, fix?: string) {
    super('E_USAGE', message, fix);
  }
}

/** A config file (YAML) that does not parse or does not fit its schema. */
export class ConfigError extends RagbenchError {
  readonly place: Place | undefined;
  constructor(message: string, options: { place?: Place; fix?: string; cause?: unknown } = {}) {
    super('E_CONFIG', options.place ? `${formatPlace(options.place)} ${message}` : message, options.fix, {
      cause: options.cause,
    });
    this.place = options.place;
  }
}

/** A data file (corpus, queries, qrels, run) that is malformed or inconsistent. */
export class DataError extends RagbenchError {
  readonly place: Place | undefined;
  constructor(message: string, options: { place?: Place; fix?: string; cause?: unknown } = {}) {
    super('E_DATA', options.place ? `${formatPlace(options.place)} ${message}` : message, options.fix, {
      cause: options.cause,
    });
    this.place = options.place;
  }
}

/** Vectors whose length is not the index's dimensions. */
export class DimensionError extends RagbenchError {
  constructor(message: string, fix?: string) {
    super('E_DIMENSION', message, fix);
  }
}

/** An existing index was created with other dimensions or distance: nothing is overwritten. */
export class IndexMismatchError extends RagbenchError {
  constructor(message: string, fix?: string) {
    super('E_INDEX_MISMATCH', message, fix);
  }
}

/** A remote service failed. The message never contains secrets. */
export class ServiceError extends RagbenchError {
  readonly service: string;
  readonly retryable: boolean;
  readonly status: number | undefined;
  constructor(
    service: string,
    message: string,
    options: { retryable?: boolean; status?: number; fix?: string; cause?: unknown } = {},
  ) {
    super('E_SERVICE', `${service}: ${message}`, options.fix, { cause: options.cause });
    this.service = service;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }
}

/** A regression gate failed (exit code 1). */
export class GateError extends RagbenchError {
  constructor(message: string) {
    super('E_GATE', message);
  }
}

/**
 * A readable message for anything thrown: an Error's message, a non-Error object's `message` (PGlite and
 * emscripten throw plain objects, which `String()` turns into "[object Object]"), else its JSON.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === 'object') {
    const { message, status } = error as { message?: unknown; status?: unknown };
    if (typeof message === 'string' && message !== '') return message;
    if (typeof status === 'number') return `exited with status ${status}`;
    try {
      const json = JSON.stringify(error);
      if (json && json !== '{}') return json;
    } catch {
      // circular: fall through
    }
  }
  const text = String(error);
  return text === '[object Object]' ? 'unknown error (no message)' : text;
}

/** File system errors a user can fix (a full disk, a read-only mount, a missing permission) → exit code. */
const fileSystemErrors: Readonly<Record<string, { readonly exit: number; readonly what: string }>> = {
  ENOSPC: { exit: 3, what: 'no space left on the device' },
  EDQUOT: { exit: 3, what: 'disk quota exceeded' },
  EIO: { exit: 3, what: 'input/output error' },
  EROFS: { exit: 2, what: 'read-only file system' },
  EACCES: { exit: 2, what: 'permission denied' },
  EPERM: { exit: 2, what: 'operation not permitted' },
  ENOTDIR: { exit: 2, what: 'a part of the path is a file, not a folder' },
  EISDIR: { exit: 2, what: 'is a folder, not a file' },
};

/** One line and an exit code for a Node file system error (with `code`, `syscall`, `path`), else undefined. */
export function describeFileSystemError(error: unknown): { readonly message: string; readonly exit: number } | undefined {
  const { code, syscall, path } = (error ?? {}) as NodeJS.ErrnoException;
  const known = typeof code === 'string' ? fileSystemErrors[code] : undefined;
  if (!known || typeof path !== 'string') return undefined;
  return { message: `cannot ${syscall ?? 'access'} ${path}: ${known.what} (${code})`, exit: known.exit };
}
