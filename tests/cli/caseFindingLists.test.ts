// Case-finding lists across two nightly runs: movement since the previous run, the facts an MDT asks
// for first (data-contract.md v2), children apart, who left, and the same lists per primary care network.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ListFacts, listFactsFromInbox } from '../helpers/listFacts.ts';
import { readOnlyRows } from '../helpers/outputFiles.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const inbox = join(repoRoot, 'data-samples', 'inbox');
const out = temporaryFolder('strata-lists-');
const readList = (path: string) => pl.readIPC(readFileSync(path));
/** The list files of a folder: adults' `<code>.arrow` and children's `<code>.children.arrow`. */
const listFiles = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.arrow'));
const codeOf = (file: string) => file.replace(/(\.children)?\.arrow$/, '');

beforeAll(() => {
  expect(runCli(['run', '--inbox', inbox, '--out', out, '--as-of', '2026-11-21']).status).toBe(0);
  expect(runCli(['run', '--inbox', inbox, '--out', out]).status).toBe(0);
});

describe('case-finding lists after a previous run', () => {
  const folder = join(out, '2026-11-22', 'case-finding');

  it('say how each person moved since the previous run, consistently with their tiers', () => {
    let people = 0;
    for (const file of listFiles(folder)) {
      const rows = readList(join(folder, file)).toRecords() as Record<string, unknown>[];
      for (const row of rows) {
        people++;
        const previous = row['previous_ea_tier'] as number | null;
        const tier = row['ea_tier'] as number;
        const expected = previous === null ? 'new' : tier < previous ? 'up' : tier > previous ? 'down' : 'same';
        expect(row['tier_change']).toBe(expected);
        expect(row['new_to_list']).toBe(previous === null || previous > 2);
        if (previous === null) expect(row['ea_risk_change']).toBeNull();
        else expect(typeof row['ea_risk_change']).toBe('number');
        expect(Array.isArray(row['long_term_conditions'])).toBe(true);
        expect((row['long_term_conditions'] as string[]).length).toBe(row['ltc_count']);
        expect(row['polypharmacy']).toBe((row['distinct_medicines_6m'] as number) >= 5);
      }
    }
    expect(people).toBeGreaterThan(100);
  });

  it('mostly keeps the same people from one night to the next, so new_to_list is meaningful', () => {
    const all = listFiles(folder).flatMap((f) => readList(join(folder, f)).toRecords());
    const fresh = all.filter((r) => r['new_to_list'] === true).length;
    expect(fresh).toBeLessThan(all.length / 2);
  });

  it('writes one list per primary care network, ranked within it, holding its practices\' listed people', () => {
    const pcnFolder = join(folder, 'pcn');
    const pcnFiles = listFiles(pcnFolder);
    expect(pcnFiles.length).toBeGreaterThan(0);
    let pcnPeople = 0;
    for (const file of pcnFiles) {
      const list = readList(join(pcnFolder, file));
      const ranks = list.getColumn('rank_in_pcn').toArray() as number[];
      expect(ranks).toEqual(ranks.map((_, i) => i + 1));
      if (list.height > 0) expect(new Set(list.getColumn('pcn_code').toArray())).toEqual(new Set([codeOf(file)]));
      expect(new Set(list.getColumn('age').toArray().map((age) => Number(age) < 18))).toEqual(list.height === 0 ? new Set() : new Set([file.endsWith('.children.arrow')]));
      pcnPeople += list.height;
    }
    const withPcn = listFiles(folder)
      .flatMap((f) => readList(join(folder, f)).toRecords())
      .filter((r) => r['pcn_code'] !== null).length;
    expect(pcnPeople).toBe(withPcn);
  });
});

