import { statSync } from 'node:fs';

/** True for an existing directory (or a link to one); false for anything else, including a path that is not there. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
