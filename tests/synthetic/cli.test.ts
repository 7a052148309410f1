// `strata generate` on the command line: options are checked before any work (exit 2, one line), and a
// run prints its summary and writes the inbox, truth and planted-row files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGenerateSettings } from '../../synthetic/index.ts';
import { UsageError } from '../../core/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'strata-generate-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const valid = { out: join(root, 'x'), persons: 100, seed: 1, asOf: '2026-11-22', extracts: 3, badRows: false, gzip: false };

function strata(...args: string[]) {
  return spawnSync(process.execPath, ['bin/strata.js', 'generate', ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
}

describe('generate settings', () => {
  it.each([
    [{ persons: 0 }, '--persons'],
    [{ persons: 2.5 }, '--persons'],
    [{ persons: Number.NaN }, '--persons'],
    [{ seed: -1 }, '--seed'],
    [{ extracts: 0 }, '--extracts'],
    [{ asOf: '2026-02-30' }, '--as-of'],
    [{ asOf: '22/11/2026' }, '--as-of'],
    [{ truth: join(root, 'x', 'truth.csv') }, '--truth must be outside --out'],
    [{ planted: join(root, 'x', 'p.json'), badRows: true }, '--planted must be outside --out'],
    [{ planted: join(root, 'p.json') }, '--planted needs --bad-rows'],
    [{ carePlanEffect: 0 }, '--care-plan-effect must be a hazard ratio above 0'],
    [{ carePlanEffect: 6 }, '--care-plan-effect must be a hazard ratio above 0 and at most 5'],
    [{ carePlanEffect: Number.NaN }, '--care-plan-effect'],
  ])('refuses %j', (override, message) => {
    expect(() => parseGenerateSettings({ ...valid, ...override })).toThrow(UsageError);
    expect(() => parseGenerateSettings({ ...valid, ...override })).toThrow(message);
  });

  it('refuses an --out that already holds extract folders, but accepts other non-empty folders', () => {
    const out = join(root, 'used');
    mkdirSync(join(out, 'notes'), { recursive: true });
    expect(parseGenerateSettings({ ...valid, out }).out).toBe(out);
    mkdirSync(join(out, '2026-11-20'));
    expect(() => parseGenerateSettings({ ...valid, out })).toThrow(/already holds extract folders/);
  });
});

describe('strata generate (command line)', () => {
  it('exits 2 with one line on bad usage, before writing anything', () => {
    const out = join(root, 'bad');
    const result = strata('--out', out, '--as-of', 'yesterday');
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--as-of');
    expect(existsSync(out)).toBe(false);
  });

  it('writes the inbox and prints a summary', () => {
    const out = join(root, 'inbox');
    const result = strata('--out', out, '--persons', '300', '--extracts', '2', '--bad-rows', '--truth', join(root, 'truth.csv'), '--planted', join(root, 'planted.json'));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/2 extract folders \(2026-11-21, 2026-11-22\)/);
    expect(result.stdout).toMatch(/prescriptions: \d+ rows/);
    expect(readdirSync(out).sort()).toEqual(['2026-11-21', '2026-11-22']);
    expect(existsSync(join(root, 'truth.csv'))).toBe(true);
    expect(existsSync(join(root, 'planted.json'))).toBe(true);
    const again = strata('--out', out, '--persons', '300');
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already holds extract folders/);
  });
});