describe('case-finding lists meet the contract (§4)', () => {
  const runFolder = (asOf: string): string => join(out, asOf);
  /** Each list file by its name without .arrow: `<practice>` (adults) and `<practice>.children`. */
  const practiceLists = (asOf: string): Map<string, Record<string, unknown>[]> =>
    new Map(
      listFiles(join(runFolder(asOf), 'case-finding'))
        .map((file) => [file.replace(/\.arrow$/, ''), readList(join(runFolder(asOf), 'case-finding', file)).toRecords() as Record<string, unknown>[]]),
    );
  const scores = (asOf: string) => readList(join(runFolder(asOf), 'population_scores.arrow')).toRecords() as Record<string, unknown>[];

  it("holds in each practice's files exactly that practice's people in tiers 1-2, adults and children apart, and nobody else", () => {
    const lists = practiceLists('2026-11-22');
    const expected = new Map<string, Set<string>>();
    const practices = new Set<string>();
    for (const person of scores('2026-11-22')) {
      const practice = person['practice_code'] as string;
      practices.add(practice);
      if ((person['ea_tier'] as number) > 2) continue;
      const file = (person['age'] as number) < 18 ? `${practice}.children` : practice;
      expected.set(file, (expected.get(file) ?? new Set()).add(person['person_id'] as string));
    }
    expect(expected.size).toBeGreaterThan(3);
    expect([...expected.keys()].some((file) => file.endsWith('.children'))).toBe(true);
    // Every practice in the scored population has both files, even when one is empty.
    expect([...lists.keys()].sort()).toEqual([...practices].flatMap((p) => [p, `${p}.children`]).sort());
    const seen = new Set<string>();
    for (const [file, rows] of lists) {
      if (rows.length > 0) expect(new Set(rows.map((row) => row['practice_code']))).toEqual(new Set([codeOf(`${file}.arrow`)]));
      expect(new Set(rows.map((row) => row['person_id'] as string))).toEqual(expected.get(file) ?? new Set());
      for (const row of rows) {
        expect(seen.has(row['person_id'] as string), `${row['person_id']} in two lists`).toBe(false);
        seen.add(row['person_id'] as string);
      }
    }
  });

  it('ranks each list by ea_risk, highest first, with rank_in_practice 1 to n', () => {
    for (const [practice, rows] of practiceLists('2026-11-22')) {
      expect(rows.map((row) => row['rank_in_practice']), practice).toEqual(rows.map((_row, index) => index + 1));
      for (let i = 1; i < rows.length; i++) {
        expect(rows[i]!['ea_risk'] as number, `${practice} rank ${i + 1}`).toBeLessThanOrEqual(rows[i - 1]!['ea_risk'] as number);
      }
    }
  });

  it("sets new_to_list from the previous run's own lists, and previous_ea_tier from its scores", () => {
    const listedBefore = new Set([...practiceLists('2026-11-21').values()].flat().map((row) => row['person_id'] as string));
    const tierBefore = new Map(scores('2026-11-21').map((person) => [person['person_id'] as string, person['ea_tier'] as number]));
    expect(listedBefore.size).toBeGreaterThan(100);
    let fresh = 0;
    let kept = 0;
    for (const row of [...practiceLists('2026-11-22').values()].flat()) {
      const id = row['person_id'] as string;
      expect(row['new_to_list'], id).toBe(!listedBefore.has(id));
      expect(row['previous_ea_tier'], id).toBe(tierBefore.get(id) ?? null);
      if (row['new_to_list'] === true) fresh++;
      else kept++;
    }
    // Both kinds occur, so the check above could fail either way.
    expect(fresh).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
  });

  it('gives the same new_to_list after a re-run of the same night', () => {
    const before = [...practiceLists('2026-11-22').values()].flat().map((row) => [row['person_id'], row['new_to_list'], row['previous_ea_tier']]);
    expect(runCli(['run', '--inbox', inbox, '--out', out]).status).toBe(0);
    const after = [...practiceLists('2026-11-22').values()].flat().map((row) => [row['person_id'], row['new_to_list'], row['previous_ea_tier']]);
    expect(after).toEqual(before);
  });
});

const firstColumns = ['rank_in_practice', 'person_id', 'age', 'sex_label', 'ea_tier', 'ea_risk', 'top_factors', 'new_to_list'];
const actionableColumns = [
  'segment', 'long_term_conditions', 'frailty_band', 'emergency_admissions_12m', 'last_emergency_admission_on', 'last_ae_attendance_on',
  'in_hospital_now', 'discharged_in_last_30_days', 'distinct_medicines_6m', 'last_mdt_review_on', 'last_mdt_outcome', 'review_due',
];

