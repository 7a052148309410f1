// End to end from the CLI (contract v2, issue 13 §2): on the sample inbox plus a night holding impossible dates,
// a date before 1 January of the person's year of birth is date_order (activity and a death before birth), a
// timestamp in year 0 is bad_date, an unknown person is still unknown_person, and every file's rows read = loaded
// + quarantined in run.json; quarantine.csv lists each row at its line with its reason.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { aeHeader, prescriptionsHeader, sha256, spellsHeader } from '../helpers/writeExtract.ts';

const night = '2026-11-23';
let status: number | null;
let stderr: string;
let runJson: { files: { extract: string; name: string; rows_read: number; rows_loaded: number; rows_quarantined: number }[] };
let quarantineLines: string[];
let person: { id: string; yearOfBirth: number };

beforeAll(() => {
  const root = temporaryFolder('strata-impossible-dates-');
  const inbox = join(root, 'inbox');
  cpSync(join(repoRoot, 'data-samples', 'inbox'), inbox, { recursive: true });
  const folder = join(inbox, night);
  cpSync(join(inbox, '2026-11-22'), folder, { recursive: true, filter: (p) => !p.endsWith('.gz') && !p.endsWith('manifest.json') });
  // A person of the newest snapshot, born in the 20th century, who is alive and listed.
  const snapshot = readFileSync(join(folder, 'demographics.csv'), 'utf8').trimEnd().split('\n');
  const row = snapshot.slice(1).map((line) => line.split(',')).find((f) => f.length === 11 && /^P\w+$/.test(f[0]!) && f[1]! < '2000' && f[9] === '')!;
  person = { id: row[0]!, yearOfBirth: Number(row[1]) };
  const yob = person.yearOfBirth;
  // Someone who died the year before they were born: a person of their own, as a second copy of the same person
  // in one snapshot would be duplicate_key.
  const deadBeforeBorn = [...row];
  deadBeforeBorn[0] = 'PdiedBeforeBirth';
  deadBeforeBorn[9] = `${yob - 1}-06-30`;
  snapshot.push(deadBeforeBorn.join(','));
  const files: Record<string, string[]> = {
    'demographics.csv': snapshot,
    'inpatient_spells.csv': [
      spellsHeader,
      `SPX1,${person.id},${yob}-01-01,${yob}-01-02,21,J44.1,,300`,
      `SPX2,${person.id},${yob - 1}-12-31,${yob}-01-02,21,J44.1,,300`,
    ],
    'ae_attendances.csv': [aeHeader, `AEX1,${person.id},0000-01-01T10:00:00,01,3,N`, `AEX2,${person.id},2026-11-01T10:00:00,01,3,N`],
    'prescriptions.csv': [prescriptionsHeader, `RXX1,PnoSuchPerson,1800-01-01,0212000B0AAABAB`, `RXX2,${person.id},0000-05-01,0212000B0AAABAB`],
  };
  const manifest = Object.entries(files).map(([name, lines]) => {
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    writeFileSync(join(folder, name), bytes);
    return { name, rows: lines.length - 1, sha256: sha256(bytes) };
  });
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ extract_date: night, files: manifest }, null, 2));
  const out = join(root, 'out');
  ({ status, stderr } = runCli(['run', '--inbox', inbox, '--out', out, '--log-format', 'json']));
  runJson = JSON.parse(readFileSync(join(out, night, 'run.json'), 'utf8'));
  quarantineLines = readFileSync(join(out, night, 'quarantine.csv'), 'utf8').trimEnd().split('\n');
}, 240_000);

const quarantinedAt = (file: string) =>
  quarantineLines.filter((l) => l.startsWith(`${night},${file},`)).map((l) => l.split(',').slice(2, 4).join(' '));

describe('impossible dates, from the CLI', () => {
  it('runs to the end (exit 0), every file of the night accounted for', () => {
    expect(status, stderr).toBe(0);
    const files = runJson.files.filter((f) => f.extract === night);
    expect(files.map((f) => f.name).sort()).toEqual(['ae_attendances.csv', 'demographics.csv', 'inpatient_spells.csv', 'prescriptions.csv']);
    for (const f of files) expect(f.rows_read, f.name).toBe(f.rows_loaded + f.rows_quarantined);
    expect(files.find((f) => f.name === 'inpatient_spells.csv')).toMatchObject({ rows_read: 2, rows_loaded: 1, rows_quarantined: 1 });
  });

  it('quarantines each impossible date under its reason, at its line', () => {
    expect(quarantinedAt('inpatient_spells.csv')).toEqual(['3 date_order']);
    expect(quarantinedAt('ae_attendances.csv')).toEqual(['2 bad_date']);
    expect(quarantinedAt('prescriptions.csv')).toEqual(['2 unknown_person', '3 bad_date']);
    const deathLine = readFileSync(join(repoRoot, 'data-samples', 'inbox', '2026-11-22', 'demographics.csv'), 'utf8').trimEnd().split('\n').length + 1;
    expect(quarantinedAt('demographics.csv')).toContain(`${deathLine} date_order`);
    expect(quarantineLines.some((l) => l.includes('date_of_death is before 1 January of year_of_birth (a death before birth)'))).toBe(true);
  });
});
