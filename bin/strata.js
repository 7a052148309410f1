#!/usr/bin/env node
// Entry point for `npx strata`. Runs the JavaScript that `npm ci` builds into dist/ (bin/build.js), which
// starts faster; runs the TypeScript sources through tsx instead when dist/ is missing or older than any source
// file, so that an edited checkout never runs yesterday's code.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtIsCurrent } from './builtIsCurrent.js';

if (builtIsCurrent(join(dirname(fileURLToPath(import.meta.url)), '..'))) {
  await import('../dist/pipeline/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../pipeline/cli.ts');
}
