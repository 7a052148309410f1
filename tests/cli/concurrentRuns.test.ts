// One run per database: a second `strata run` while the first works exits 4 at once, naming the holder.
// Also checks what the first run leaves: files for the owner and group only, and no lock.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathsUnder } from '../helpers/outputFiles.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');

describe('two runs on one database', () => {
  it('the second exits 4 at once with the holder\'s run id, pid and start time; the first finishes', async () => {
    const out = temporaryFolder('strata-concurrent-');
    const first = spawn(process.execPath, [join(repoRoot, 'bin', 'strata.js'), 'run', '--inbox', sampleInbox, '--out', out, '--log-format', 'json'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    const started = await new Promise<{ run_id: string }>((resolve) => {
      let buffered = '';
      first.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        for (const line of buffered.split('\n').slice(0, -1)) {
          const event = JSON.parse(line);
          if (event.event === 'stage_started') resolve(event);
        }
      });
    });

    const second = runCli(['run', '--inbox', sampleInbox, '--out', out]);
    expect(second.status).toBe(4);
    expect(second.stderr).toMatch(
      new RegExp(`^strata: the database .*strata\\.duckdb is in use by strata run ${started.run_id} \\(pid ${first.pid} on ${hostname()}, started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); wait for it to finish, or stop that process\\n$`),
    );
    expect(first.exitCode, 'the second run returned at once, while the first was still working').toBeNull();

    expect(await exited).toBe(0);
    expect(existsSync(join(out, 'strata.duckdb.lock'))).toBe(false);
    // Owner and group only: files 0640, folders 0750 (umask 027), the database included.
    for (const path of pathsUnder(out)) {
      const mode = statSync(path).mode & 0o777;
      expect({ path, mode: mode.toString(8) }).toEqual({ path, mode: statSync(path).isDirectory() ? '750' : '640' });
    }
  });
});
