// Where a path really points, for comparing the inbox, the outputs and the database and for keying the
// run lock: symlinks in the part of the path that exists are resolved, the rest is kept as written.
// Nothing is expanded (a `~` is a folder name like any other) and nothing is created.
import { realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/**
 * The real path of `path`, resolved one component at a time as the kernel would: each existing component
 * through its symlinks, `..` from the real folder reached so far (not by trimming the text), and the
 * first missing component and everything after it appended as written.
 */
export function resolveRealPath(path: string, cwd = process.cwd()): string {
  const absolute = path.startsWith(sep) ? path : `${cwd}${sep}${path}`;
  let real: string = sep;
  let existing = true;
  for (const part of absolute.split(sep)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      real = dirname(real);
      continue;
    }
    const next = join(real, part);
    if (existing) {
      try {
        real = realpathSync(next);
        continue;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Missing (or a dangling symlink), or a file where a folder is needed: nothing further exists.
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
        existing = false;
      }
    }
    real = next;
  }
  return real;
}

/** Whether two real paths are the same, or one lies inside the other. */
export function pathRelation(path: string, other: string): 'same' | 'inside' | 'holds' | null {
  if (path === other) return 'same';
  if (path.startsWith(other.endsWith(sep) ? other : `${other}${sep}`)) return 'inside';
  if (other.startsWith(path.endsWith(sep) ? path : `${path}${sep}`)) return 'holds';
  return null;
}
