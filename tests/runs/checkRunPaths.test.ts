// Which paths a run refuses before it writes anything (data-contract.md §1), checked directly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRunPaths } from '../../pipeline/runs/checkRunPaths.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

describe('checkRunPaths', () => {
  const root = temporaryFolder('strata-paths-');
  const inbox = join(root, 'inbox');
  mkdirSync(inbox);
  const paths = { inbox, out: join(root, 'out'), db: join(root, 'out', 'strata.duckdb') };

  it('accepts a spill folder that holds the inbox (say /tmp): DuckDB writes only its own files there', () => {
    expect(() => checkRunPaths({ ...paths, tempDirectory: root })).not.toThrow();
  });

  it('refuses a spill folder inside the inbox, and outputs that hold it', () => {
    expect(() => checkRunPaths({ ...paths, tempDirectory: join(inbox, 'spill') })).toThrow(/--temp-directory .* is inside the inbox/);
    expect(() => checkRunPaths({ ...paths, out: root })).toThrow(/--out .* holds the inbox/);
  });
});
