// Who left a practice's list (data-contract.md v2, case-finding/left/), end to end from the CLI with constructed
// people. The sample's first two nights are scored as of 2026-11-21; its third night is then changed so that four
// people on a night-2 list move practice, die, opt out, or leave the register, and run. The one who moved is on
// the old practice's left list as moved_practice, with nothing of tonight's; the other three are in no file of the
// night at all, so no death, departure or objection can be read from the lists; people who dropped a tier are there
// as lower_risk with tonight's tier and reasons.
import { cpSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { fieldOf, readCsvFile, rewriteFile, withField } from '../helpers/sampleCsv.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const [, night2, night3] = readdirSync(sampleInbox).sort() as [string, string, string];
const planted: { extract: string; file: string; line: number }[] = JSON.parse(readFileSync(join(repoRoot, 'data-samples', 'planted-bad-rows.json'), 'utf8'));
const readArrow = (path: string) => pl.readIPC(readFileSync(path)).toRecords() as Record<string, unknown>[];
const codeOf = (file: string) => file.replace(/(\.children)?\.arrow$/, '');

const out = temporaryFolder('strata-left-out-');
let moved: { id: string; from: string; to: string };
let gone: { died: string; optedOut: string; departed: string };

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => (statSync(join(folder, name)).isDirectory() ? filesUnder(join(folder, name)) : [join(folder, name)]));
}

beforeAll(() => {
  const inbox = temporaryFolder('strata-left-inbox-');
  cpSync(sampleInbox, inbox, { recursive: true });
  expect(runCli(['run', '--inbox', inbox, '--out', out, '--as-of', night2]).status).toBe(0);

  // Four people on a night-2 adults' list whose night-3 demographics rows are ordinary (not planted bad rows).
  const listFolder = join(out, night2, 'case-finding');
  const listed = readdirSync(listFolder).filter((f) => /^[A-Z]\d{5}\.arrow$/.test(f))
    .flatMap((file) => readArrow(join(listFolder, file)).map((row) => ({ id: row['person_id'] as string, practice: codeOf(file) })));
  const demographics = readCsvFile(join(inbox, night3, 'demographics.csv'));
  const header = demographics[0]!.split(',');
  const plantedLines = new Set(planted.filter((p) => p.extract === night3 && p.file === 'demographics.csv').map((p) => p.line));
  const ordinary = new Map(demographics.map((row, i) => ({ row, line: i + 1 }))
    .filter(({ row, line }) => line > 1 && !plantedLines.has(line) && row.split(',').length === header.length && fieldOf(header, row, 'opt_out') === 'N' && fieldOf(header, row, 'date_of_death') === '')
    .map(({ row }) => [fieldOf(header, row, 'person_id'), row]));
  const chosen = listed.filter((p) => ordinary.has(p.id)).slice(0, 4);
  expect(chosen).toHaveLength(4);
  const practices = [...new Set([...ordinary.values()].map((row) => fieldOf(header, row, 'practice_code')))].sort();
  const to = practices.find((p) => p !== chosen[0]!.practice)!;
  moved = { id: chosen[0]!.id, from: chosen[0]!.practice, to };
  gone = { died: chosen[1]!.id, optedOut: chosen[2]!.id, departed: chosen[3]!.id };

  rewriteFile(join(inbox, night3), 'demographics.csv', (_header, rows) => rows.flatMap((row) => {
    const id = fieldOf(header, row, 'person_id');
    if (id === moved.id) return [withField(header, row, 'practice_code', moved.to)];
    if (id === gone.died) return [withField(header, row, 'date_of_death', night2)];
    if (id === gone.optedOut) return [withField(header, row, 'opt_out', 'Y')];
    if (id === gone.departed) return [];
    return [row];
  }));
  const run = runCli(['run', '--inbox', inbox, '--out', out]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
}, 240_000);

describe('case-finding/left/', () => {
  const leftRows = () => readdirSync(join(out, night3, 'case-finding', 'left'))
    .flatMap((file) => readArrow(join(out, night3, 'case-finding', 'left', file)).map((row): Record<string, unknown> => ({ file: codeOf(file), ...row })));

  it('lists a person who moved practice on the old practice\'s left list only, naming nothing of their new practice', () => {
    const rows = leftRows().filter((row) => row['person_id'] === moved.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ file: moved.from, practice_code: moved.from, reason_left: 'moved_practice', ea_tier: null, ea_risk: null, top_factors: null });
    expect(JSON.stringify(rows[0])).not.toContain(moved.to);
    // Still scored, at the new practice.
    const scored = readArrow(join(out, night3, 'population_scores.arrow')).find((row) => row['person_id'] === moved.id)!;
    expect(scored['practice_code']).toBe(moved.to);
  });

  it('puts nobody who died, opted out or left the register in any file of the night', () => {
    const files = filesUnder(join(out, night3));
    expect(files.filter((f) => f.endsWith('.arrow')).length).toBeGreaterThan(10);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const id of Object.values(gone)) expect(bytes.includes(Buffer.from(id)), `${id} in ${file}`).toBe(false);
    }
  });

  it('gives people who dropped below the listed tiers as lower_risk, with tonight\'s tier and reasons', () => {
    const lower = leftRows().filter((row) => row['reason_left'] === 'lower_risk');
    expect(lower.length).toBeGreaterThan(0);
    const tonight = new Map(readArrow(join(out, night3, 'population_scores.arrow')).map((row) => [row['person_id'] as string, row]));
    for (const row of lower) {
      const scored = tonight.get(row['person_id'] as string)!;
      expect(row['practice_code']).toBe(scored['practice_code']);
      expect(row['ea_tier']).toBe(scored['ea_tier']);
      expect(row['ea_tier'] as number).toBeGreaterThan(2);
      expect(row['top_factors']).toEqual(scored['top_factors']);
      expect(row['previous_ea_tier'] as number).toBeLessThanOrEqual(2);
    }
  });
});
