import type { ManifestChange } from '../../report/comparison/summary.js';
import type { RunManifest } from '../run/folder.js';

/**
 * What differs between two run manifests, setting by setting: the corpus fingerprint, ragbench/Node/dependency
 * versions, the eval settings that change scores (metrics, depth, unjudged queries, query limit), and for each arm
 * present in both runs its chunker and retriever (kind and every option, down to the embedder, store and index
 * parameters nested in a dense retriever's options). File paths are left out: the same settings read from
 * another checkout are the same experiment. A changed fingerprint with no changed option (the implementation's
 * fingerprint changed) is reported as the fingerprint itself.
 */
export function diffManifests(baseline: RunManifest, candidate: RunManifest): ManifestChange[] {
  const changes: ManifestChange[] = [];
  const corpus = (m: RunManifest) => ({ name: m.corpus.name, fingerprint: m.corpus.fingerprint });
  changes.push(...diffValues('corpus', corpus(baseline), corpus(candidate)));
  changes.push(...diffValues('versions', baseline.versions, candidate.versions));
  const evalSettings = (m: RunManifest) => omit(m.eval, ['file', 'gate']);
  changes.push(...diffValues('eval', evalSettings(baseline), evalSettings(candidate)));
  const candidateArms = new Map(candidate.arms.map((arm) => [arm.arm, arm]));
  for (const arm of baseline.arms) {
    const other = candidateArms.get(arm.arm);
    if (!other) continue;
    for (const part of ['chunker', 'retriever'] as const) {
      const before = asRecord(arm[part]);
      const after = asRecord(other[part]);
      const settings = diffValues(arm.arm, omit(before, ['file', 'fingerprint']), omit(after, ['file', 'fingerprint']), part);
      changes.push(...settings);
      if (settings.length === 0 && before.fingerprint !== after.fingerprint) {
        changes.push(...diffValues(arm.arm, { fingerprint: before.fingerprint }, { fingerprint: after.fingerprint }, part));
      }
    }
  }
  return changes;
}

/** Leaf-by-leaf diff of two JSON values; arrays are compared whole (a changed separator list is one change). */
function diffValues(scope: string, baseline: unknown, candidate: unknown, prefix = ''): ManifestChange[] {
  const before = flatten(baseline, prefix);
  const after = flatten(candidate, prefix);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths
    .filter((path) => before.get(path) !== after.get(path))
    .map((path) => ({ scope, path, baseline: before.get(path), candidate: after.get(path) }));
}

function flatten(value: unknown, prefix: string, out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (value !== undefined) {
    out.set(prefix || '(value)', JSON.stringify(value));
  }
  return out;
}

function omit(value: unknown, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(asRecord(value)).filter(([key]) => !keys.includes(key)));
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
