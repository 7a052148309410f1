// Vitest global setup: builds dist/ once before the first test (bin/build.js), so that every test that runs the
// `strata` command line runs today's code compiled, not yesterday's build nor the sources through tsx.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './runCli.ts';

export default function buildOnce(): void {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin', 'build.js')], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bin/build.js failed before the tests:\n${result.stdout}${result.stderr}`);
}
