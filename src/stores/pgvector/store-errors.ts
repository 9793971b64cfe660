import { RagbenchError, ServiceError, describeError } from '../../shared/errors.js';

/** Postgres SQLSTATE classes and codes worth retrying: connection trouble, overload, serialization. */
const retryableSqlStates = new Set(['53300', '57P01', '57P02', '57P03', '40001', '40P01']);
const retryableNetworkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN']);

/** Maps driver errors to ServiceError (RagbenchErrors pass through); secrets are scrubbed from messages. */
export function toStoreError(service: string, error: unknown, secrets: readonly string[], where?: string): RagbenchError {
  if (error instanceof RagbenchError) return error;
  const code = (error as { code?: unknown }).code;
  let message = describeError(error);
  for (const secret of secrets) message = message.replaceAll(secret, '***');
  const codeText = typeof code === 'string' ? code : '';
  const connection =
    retryableNetworkCodes.has(codeText) ||
    codeText === 'ENOTFOUND' ||
    codeText.startsWith('08') ||
    /timeout|Connection terminated/i.test(message);
  if (where !== undefined && /Connection terminated unexpectedly/.test(message)) {
    return new ServiceError(service, `lost the connection to ${where} (server stopped, crashed or unreachable): ${message}`, {
      retryable: true,
      fix: 'check that the server is running, then run the same command again: the ingest resumes',
      cause: error,
    });
  }
  if (where !== undefined && connection) {
    return new ServiceError(service, `cannot reach ${where}: ${message}`, {
      retryable: codeText !== 'ENOTFOUND',
      fix: 'check that the server is running and the URL points to it',
      cause: error,
    });
  }
  if (codeText === '3D000') {
    return new ServiceError(service, `${message} at ${where ?? 'the server'} (SQLSTATE 3D000)`, {
      fix: 'create the database (CREATE DATABASE name; or createdb name), or correct the database name at the end of the URL',
      cause: error,
    });
  }
  if (codeText === '28P01' || codeText === '28000') {
    return new ServiceError(service, `authentication failed at ${where ?? 'the server'}: ${message}`, {
      fix: 'check the user and password in the connection URL',
      cause: error,
    });
  }
  if (codeText === '58P01' || /extension "vector"/.test(message)) {
    return new ServiceError(service, `pgvector is not available: ${message}`, {
      fix: 'install pgvector on the server, or run CREATE EXTENSION vector as a superuser',
      cause: error,
    });
  }
  return new ServiceError(service, codeText ? `${message} (SQLSTATE ${codeText})` : message, {
    retryable: retryableSqlStates.has(codeText) || retryableNetworkCodes.has(codeText) || codeText.startsWith('08'),
    cause: error,
  });
}
