// Security promise: no NHS number, in any written form, reaches anything Strata writes, whatever path it took
// in (data-contract.md §2 and §3). Every form is planted in every column of every extract file (person_id
// rows are refused as direct_identifier; other rows load or are quarantined for other reasons), in a header
// line, in a manifest entry, in inbox entry names and in the inbox and output paths. Then `strata run` (JSON
// and text logs) and `strata status` (text and --json), and every byte of every output file, stdout and
// stderr is read by the independent scanner of tests/helpers/nhsNumberScanner.ts.
import { cpSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractTables } from '../../core/extractTables.ts';
import { makeNhsNumber, scanForNhsNumbers } from '../helpers/nhsNumberScanner.ts';
import { pathsUnder, readOnlyRows } from '../helpers/outputFiles.ts';
import { repoRoot, runCli, type CliResult } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { writeExtract } from '../helpers/writeExtract.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const lastSampleNight = readdirSync(sampleInbox).sort().at(-1)!;
const plantedNight = '2026-11-23';
const refusedNight = '2026-11-24';
const canary = 'CANARY_HEADER_5c1e';

/** Every written form of an NHS number the contract names, and some it implies. */
const forms: Record<string, (n: string) => string> = {
  plain: (n) => n,
  spaced: (n) => `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  hyphened: (n) => `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
  mixed: (n) => `${n.slice(0, 3)}-${n.slice(3, 6)} ${n.slice(6)}`,
  letters_before: (n) => `SP${n}`,
  mark_after: (n) => `${n}_A`,
  quoted: (n) => `"${n}"`,
  inside_a_word: (n) => `a${n}b`,
  pseudonym_like: (n) => `P${n}`,
};

interface Planted {
  file: string;
  column: string;
  form: string;
  nhsNumber: string;
  value: string;
  line: number;
}

function linesOf(path: string): string[] {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter((l) => l !== '');
}

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** The night's extract: every form in every column of every file, each in a row of its own. */
function plantedExtract(person: string, practice: string, pcn: string): { files: { name: string; lines: string[] }[]; planted: Planted[] } {
  let seed = 1;
  let k = 0;
  const template = (table: string): Record<string, string> => {
    k++;
    const rows: Record<string, Record<string, string>> = {
      demographics: {
        person_id: `PZ${k}`, year_of_birth: '1950', sex: '2', ethnic_category: 'A', lsoa_code: 'E01000001', imd_decile: '3',
        practice_code: practice, pcn_code: pcn, registered_on: '2000-01-01', date_of_death: '', opt_out: 'N',
      },
      inpatient_spells: {
        spell_id: `SPZ${k}`, person_id: person, admission_date: '2026-11-20', discharge_date: '2026-11-21', admission_method: '21',
        primary_diagnosis: 'J44.1', secondary_diagnoses: 'I10;E11.9', treatment_specialty: '300',
      },
      ae_attendances: { attendance_id: `AEZ${k}`, person_id: person, arrival_at: '2026-11-20T10:00:00', department_type: '01', acuity: '3', admitted: 'N' },
      outpatient_appointments: {
        appointment_id: `OPZ${k}`, person_id: person, appointment_date: '2026-11-20', attendance_status: '5', first_attendance: '1', treatment_specialty: '300',
      },
      gp_conditions: { person_id: person, condition: 'HYP', diagnosed_on: '2020-01-01' },
      prescriptions: { prescription_id: `RXZ${k}`, person_id: person, issued_on: '2026-11-20', bnf_code: '0403030D0AAAAAA' },
      mdt_reviews: { review_id: `MDZ${k}`, person_id: person, reviewed_on: '2026-11-20', outcome: 'CP', review_by: '2027-02-20' },
    };
    return rows[table]!;
  };
  const planted: Planted[] = [];
  const files = extractTables.map((table) => {
    const name = `${table.name}.csv`;
    // The demographics file is a full snapshot: last night's, with the planted rows after it.
    const before = table.name === 'demographics' ? linesOf(join(sampleInbox, lastSampleNight, 'demographics.csv')).slice(1) : [];
    const lines = [table.columns.join(','), ...before];
    for (const column of table.columns) {
      for (const [form, write] of Object.entries(forms)) {
        const nhsNumber = makeNhsNumber(1_000 + 7_919 * seed++);
        const row = { ...template(table.name), [column]: write(nhsNumber) };
        lines.push(table.columns.map((c) => csvField(row[c]!)).join(','));
        planted.push({ file: name, column, form, nhsNumber, value: write(nhsNumber), line: lines.length });
      }
    }
    return { name, lines };
  });
  return { files, planted };
}

