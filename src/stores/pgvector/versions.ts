/**
 * The PostgreSQL and pgvector versions ragbench supports (README: "Postgres server"). Read once per store at
 * start: below the minimum the store refuses with the versions it found, between minimum and recommended it warns.
 */

/** PostgreSQL 13: the oldest release pgvector 0.8 builds for; pg_stat_progress_create_index needs 12. */
const minPostgresVersionNum = 130_000;
/** pgvector 0.5.0 added HNSW, the default index. */
const minVectorVersion = '0.5.0';
/** pgvector 0.8.0 added iterative index scans, which keep an ANN search filling LIMIT k. */
const recommendedVectorVersion = '0.8.0';

interface VersionVerdict {
  /** Why the store refuses this server, or undefined. */
  readonly refuse?: string;
  /** What the user should know but may proceed with. */
  readonly warn?: string;
}

/** `server_version_num` (e.g. 150020) and `extversion` (e.g. `0.8.1`) → refuse, warn, or nothing. */
export function judgeVersions(serverVersionNum: number, serverVersion: string, vectorVersion: string): VersionVerdict {
  if (serverVersionNum < minPostgresVersionNum) {
    return { refuse: `PostgreSQL ${serverVersion} is older than the supported minimum ${minPostgresVersionNum / 10_000}` };
  }
  if (compareVersions(vectorVersion, minVectorVersion) < 0) {
    return { refuse: `pgvector ${vectorVersion} is older than the supported minimum ${minVectorVersion} (no HNSW)` };
  }
  if (compareVersions(vectorVersion, recommendedVectorVersion) < 0) {
    return {
      warn:
        `pgvector ${vectorVersion} has no iterative index scans (added in ${recommendedVectorVersion}): an ANN search ` +
        'may return fewer than k hits; ALTER EXTENSION vector UPDATE after upgrading pgvector on the server',
    };
  }
  return {};
}

/** Numeric comparison of dotted versions: `0.10.0` > `0.8.7`. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const pb = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