describe('case-finding lists an MDT can act on (contract v2)', () => {
  const folder = join(out, '2026-11-22', 'case-finding');
  const allRows = () => listFiles(folder).flatMap((f) => readList(join(folder, f)).toRecords() as Record<string, unknown>[]);

  it('start with rank, pseudonym, age, sex in words, tier, risk, reasons and new-to-list, read back by apache-arrow and polars alike', () => {
    for (const file of [...listFiles(folder).map((f) => join(folder, f)), ...listFiles(join(folder, 'pcn')).map((f) => join(folder, 'pcn', f))]) {
      const arrow = tableFromIPC(readFileSync(file));
      const names = arrow.schema.fields.map((field) => field.name);
      expect(names.slice(0, firstColumns.length), file).toEqual(firstColumns);
      for (const name of actionableColumns) expect(names, file).toContain(name);
      const types = Object.fromEntries(arrow.schema.fields.map((field) => [field.name, String(field.type)]));
      expect(types).toMatchObject({
        rank_in_practice: 'Int32', age: 'Int32', ea_tier: 'Int32', ea_risk: 'Float64', new_to_list: 'Bool',
        last_emergency_admission_on: 'Date32<DAY>', last_ae_attendance_on: 'Date32<DAY>', in_hospital_now: 'Bool', discharged_in_last_30_days: 'Bool',
      });
      expect(types['sex_label']).toMatch(/^Dictionary<Int\d+, Utf8>$/);
      expect(types['top_factors']).toMatch(/^List<Utf8>$/);
      const polars = readList(file);
      expect(polars.columns.slice(0, firstColumns.length)).toEqual(firstColumns);
      expect(polars.getColumn('last_emergency_admission_on').dtype.equals(pl.Date)).toBe(true);
      expect(polars.getColumn('in_hospital_now').dtype.equals(pl.Bool)).toBe(true);
      expect(new Set(polars.getColumn('sex_label').toArray()).size <= 3).toBe(true);
    }
  });

  it('gives every listed person exactly the hospital facts an independent reading of the inbox gives', async () => {
    const asOf = '2026-11-22';
    const quarantined = new Set(
      (await readOnlyRows(join(out, 'strata.duckdb'), "SELECT strftime(extract_date, '%Y-%m-%d') AS night, file_name, line FROM quarantine"))
        .map((r) => `${r['night']}|${r['file_name']}|${r['line']}`),
    );
    const rows = allRows();
    expect(rows.length).toBeGreaterThan(100);
    const expected = listFactsFromInbox(inbox, quarantined, asOf, rows.map((row) => row['person_id'] as string));
    for (const row of rows) {
      const sex = row['sex'] as string;
      expect({
        last_emergency_admission_on: isoDate(row['last_emergency_admission_on']), in_hospital_now: row['in_hospital_now'],
        discharged_in_last_30_days: row['discharged_in_last_30_days'], last_ae_attendance_on: isoDate(row['last_ae_attendance_on']), sex_label: row['sex_label'],
      }, row['person_id'] as string).toEqual({
        ...expected.get(row['person_id'] as string), last_emergency_discharge_on: undefined,
        sex_label: sex === '1' ? 'Male' : sex === '2' ? 'Female' : 'Not recorded',
      });
    }

    // Each fact is true of some listed people and false of others, so the comparison could fail either way.
    const facts = [...expected.values()];
    for (const holds of [(f: ListFacts) => f.last_emergency_admission_on !== null, (f: ListFacts) => f.in_hospital_now,
      (f: ListFacts) => f.discharged_in_last_30_days, (f: ListFacts) => f.last_ae_attendance_on !== null]) {
      expect(facts.filter(holds).length).toBeGreaterThan(0);
      expect(facts.filter(holds).length).toBeLessThan(facts.length);
    }
  });

  it('lists who left each practice\'s list since the last run, and why, exactly as the two nights\' own outputs say', () => {
    const listedBefore = new Map<string, string>(); // person -> the practice whose list they were on
    for (const file of listFiles(join(out, '2026-11-21', 'case-finding'))) {
      for (const row of readList(join(out, '2026-11-21', 'case-finding', file)).toRecords()) listedBefore.set(row['person_id'] as string, codeOf(file));
    }
    const today = new Map((readList(join(out, '2026-11-22', 'population_scores.arrow')).toRecords() as Record<string, unknown>[]).map((r) => [r['person_id'] as string, r]));
    const expected: string[] = [];
    for (const [id, practice] of listedBefore) {
      const now = today.get(id);
      if (!now) continue; // no longer scored: in no file
      if (now['practice_code'] !== practice) expected.push(`${practice}|${id}|moved_practice|null|null`);
      else if ((now['ea_tier'] as number) > 2) expected.push(`${practice}|${id}|lower_risk|${now['ea_tier']}|${(now['top_factors'] as string[]).join(';')}`);
    }
    const leftFolder = join(folder, 'left');
    const practices = new Set([...today.values()].map((r) => r['practice_code'] as string));
    expect(listFiles(leftFolder).sort()).toEqual([...practices].map((p) => `${p}.arrow`).sort());
    const written = listFiles(leftFolder).flatMap((file) => (readList(join(leftFolder, file)).toRecords() as Record<string, unknown>[]).map((r) => {
      expect(r['practice_code']).toBe(codeOf(file));
      const factors = r['top_factors'] as string[] | null;
      return `${r['practice_code']}|${r['person_id']}|${r['reason_left']}|${r['ea_tier']}|${factors === null ? null : factors.join(';')}`;
    }));
    expect(written.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(0);
  });
});

/** A date read back by polars (a JS Date at midnight UTC) as YYYY-MM-DD; null stays null. */
function isoDate(value: unknown): string | null {
  return value === null ? null : (value as Date).toISOString().slice(0, 10);
}

describe('output schema', () => {
  it('describes every Arrow field in its metadata and in docs/outputs.md', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'outputs.md'), 'utf8');
    const folder = join(out, '2026-11-22');
    const pcnFile = readdirSync(join(folder, 'case-finding', 'pcn')).find((f) => f.endsWith('.arrow'))!;
    for (const path of [join(folder, 'population_scores.arrow'), join(folder, 'case-finding', 'pcn', pcnFile)]) {
      const schema = tableFromIPC(readFileSync(path)).schema;
      expect(schema.metadata.get('as_of')).toBe('2026-11-22');
      for (const field of schema.fields) {
        expect(field.metadata.get('description')?.length ?? 0).toBeGreaterThan(10);
        expect(docs).toContain(`| \`${field.name}\` |`);
      }
    }
  });
});
