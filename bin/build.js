#!/usr/bin/env node
// Builds dist/: the TypeScript sources compiled once to JavaScript (tsconfig.build.json), so that `strata`
// starts without compiling them at every start. `npm ci` runs it (the prepare script), and so does the test
// suite before its first test, so the command line the tests run is always today's code. Without the
// TypeScript compiler (an install that left out devDependencies) there is nothing to build: bin/strata.js
// then runs the sources through tsx, as it does whenever dist/ is older than a source file.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const dist = join(root, 'dist');

if (!existsSync(tsc)) {
  console.error('strata build: the TypeScript compiler is not installed (devDependencies left out); strata will run from the sources');
  process.exit(0);
}
rmSync(dist, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  console.error('strata build: tsc failed (above); dist/ was removed, so strata runs from the sources');
  process.exit(result.status ?? 1);
}
// Written last: bin/strata.js runs dist/ only when this stamp is newer than every source file.
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
