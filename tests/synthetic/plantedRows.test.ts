// --bad-rows plants every quarantine reason at the line it reports, and nothing else in the inbox breaks
// a contract rule: a small reference validator (written from data-contract.md) finds exactly the planted rows.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passesNhsCheck } from '../../core/privacy/maskDirectIdentifiers.ts';
import { generateInbox, parseGenerateSettings, tableColumns, type PlantedRow } from '../../synthetic/index.ts';
import { readInboxFiles, type InboxFile } from './readInbox.ts';

const reasons = [
  'bad_date', 'bad_code', 'bad_value', 'missing_value', 'date_order', 'future_date',
  'unknown_person', 'duplicate_key', 'direct_identifier', 'bad_encoding',
] as const;

const root = mkdtempSync(join(tmpdir(), 'strata-generate-bad-'));
let files: InboxFile[] = [];
let planted: PlantedRow[] = [];

beforeAll(async () => {
  const out = join(root, 'inbox');
  const plantedFile = join(root, 'planted.json');
  const result = await generateInbox(
    parseGenerateSettings({ out, persons: 3000, seed: 42, asOf: '2026-11-22', extracts: 3, planted: plantedFile, badRows: true, gzip: true }),
  );
  planted = result.planted;
  expect(JSON.parse(readFileSync(plantedFile, 'utf8'))).toEqual(planted);
  files = readInboxFiles(out);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

// ---- reference validator ------------------------------------------------------------------------

const dayMs = 86_400_000;
function dateDay(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === text ? ms / dayMs : null;
}
function timestampDay(text: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.exec(text);
  return m ? dateDay(m[1] as string) : null;
}
const icd10 = /^[A-Za-z]\d{2}(\.?[0-9A-Za-z]{1,2})?[X\-]?$/;
const personIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
const sets = {
  sex: new Set(['1', '2', '9', 'X']),
  ethnic: new Set(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'Z', '99', '']),
  method: new Set(['11', '12', '13', '21', '22', '23', '24', '25', '2A', '2B', '2C', '2D', '28', '31', '32', '81', '82', '83']),
  department: new Set(['01', '02', '03', '04']),
  acuity: new Set(['1', '2', '3', '4', '5', '']),
  status: new Set(['5', '6', '7', '2', '3', '4', '0']),
  first: new Set(['1', '2', '3', '4']),
  outcome: new Set(['CP', 'AM', 'DC', 'NA', 'NR']),
  condition: new Set(['AF', 'AST', 'CAN', 'CHD', 'CKD', 'COPD', 'DEM', 'DEP', 'DM', 'EP', 'HF', 'HYP', 'LD', 'MH', 'OST', 'PAD', 'PC', 'RA', 'STIA']),
};

/** Every problem of every row, keyed "extract/file:line". */
function validateInbox(inbox: InboxFile[]): Map<string, Set<string>> {
  const problems = new Map<string, Set<string>>();
  // Every person in a snapshot so far, with their newest year of birth.
  const known = new Map<string, number>();
  const extracts = [...new Set(inbox.map((f) => f.extract))].sort();
  const order = ['demographics', 'inpatient_spells', 'ae_attendances', 'outpatient_appointments', 'gp_conditions', 'prescriptions', 'mdt_reviews'];
  for (const extract of extracts) {
    const extractDay = dateDay(extract) as number;
    const folderFiles = inbox.filter((f) => f.extract === extract).sort((a, b) => order.indexOf(a.table) - order.indexOf(b.table));
    for (const file of folderFiles) {
      const columns = tableColumns[file.table as keyof typeof tableColumns] as readonly string[];
      expect(file.lines[0]?.toString('utf8')).toBe(columns.join(','));
      const keys = new Set<string>();
      file.lines.slice(1).forEach((bytes, i) => {
        const found = new Set<string>();
        const add = (reason: string) => found.add(reason);
        const text = bytes.toString('utf8');
        if (!Buffer.from(text, 'utf8').equals(bytes)) add('bad_encoding');
        else {
          const f = text.split(',');
          if (f.length !== columns.length) add('bad_value');
          else {
            checkRow(file.table, f, extractDay, known, keys, add);
            if (file.table === 'demographics' && found.size === 0) known.set(f[0] as string, Number(f[1]));
          }
        }
        if (found.size > 0) problems.set(`${extract}/${file.name}:${i + 2}`, found);
      });
    }
  }
  return problems;
}

function checkRow(table: string, f: string[], extractDay: number, known: Map<string, number>, keys: Set<string>, add: (r: string) => void): void {
  // No date of a person may fall before 1 January of their year of birth (contract v2): the row's own year for a
  // snapshot row, the newest snapshot's for an activity row (unknown people are unknown_person instead).
  const yearOfBirth = table === 'demographics' ? Number(f[1]) : known.get(f[table === 'gp_conditions' ? 0 : 1] as string);
  const bornBy = yearOfBirth !== undefined && Number.isInteger(yearOfBirth) ? Date.UTC(yearOfBirth, 0, 1) / dayMs : null;
  const beforeBirth = (day: number) => {
    if (bornBy !== null && day < bornBy) add('date_order');
  };
  const date = (value: string, required: boolean): number | null => {
    if (value === '') {
      if (required) add('missing_value');
      return null;
    }
    const day = dateDay(value);
    if (day === null) add('bad_date');
    else if (day > extractDay) add('future_date');
    else beforeBirth(day);
    return day;
  };
  const person = (value: string, mustBeKnown: boolean): void => {
    if (value === '') return add('missing_value');
    if (!personIdPattern.test(value)) return add('bad_value');
    if (passesNhsCheck(value)) return add('direct_identifier');
    if (mustBeKnown && !known.has(value)) add('unknown_person');
  };
  const key = (value: string): void => {
    if (keys.has(value)) add('duplicate_key');
    keys.add(value);
  };
  const code = (ok: boolean) => {
    if (!ok) add('bad_code');
  };
  switch (table) {
    case 'demographics': {
      const [id, yob, sex, ethnic, lsoa, imd, practice, pcn, registered, died, optOut] = f as string[];
      person(id as string, false);
      key(id as string);
      const year = Number(yob);
      if (!/^\d{4}$/.test(yob as string) || year < 1900 || year > new Date(extractDay * dayMs).getUTCFullYear()) add('bad_value');
      code(sets.sex.has(sex as string));
      code(sets.ethnic.has(ethnic as string));
      if (lsoa !== '' && !/^E01\d{6}$/.test(lsoa as string)) add('bad_value');
      if (imd !== '' && !/^([1-9]|10)$/.test(imd as string)) add('bad_value');
      if (!/^[A-Z]\d{5}$/.test(practice as string)) add('bad_value');
      if (pcn !== '' && !/^U\d{5}$/.test(pcn as string)) add('bad_value');
      date(registered as string, true);
      date(died as string, false);
      code(optOut === 'Y' || optOut === 'N');
      return;
    }
    case 'inpatient_spells': {
      const [id, pid, admitted, discharged, method, primary, secondary, specialty] = f as string[];
      if (id === '') add('missing_value');
      key(id as string);
      person(pid as string, true);
      const a = date(admitted as string, true);
      const d = date(discharged as string, false);
      if (a !== null && d !== null && d < a) add('date_order');
      code(sets.method.has(method as string));
      if (!icd10.test(primary as string)) add('bad_code');
      if (secondary !== '' && !(secondary as string).split(';').every((c) => icd10.test(c))) add('bad_code');
      if (specialty !== '' && !/^\d{3}$/.test(specialty as string)) add('bad_code');
      return;
    }
    case 'ae_attendances': {
      const [id, pid, arrival, department, acuity, admitted] = f as string[];
      key(id as string);
      person(pid as string, true);
      const day = timestampDay(arrival as string);
      if (day === null) add('bad_date');
      else if (day > extractDay) add('future_date');
      else beforeBirth(day);
      code(sets.department.has(department as string));
      if (!sets.acuity.has(acuity as string)) add('bad_value');
      code(admitted === 'Y' || admitted === 'N');
      return;
    }
    case 'outpatient_appointments': {
      const [id, pid, day, status, first, specialty] = f as string[];
      key(id as string);
      person(pid as string, true);
      date(day as string, true);
      code(sets.status.has(status as string));
      code(sets.first.has(first as string));
      if (specialty !== '' && !/^\d{3}$/.test(specialty as string)) add('bad_code');
      return;
    }
    case 'gp_conditions': {
      const [pid, condition, diagnosed] = f as string[];
      person(pid as string, true);
      key(`${pid}|${condition}`);
      code(sets.condition.has(condition as string));
      date(diagnosed as string, true);
      return;
    }
    case 'prescriptions': {
      const [id, pid, issued, bnf] = f as string[];
      key(id as string);
      person(pid as string, true);
      date(issued as string, true);
      if (!/^[0-9A-Z]{15}$/.test(bnf as string)) add('bad_code');
      return;
    }
    case 'mdt_reviews': {
      const [id, pid, reviewed, outcome, reviewBy] = f as string[];
      if (id === '') add('missing_value');
      key(id as string);
      person(pid as string, true);
      const on = date(reviewed as string, true);
      if (outcome === '') add('missing_value');
      else code(sets.outcome.has(outcome as string));
      // The next planned review is in the future by nature: only a real date, not before the review.
      if (reviewBy !== '') {
        const by = dateDay(reviewBy as string);
        if (by === null) add('bad_date');
        else if (on !== null && by < on) add('date_order');
      }
      return;
    }
  }
}

// ---- tests --------------------------------------------------------------------------------------

describe('planted bad rows', () => {
  it('covers every quarantine reason, in several folders and files', () => {
    for (const reason of reasons) expect(planted.some((p) => p.reason === reason), reason).toBe(true);
    expect(new Set(planted.map((p) => p.extract)).size).toBe(3);
    expect(new Set(planted.map((p) => p.file.replace(/\.gz$/, ''))).size).toBe(7);
    for (const reason of reasons) expect(planted.some((p) => p.file.startsWith('mdt_reviews') && p.reason === reason), `mdt_reviews ${reason}`).toBe(true);
    const fieldCounts = planted.filter((p) => p.detail.startsWith('one field too'));
    expect(fieldCounts.map((p) => p.detail).sort()).toEqual(['one field too few', 'one field too many', 'one field too many, empty (a trailing comma)']);
  });

  it('puts each planted row at the line it reports, with exactly the one problem it is listed for', () => {
    const problems = validateInbox(files);
    for (const row of planted) {
      const where = `${row.extract}/${row.file}:${row.line}`;
      expect([...(problems.get(where) ?? [])], where).toEqual([row.reason]);
      const file = files.find((f) => f.extract === row.extract && f.name === row.file)!;
      const line = file.lines[row.line - 1] as Buffer;
      if (row.reason === 'bad_encoding') expect(line.includes(Buffer.from([0xff, 0xfe]))).toBe(true);
      if (row.reason === 'direct_identifier') expect(line.toString('utf8').split(',')).toContain('9434765919');
      if (row.reason === 'duplicate_key') {
        const text = line.toString('utf8');
        expect(file.lines.slice(1, row.line - 1).some((l) => l.toString('utf8') === text)).toBe(true);
      }
    }
  });

  it('leaves every other row valid: the validator finds only the planted rows', () => {
    const problems = validateInbox(files);
    const plantedKeys = new Set(planted.map((p) => `${p.extract}/${p.file}:${p.line}`));
    const unplanned = [...problems.keys()].filter((k) => !plantedKeys.has(k));
    expect(unplanned.slice(0, 10)).toEqual([]);
    expect(problems.size).toBe(planted.length);
  });
});
