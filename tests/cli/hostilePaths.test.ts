// Security promise: paths are bound as parameters, never pasted into SQL. Folders named like an
// injection attempt work like any other.
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';

describe('paths that look like SQL', () => {
  it('loads, scores and writes with inbox, output and database paths full of quotes and semicolons', () => {
    const root = temporaryFolder('strata-hostile-');
    const inbox = join(root, `in'box"; DROP TABLE runs; --`);
    const out = join(root, `out'); COPY runs TO '/tmp/x.csv'; --`);
    mkdirSync(inbox);
    cpSync(join(repoRoot, 'data-samples', 'inbox'), inbox, { recursive: true });
    const result = runCli(['run', '--inbox', inbox, '--out', out, '--db', join(out, `db'"; --.duckdb`)]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const asOf = readdirSync(inbox).sort().at(-1)!;
    expect(existsSync(join(out, asOf, 'quarantine.csv'))).toBe(true);
    expect(existsSync(join(out, asOf, 'population_scores.arrow'))).toBe(true);
  });
});
