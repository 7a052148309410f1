// The project's root folder, found from this module's own place: <root>/core/files when run from the
// TypeScript sources, <root>/dist/core/files when run from the JavaScript that `npm ci` builds. Files the
// code reads at run time (sql/, docs/) stay in the root, so both ways read the same ones.
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const twoUp = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const projectRoot = basename(twoUp) === 'dist' ? dirname(twoUp) : twoUp;
