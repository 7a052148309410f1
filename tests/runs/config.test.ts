// The configuration file and the flags over it: merged key by key, checked before any work, and every
// mistake named by its key with what is allowed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../pipeline/config.ts';
import { ExitCode, StrataError } from '../../core/errors.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

function folderWithConfig(content: unknown): string {
  const folder = temporaryFolder('strata-config-');
  writeFileSync(join(folder, 'strata.config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return folder;
}

function usageErrorOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(StrataError);
    expect((error as StrataError).exitCode).toBe(ExitCode.badUsage);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('resolveRunConfig', () => {
  it('uses the defaults when there is no file', () => {
    const cwd = temporaryFolder();
    const { config, configFile } = resolveRunConfig({ inbox: 'in', out: 'out' }, undefined, cwd);
    expect(configFile).toBeNull();
    expect(config).toMatchObject({ tierCutoffs: [0.005, 0.05, 0.2], listTiers: 2, suppressionThreshold: 8, keepRuns: 30, maxModelAgeDays: 30 });
    expect(config.db).toMatch(/out[/\\]strata\.duckdb$/);
  });

  it('reads strata.config.json from the working folder, takes its relative paths from its own folder, and lets flags win', () => {
    const cwd = folderWithConfig({ inbox: 'inbox', out: 'outputs', listTiers: 3, keepRuns: 5, memoryLimit: '3GB', threads: 2 });
    const { config, configFile } = resolveRunConfig({ listTiers: 1 }, undefined, cwd);
    expect(configFile).toBe(join(cwd, 'strata.config.json'));
    expect(config).toMatchObject({ inbox: join(cwd, 'inbox'), out: join(cwd, 'outputs'), db: join(cwd, 'outputs', 'strata.duckdb'), listTiers: 1, keepRuns: 5, memoryLimit: '3GB', threads: 2 });
  });

  it('reads the file named by --config, wherever the run starts', () => {
    const elsewhere = folderWithConfig({ inbox: '/data/inbox', out: '/data/out', db: 'state/strata.duckdb' });
    const { config } = resolveRunConfig({}, join(elsewhere, 'strata.config.json'), temporaryFolder());
    expect(config).toMatchObject({ inbox: '/data/inbox', out: '/data/out', db: join(elsewhere, 'state', 'strata.duckdb') });
  });

  it('names an unknown key and lists the allowed ones', () => {
    const cwd = folderWithConfig({ inbox: 'in', out: 'out', tierCutofs: [0.01, 0.05, 0.2] });
    const message = usageErrorOf(() => resolveRunConfig({}, undefined, cwd));
    expect(message).toMatch(/unknown key "tierCutofs"; allowed keys are inbox, out, db, tierCutoffs, listTiers/);
  });

  it.each([
    [{ listTiers: 7 }, /"listTiers" .*<=4/],
    [{ tierCutoffs: [0.05, 0.01, 0.2] }, /"tierCutoffs" tier cut-offs must increase/],
    [{ suppressionThreshold: 5 }, /"suppressionThreshold" must be at least 8: the contract hides every count from 1 to 7/],
    [{ memoryLimit: 'lots' }, /"memoryLimit" must be a size such as '3GB'/],
    [{ threads: 0 }, /"threads" .*>=1/],
    [{ keepRuns: 'all' }, /"keepRuns" expected number, received string/],
    [{ retrain: true }, /unknown key "retrain"/],
  ])('refuses %j in the file, naming the key and what is allowed', (values, expected) => {
    const cwd = folderWithConfig({ inbox: 'in', out: 'out', ...values });
    expect(usageErrorOf(() => resolveRunConfig({}, undefined, cwd))).toMatch(expected);
  });

  it('names the flag when a flag is wrong', () => {
    const cwd = temporaryFolder();
    expect(usageErrorOf(() => resolveRunConfig({ inbox: 'in', out: 'out', asOf: '2026-02-30' }, undefined, cwd))).toMatch(/^--as-of: must be a real date/);
    expect(usageErrorOf(() => resolveRunConfig({ inbox: 'in', out: 'out', keepRuns: 0 }, undefined, cwd))).toMatch(/^--keep-runs: .*>=1/);
  });

  it('says what is missing, and where it could be set', () => {
    expect(usageErrorOf(() => resolveRunConfig({ out: 'out' }, undefined, temporaryFolder()))).toBe(
      '--inbox is required (or set "inbox" in strata.config.json)',
    );
  });

  it('refuses a file that is not JSON, and a --config that does not exist', () => {
    const cwd = folderWithConfig('{ "listTiers": 2, }');
    expect(usageErrorOf(() => resolveRunConfig({}, undefined, cwd))).toMatch(/strata\.config\.json is not valid JSON/);
    const empty = temporaryFolder();
    mkdirSync(join(empty, 'sub'));
    expect(usageErrorOf(() => resolveRunConfig({}, 'sub/missing.json', empty))).toBe('the configuration file sub/missing.json does not exist');
  });
});