interface Inbox {
  path: string;
  planted: Planted[];
  /** Identifiers planted outside the rows: header, manifest entry, entry names, paths. */
  elsewhere: string[];
}

/** The sample inbox, the planted night, and a night refused for `refusal`. */
function buildInbox(refusal: 'header' | 'manifest entry'): Inbox {
  const path = temporaryFolder('strata-ids-943-476-5919-');
  cpSync(sampleInbox, path, { recursive: true });
  const snapshot = linesOf(join(sampleInbox, lastSampleNight, 'demographics.csv'));
  const first = snapshot[1]!.split(',');
  const { files, planted } = plantedExtract(first[0]!, first[6]!, first[7]!);
  writeExtract(path, plantedNight, files);
  const elsewhere = ['943-476-5919 (inbox path)'];
  // Entries of the inbox that are not extract folders are listed in run.json by name.
  writeFileSync(join(path, '943 476 5919.txt'), 'not an extract\n');
  mkdirSync(join(path, 'SP6907366258'));
  elsewhere.push('943 476 5919.txt', 'SP6907366258');
  if (refusal === 'header') {
    // The header line names columns the contract does not know: NHS numbers and a canary.
    const extra = ['9434765919', '943 476 5919', 'RX1454981741', canary];
    const header = `${extractTables[0]!.columns.join(',')},${extra.map(csvField).join(',')}`;
    writeExtract(path, refusedNight, [{ name: 'demographics.csv', lines: [header, ...snapshot.slice(1, 4).map((l) => `${l},a,b,c,d`)] }]);
    elsewhere.push(...extra.slice(0, 3));
  } else {
    // manifest.json lists a file the contract does not know, named by an NHS number.
    writeExtract(path, refusedNight, [{ name: 'demographics.csv', lines: snapshot.slice(0, 4) }, { name: '8836075983_A.csv', lines: ['a', 'b'] }]);
    elsewhere.push('8836075983_A.csv');
  }
  return { path, planted, elsewhere };
}

interface Run {
  inbox: Inbox;
  out: string;
  db: string;
  run: CliResult;
  status: CliResult;
  statusJson: CliResult;
}

function runOn(refusal: 'header' | 'manifest entry', logFormat: 'json' | 'text'): Run {
  const inbox = buildInbox(refusal);
  const out = join(temporaryFolder('strata-ids-out-RX1454981741-'), 'out');
  const db = join(out, 'strata.duckdb');
  const run = runCli(['run', '--inbox', inbox.path, '--out', out, '--log-format', logFormat]);
  const status = runCli(['status', '--db', db]);
  const statusJson = runCli(['status', '--db', db, '--json']);
  return { inbox, out, db, run, status, statusJson };
}

/** Every NHS number the scanner finds in the files under `folder` (the database aside) and in the streams. */
function findingsOf(run: Run): string[] {
  const found: string[] = [];
  const files = pathsUnder(run.out).filter((p) => statSync(p).isFile() && !/strata\.duckdb(\.wal)?$/.test(p));
  for (const path of files) for (const f of scanForNhsNumbers(readFileSync(path))) found.push(`${path}@${f.offset}: ${f.text}`);
  const streams = { run_stdout: run.run.stdout, run_stderr: run.run.stderr, status: run.status.stdout + run.status.stderr, status_json: run.statusJson.stdout + run.statusJson.stderr };
  for (const [name, text] of Object.entries(streams)) for (const f of scanForNhsNumbers(Buffer.from(text))) found.push(`${name}@${f.offset}: ${f.text}`);
  return found;
}

