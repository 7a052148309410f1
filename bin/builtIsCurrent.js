// Whether dist/ (bin/build.js) holds today's code: its stamp is newer than every TypeScript source file in the
// folders tsconfig.build.json compiles. bin/strata.js runs dist/ only then.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The folders tsconfig.build.json compiles. */
export const sourceFolders = ['core', 'synthetic', 'pipeline', 'models', 'reports'];

function newestSourceTime(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (/\.(ts|mjs)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** @param {string} root the project's root folder */
export function builtIsCurrent(root) {
  try {
    const built = statSync(join(root, 'dist', '.built')).mtimeMs;
    return sourceFolders.every((folder) => newestSourceTime(join(root, folder)) <= built);
  } catch {
    return false; // never built, the build failed, or a source folder is missing
  }
}
