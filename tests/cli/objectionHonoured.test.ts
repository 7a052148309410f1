// An objection is honoured in every figure and cannot be overridden (data-contract.md §2, opt_out), end to end from
// the CLI over two nights, the second run comparing with the first. Night 1 is the sample's backfill; night 2 is the
// sample's next night in three versions:
//   opted out: a person in tier 1 on night 1 says opt_out = Y, and has ordinary activity that night (a new spell, an
//              A&E attendance, and a correction of an earlier spell);
//   absent:    the same person's rows never existed that night (no demographics row, no activity);
//   stays:     the same person says N, with the same activity (the control: the report does change).
// The report of "opted out" must equal that of "absent", number for number (byte for byte, as the report is
// deterministic), and the person must be in no output file of night 2. In every version another person listed on
// night 1 is sent twice on night 2, first N, then Y: every copy is quarantined, and they are neither scored nor listed.
import { cpSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { fieldOf, readCsvFile, rewriteFile, rowFor, withField } from '../helpers/sampleCsv.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const night1 = '2026-11-20';
const night2 = '2026-11-21';
const planted: { extract: string; file: string; line: number }[] = JSON.parse(
  readFileSync(join(repoRoot, 'data-samples', 'planted-bad-rows.json'), 'utf8'),
);

type Variant = 'opted out' | 'absent' | 'stays';
const variants: readonly Variant[] = ['opted out', 'absent', 'stays'];

interface RunJson {
  status: string;
  models: Record<string, string>;
  models_trained: boolean;
}

/** A data file of an extract folder as header + rows (of field strings), gzipped or not. */
/** Every file below a folder, by path relative to it. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path).map((inner) => join(name, inner)) : [name];
  });
}

/**
 * Whether a person_id occurs anywhere in a file's bytes. No word boundary: an Arrow file keeps a column's strings
 * end to end. The sample's ids are all 8 characters, so one cannot sit inside another.
 */
function mentions(bytes: Buffer, personId: string): boolean {
  return bytes.includes(Buffer.from(personId));
}

const readArrow = (path: string): Record<string, unknown>[] => pl.readIPC(readFileSync(path)).toRecords() as Record<string, unknown>[];

function caseFindingLists(outputFolder: string): string[] {
  return filesUnder(join(outputFolder, 'case-finding')).filter((file) => file.endsWith('.arrow')).map((file) => join(outputFolder, 'case-finding', file));
}

let objector: string;
let duplicated: string;
const outFolder = new Map<Variant, string>();
const night2Output = (variant: Variant): string => join(outFolder.get(variant)!, night2);
const report = (variant: Variant): string => readFileSync(join(night2Output(variant), 'report.html'), 'utf8');

beforeAll(() => {
  // Night 1, scored once; each version of night 2 then runs on its own copy of that database and output.
  const baseInbox = temporaryFolder('strata-objection-inbox-');
  cpSync(join(sampleInbox, night1), join(baseInbox, night1), { recursive: true });
  const baseOut = temporaryFolder('strata-objection-out-');
  const first = runCli(['run', '--inbox', baseInbox, '--out', baseOut]);
  expect(first.status, first.stderr).toBe(0);

  // The objector: in tier 1 on night 1, with a loaded spell (to correct on night 2); the duplicated person: another
  // person on a night-1 list. Both on an ordinary row of night 2's snapshot: alive, N, not a planted bad row.
  const scores = readArrow(join(baseOut, night1, 'population_scores.arrow'));
  const demographics = readCsvFile(join(sampleInbox, night2, 'demographics.csv'));
  const demographicsHeader = demographics[0]!.split(',');
  const plantedLines = new Set(planted.filter((p) => p.extract === night2 && p.file === 'demographics.csv').map((p) => p.line));
  const ordinaryNight2 = new Set(
    demographics
      .map((row, index) => ({ row, line: index + 1 }))
      .filter(({ row, line }) => line > 1 && !plantedLines.has(line) && row.split(',').length === demographicsHeader.length)
      .filter(({ row }) => fieldOf(demographicsHeader, row, 'opt_out') === 'N' && fieldOf(demographicsHeader, row, 'date_of_death') === '')
      .map(({ row }) => fieldOf(demographicsHeader, row, 'person_id')),
  );
  const spells = readCsvFile(join(sampleInbox, night1, 'inpatient_spells.csv.gz'));
  const spellsHeader = spells[0]!.split(',');
  const night1SpellPeople = new Set(spells.slice(1).map((row) => fieldOf(spellsHeader, row, 'person_id')));
  const tier1 = scores.filter((s) => s['ea_tier'] === 1 && ordinaryNight2.has(s['person_id'] as string)).map((s) => s['person_id'] as string);
  objector = tier1.find((id) => night1SpellPeople.has(id))!;
  expect(objector).toBeDefined();
  duplicated = scores
    .filter((s) => (s['ea_tier'] as number) <= 2 && s['person_id'] !== objector && ordinaryNight2.has(s['person_id'] as string))
    .map((s) => s['person_id'] as string)[0]!;
  expect(duplicated).toBeDefined();
  const loadedSpell = spells.slice(1).find((row) => fieldOf(spellsHeader, row, 'person_id') === objector && row.split(',').length === spellsHeader.length)!;

  for (const variant of variants) {
    const inbox = temporaryFolder('strata-objection-inbox-');
    cpSync(join(sampleInbox, night1), join(inbox, night1), { recursive: true });
    const folder = join(inbox, night2);
    mkdirSync(folder);
    cpSync(join(sampleInbox, night2), folder, { recursive: true });
    const isObjector = (header: string[], row: string): boolean => fieldOf(header, row, 'person_id') === objector;

    rewriteFile(folder, 'demographics.csv', (header, rows) => {
      const duplicateRow = rows.find((row) => fieldOf(header, row, 'person_id') === duplicated)!;
      const withDuplicate = [...rows, withField(header, duplicateRow, 'opt_out', 'Y')];
      if (variant === 'absent') return withDuplicate.filter((row) => !isObjector(header, row));
      if (variant === 'opted out') return withDuplicate.map((row) => (isObjector(header, row) ? withField(header, row, 'opt_out', 'Y') : row));
      return withDuplicate;
    });
    // Ordinary activity of the objector on night 2 (the sample has none of theirs that night), or none at all.
    const activity: Record<string, (header: string[]) => string[]> = {
      'inpatient_spells.csv.gz': (header) => [
        rowFor(header, {
          spell_id: 'SPOPT1', person_id: objector, admission_date: '2026-11-19', discharge_date: '2026-11-21',
          admission_method: '21', primary_diagnosis: 'J44.1', treatment_specialty: '300',
        }),
        loadedSpell, // re-sent: a correction of a spell loaded on night 1
      ],
      'ae_attendances.csv.gz': (header) => [
        rowFor(header, { attendance_id: 'AEOPT1', person_id: objector, arrival_at: '2026-11-19T09:30:00', department_type: '01', acuity: '2', admitted: 'Y' }),
      ],
    };
    for (const name of readdirSync(folder).filter((file) => file.endsWith('.csv.gz'))) {
      rewriteFile(folder, name, (header, rows) => {
        const others = rows.filter((row) => !isObjector(header, row));
        return variant === 'absent' ? others : [...others, ...(activity[name]?.(header) ?? [])];
      });
    }

    const out = temporaryFolder('strata-objection-out-');
    cpSync(baseOut, out, { recursive: true });
    const second = runCli(['run', '--inbox', inbox, '--out', out]);
    expect(second.status, `${variant}: ${second.stderr}`).toBe(0);
    outFolder.set(variant, out);
  }
}, 180_000);

describe('a person in tier 1 who opts out on night 2', () => {
  it('compares night 2 with night 1 using the same models in every version', () => {
    const runJson = (variant: Variant): RunJson => JSON.parse(readFileSync(join(night2Output(variant), 'run.json'), 'utf8'));
    for (const variant of variants) {
      expect(runJson(variant).status).toBe('succeeded');
      expect(runJson(variant).models_trained).toBe(false);
      expect(runJson(variant).models).toEqual(runJson('absent').models);
    }
    expect(report('absent')).toContain(`risk tier on ${night1} (rows) and today (columns)`);
  });

  it('gives a report identical, number for number and byte for byte, to one where their rows never existed', () => {
    const numbers = (html: string): string[] => html.match(/\d[\d,.]*/g) ?? [];
    expect(numbers(report('opted out'))).toEqual(numbers(report('absent')));
    expect(report('opted out')).toBe(report('absent'));
  });

  it('does change the report when the same person stays, with the same activity (the check above can fail)', () => {
    expect(report('stays')).not.toBe(report('absent'));
  });

  it('is in no output file of night 2: not scored, not listed, not in the report, the quarantine or run.json', () => {
    const folder = night2Output('opted out');
    const files = filesUnder(folder);
    expect(files).toEqual(expect.arrayContaining(['population_scores.arrow', 'report.html', 'quarantine.csv', 'run.json']));
    for (const file of files) expect(mentions(readFileSync(join(folder, file)), objector), relative(folder, join(folder, file))).toBe(false);
    // Read as data too, not only as bytes.
    expect(readArrow(join(folder, 'population_scores.arrow')).some((row) => row['person_id'] === objector)).toBe(false);
    for (const list of caseFindingLists(folder)) expect(readArrow(list).some((row) => row['person_id'] === objector)).toBe(false);
    // The scan can find them: when they stay, they are scored and listed.
    expect(mentions(readFileSync(join(night2Output('stays'), 'population_scores.arrow')), objector)).toBe(true);
  });
});

describe('a person sent twice on night 2, first N then Y', () => {
  it('is neither scored nor listed, in any version, though listed on night 1', () => {
    for (const variant of variants) {
      const folder = night2Output(variant);
      expect(readArrow(join(folder, 'population_scores.arrow')).some((row) => row['person_id'] === duplicated), variant).toBe(false);
      for (const list of caseFindingLists(folder)) expect(readArrow(list).some((row) => row['person_id'] === duplicated), `${variant} ${list}`).toBe(false);
    }
    const night1Lists = caseFindingLists(join(outFolder.get('absent')!, night1));
    expect(night1Lists.some((list) => readArrow(list).some((row) => row['person_id'] === duplicated))).toBe(true);
  });

  it('has both rows quarantined as duplicate_key', () => {
    const quarantine = readFileSync(join(night2Output('absent'), 'quarantine.csv'), 'utf8').split('\n');
    const theirs = quarantine.filter((line) => line.includes('demographics.csv') && mentions(Buffer.from(line), duplicated));
    expect(theirs).toHaveLength(2);
    for (const line of theirs) expect(line).toContain('duplicate_key');
  });
});
