// Crash safety: a real run killed with SIGKILL during each stage, then run again, writes exactly what
// one uninterrupted run writes. While it is dead, nothing half-written sits under a final name.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checksums, readOnlyRows } from '../helpers/outputFiles.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const asOf = readdirSync(sampleInbox).sort().at(-1)!;

/** sha256 of every output file; run.json by its outputs and results (its timings and run id differ). */
function fingerprint(folder: string): Record<string, string> {
  const files = checksums(folder);
  const run = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8'));
  files['run.json'] = JSON.stringify({ as_of: run.as_of, status: run.status, people_scored: run.people_scored, models: run.models, outputs: run.outputs });
  return files;
}

/**
 * Starts `strata run` and SIGKILLs it `delayMs` after the first JSON log line matching `when`.
 * Resolves with how it ended, so the test can insist it really was killed mid-run.
 */
function runAndKill(out: string, when: (event: Record<string, unknown>) => boolean, delayMs: number, extraArgs: string[] = []) {
  return new Promise<{ signal: NodeJS.Signals | null; code: number | null }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'strata.js'), 'run', '--inbox', sampleInbox, '--out', out, '--log-format', 'json', ...extraArgs], {
      cwd: repoRoot,
      env: { ...process.env, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    let armed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!armed && when(JSON.parse(line))) {
          armed = true;
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function runStatuses(dbPath: string): Promise<string[]> {
  return (await readOnlyRows(dbPath, 'SELECT status FROM runs ORDER BY started_at')).map((r) => String(r['status']));
}

const stageStarted = (stage: string) => (e: Record<string, unknown>) => e['event'] === 'stage_started' && e['stage'] === stage;

describe('a run killed at any moment, then run again', () => {
  let expected: Record<string, string>;
  /** The uninterrupted run's output folder and database, left as that run left them. */
  let uninterrupted: string;

  beforeAll(() => {
    uninterrupted = temporaryFolder('strata-uninterrupted-');
    const result = runCli(['run', '--inbox', sampleInbox, '--out', uninterrupted]);
    expect(result.status).toBe(0);
    expected = fingerprint(join(uninterrupted, asOf));
  });

  it.each([
    ['load, between two extract folders', (e: Record<string, unknown>) => e['event'] === 'file_loaded', 0],
    ['training', stageStarted('train'), 400],
    ['building features', stageStarted('features_scoring'), 100],
    ['writing outputs', stageStarted('outputs'), 150],
    ['writing the report', stageStarted('report'), 200],
  ])('killed during %s: the re-run writes exactly the uninterrupted outputs', async (_stage, when, delayMs) => {
    const out = temporaryFolder('strata-killed-');
    const killed = await runAndKill(out, when, delayMs);
    expect(killed.signal, 'the run finished before it could be killed; move the kill point').toBe('SIGKILL');
    // Nothing visible under a final name: no output folder, only hidden staging (and the database).
    expect(readdirSync(out).filter((name) => !name.startsWith('.') && !name.startsWith('strata.duckdb'))).toEqual([]);
    expect(existsSync(join(out, 'strata.duckdb.lock'))).toBe(true);

    const again = runCli(['run', '--inbox', sampleInbox, '--out', out]);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(fingerprint(join(out, asOf))).toEqual(expected);
    expect(readdirSync(out).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(await runStatuses(join(out, 'strata.duckdb'))).toEqual(['abandoned', 'succeeded']);
  });

  it('killed while re-running a night whose outputs exist: those outputs stay whole until the new ones replace them', async () => {
    // The night's outputs exist: a copy of the uninterrupted run's folder and database (the same as running it again here).
    const out = temporaryFolder('strata-rerun-killed-');
    cpSync(uninterrupted, out, { recursive: true });
    const killed = await runAndKill(out, stageStarted('outputs'), 150, ['--retrain']);
    expect(killed.signal).toBe('SIGKILL');
    expect(fingerprint(join(out, asOf))).toEqual(expected);
    expect(runCli(['run', '--inbox', sampleInbox, '--out', out]).status).toBe(0);
    expect(fingerprint(join(out, asOf))).toEqual(expected);
  });
});
