// `strata --help` and a usage error answer at once (issue 18: within 0.3 s): the command line loads DuckDB, Arrow,
// the charts, the generator and the configuration schema only when a command runs. What each invocation loads is
// recorded by a module hook (tests/helpers/recordLoadedModules.mjs), so this test does not time anything: the time is
// measured by tests/bench/startUpBench.ts and recorded in docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

/** Packages and modules that only a command's work needs. */
const heavy = [/@duckdb\//, /apache-arrow/, /vega/, /\/zod\//, /simple-statistics/, /synthetic\/generateInbox/, /core\/db\/Database/];

function loadedBy(args: readonly string[]): { status: number | null; stdout: string; stderr: string; modules: string[] } {
  const record = join(temporaryFolder('strata-startup-'), 'modules.txt');
  const result = spawnSync(process.execPath, ['--import', join(repoRoot, 'tests', 'helpers', 'recordLoadedModules.mjs'), join(repoRoot, 'bin', 'strata.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, STRATA_LOADED_MODULES: record },
    timeout: 60_000,
  });
  const modules = readFileSync(record, 'utf8').trim().split('\n');
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, modules };
}

const commands = ['run', 'train', 'generate', 'evaluate', 'status', 'schedule', 'unlock'];

describe('start-up: help and usage errors load nothing heavy', () => {
  it.each(['--help', ...commands.map((command) => `${command} --help`)])('strata %s', (line) => {
    const { status, stdout, modules } = loadedBy(line.split(' '));
    expect(status).toBe(0);
    expect(stdout).toContain('Options:');
    // The hook saw the command line itself load: the record is not empty by accident.
    expect(modules.some((url) => /pipeline\/cli\.(js|ts)$/.test(url))).toBe(true);
    expect(modules.filter((url) => heavy.some((pattern) => pattern.test(url)))).toEqual([]);
  });

  it.each([
    ['run --bogus', 'Unknown argument: bogus'],
    ['status', 'Missing required argument: db'],
    ['frobnicate', 'Unknown argument: frobnicate'],
  ])('strata %s answers with one line and exit code 2', (line, message) => {
    const { status, stderr, modules } = loadedBy(line.split(' '));
    expect(status).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(modules.filter((url) => heavy.some((pattern) => pattern.test(url)))).toEqual([]);
  });

  it('would catch a heavy module: a real command loads DuckDB', () => {
    const { modules } = loadedBy(['status', '--db', join(temporaryFolder('strata-startup-db-'), 'missing.duckdb')]);
    expect(modules.some((url) => /@duckdb\//.test(url))).toBe(true);
  });
});
