import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Chromium the browser tests drive: RAGBENCH_CHROMIUM (a path; `none` hides every Chromium, to try the suite as
 * a machine without one), else CHROMIUM_PATH, else Debian's /usr/bin/chromium, chromium-browser, or `chromium` on PATH.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.RAGBENCH_CHROMIUM ?? env.CHROMIUM_PATH;
  if (chosen !== undefined) return chosen !== 'none' && existsSync(chosen) ? chosen : undefined;
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', ...(env.PATH ?? '').split(':').filter(Boolean).map((p) => join(p, 'chromium'))];
  return candidates.find((path) => existsSync(path));
}

export const chromiumMissingReason =
  'no Chromium found (RAGBENCH_CHROMIUM, /usr/bin/chromium, chromium on PATH); enable them with ' +
  '`sudo apt-get install -y --no-install-recommends chromium` or RAGBENCH_CHROMIUM=/path/to/chromium';

/** .ci/run sets RAGBENCH_REQUIRE_CHROMIUM=1 after installing Chromium: there a missing browser is a failure, not a skip. */
export const chromiumRequired = process.env.RAGBENCH_REQUIRE_CHROMIUM === '1';