describe('no NHS number reaches anything Strata writes', () => {
  let runs: Record<'json' | 'text', Run>;

  beforeAll(() => {
    runs = { json: runOn('header', 'json'), text: runOn('manifest entry', 'text') };
  });

  it('plants every form in every column of every extract file, and the scanner sees every one of them there', () => {
    const { planted } = runs.json.inbox;
    const columns = extractTables.reduce((sum, t) => sum + t.columns.length, 0);
    expect(planted).toHaveLength(Object.keys(forms).length * columns); // 9 forms x 43 columns in 7 files
    const inInbox = new Set(
      pathsUnder(join(runs.json.inbox.path, plantedNight)).flatMap((p) => scanForNhsNumbers(readFileSync(p)).map((f) => f.text.replace(/[ -]/g, ''))),
    );
    expect(planted.filter((p) => !inInbox.has(p.nhsNumber))).toEqual([]);
  });

  it.each(['json', 'text'] as const)('runs to the end with %s logs: the planted night loaded, the next refused in one line', (format) => {
    const { run, out } = runs[format];
    expect(run.status, run.stderr).toBe(3);
    expect(readdirSync(out)).toContain(plantedNight);
    const refusal = run.stderr.split('\n').filter((l) => l.includes(refusedNight));
    expect(refusal.length).toBeGreaterThan(0);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it.each(['json', 'text'] as const)('leaves no NHS number in any byte of any output file, log line, stderr or status (%s logs)', (format) => {
    const run = runs[format];
    expect(run.status.status, run.status.stderr).toBe(0);
    expect(run.statusJson.status, run.statusJson.stderr).toBe(0);
    expect(findingsOf(run)).toEqual([]);
    // The masking did the work: the masked text is there where the numbers were.
    expect(readFileSync(join(run.out, plantedNight, 'quarantine.csv'), 'utf8')).toContain('[direct identifier removed]');
    expect(readFileSync(join(run.out, plantedNight, 'run.json'), 'utf8')).toContain('[direct identifier removed]');
  });

  it('never quotes the header line of a refused file: the column is named by its position', () => {
    const { run, statusJson } = runs.json;
    const everything = [run.stdout, run.stderr, statusJson.stdout, readFileSync(join(runs.json.out, plantedNight, 'run.json'), 'utf8')].join('\n');
    expect(everything).not.toContain(canary);
    expect(run.stderr).toContain(`extract ${refusedNight} rejected: demographics.csv: header: columns 12, 13, 14, 15 are not contract columns`);
  });

  it.each(['json', 'text'] as const)('quarantines every planted person_id as direct_identifier, and the database keeps the row whole (%s run)', async (format) => {
    const { inbox, db } = runs[format];
    const quarantined = await readOnlyRows(
      db,
      `SELECT file_name, CAST(line AS INTEGER) AS line, reason, raw_row FROM quarantine WHERE extract_date = DATE '${plantedNight}'`,
    );
    const at = new Map(quarantined.map((q) => [`${q['file_name']}:${q['line']}`, q]));
    const asPerson = inbox.planted.filter((p) => p.column === 'person_id');
    expect(asPerson).toHaveLength(Object.keys(forms).length * 7);
    for (const p of asPerson) {
      const row = at.get(`${p.file}:${p.line}`);
      expect(row?.['reason'], `${p.file} line ${p.line} (${p.form})`).toBe('direct_identifier');
      expect(String(row?.['raw_row'])).toContain(p.value.replaceAll('"', '""'));
    }
    // Every other planted row is either loaded or quarantined (for a reason of its own), never lost.
    const loaded = await readOnlyRows(db, `
      SELECT spell_id AS id FROM inpatient_spells UNION ALL SELECT attendance_id FROM ae_attendances
      UNION ALL SELECT appointment_id FROM outpatient_appointments UNION ALL SELECT prescription_id FROM prescriptions
      UNION ALL SELECT review_id FROM mdt_reviews`);
    const loadedIds = new Set(loaded.map((r) => r['id']));
    const recordIds = inbox.planted.filter((p) => /^(spell|attendance|appointment|prescription|review)_id$/.test(p.column));
    expect(recordIds.length).toBe(5 * Object.keys(forms).length);
    // A record id holding an NHS number loads (it reaches no output), and so it is in the database whole.
    expect(recordIds.filter((p) => !loadedIds.has(p.value))).toEqual([]);
    const elsewhere = inbox.planted.filter((p) => p.column !== 'person_id' && !recordIds.includes(p));
    expect(elsewhere.filter((p) => !at.has(`${p.file}:${p.line}`))).toEqual([]);
  });
});
