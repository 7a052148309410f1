// Case-finding lists across two nightly runs: movement since the previous run, the facts an MDT asks
// for first, and the same lists per primary care network.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const inbox = join(repoRoot, 'data-samples', 'inbox');
const out = temporaryFolder('strata-lists-');
const readList = (path: string) => pl.readIPC(readFileSync(path));

beforeAll(() => {
  expect(runCli(['run', '--inbox', inbox, '--out', out, '--as-of', '2026-11-21']).status).toBe(0);
  expect(runCli(['run', '--inbox', inbox, '--out', out]).status).toBe(0);
});

describe('case-finding lists after a previous run', () => {
  const folder = join(out, '2026-11-22', 'case-finding');

  it('say how each person moved since the previous run, consistently with their tiers', () => {
    let people = 0;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.arrow'))) {
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
    const all = readdirSync(folder).filter((f) => f.endsWith('.arrow')).flatMap((f) => readList(join(folder, f)).toRecords());
    const fresh = all.filter((r) => r['new_to_list'] === true).length;
    expect(fresh).toBeLessThan(all.length / 2);
  });

  it('writes one list per primary care network, ranked within it, holding its practices\' listed people', () => {
    const pcnFolder = join(folder, 'pcn');
    const pcnFiles = readdirSync(pcnFolder).filter((f) => f.endsWith('.arrow'));
    expect(pcnFiles.length).toBeGreaterThan(0);
    let pcnPeople = 0;
    for (const file of pcnFiles) {
      const list = readList(join(pcnFolder, file));
      const ranks = list.getColumn('rank_in_pcn').toArray() as number[];
      expect(ranks).toEqual(ranks.map((_, i) => i + 1));
      expect(new Set(list.getColumn('pcn_code').toArray())).toEqual(new Set([file.replace('.arrow', '')]));
      pcnPeople += list.height;
    }
    const withPcn = readdirSync(folder)
      .filter((f) => f.endsWith('.arrow'))
      .flatMap((f) => readList(join(folder, f)).toRecords())
      .filter((r) => r['pcn_code'] !== null).length;
    expect(pcnPeople).toBe(withPcn);
  });
});

describe('case-finding lists meet the contract (§4)', () => {
  const runFolder = (asOf: string): string => join(out, asOf);
  const practiceLists = (asOf: string): Map<string, Record<string, unknown>[]> =>
    new Map(
      readdirSync(join(runFolder(asOf), 'case-finding'))
        .filter((file) => file.endsWith('.arrow'))
        .map((file) => [file.replace('.arrow', ''), readList(join(runFolder(asOf), 'case-finding', file)).toRecords() as Record<string, unknown>[]]),
    );
  const scores = (asOf: string) => readList(join(runFolder(asOf), 'population_scores.arrow')).toRecords() as Record<string, unknown>[];

  it("holds in each practice's file exactly that practice's people in tiers 1-2, and nobody else", () => {
    const lists = practiceLists('2026-11-22');
    const expected = new Map<string, Set<string>>();
    for (const person of scores('2026-11-22')) {
      if ((person['ea_tier'] as number) > 2) continue;
      const practice = person['practice_code'] as string;
      expected.set(practice, (expected.get(practice) ?? new Set()).add(person['person_id'] as string));
    }
    expect(expected.size).toBeGreaterThan(1);
    expect([...lists.keys()].sort()).toEqual([...expected.keys()].sort());
    const seen = new Set<string>();
    for (const [practice, rows] of lists) {
      expect(new Set(rows.map((row) => row['practice_code']))).toEqual(new Set([practice]));
      expect(new Set(rows.map((row) => row['person_id'] as string))).toEqual(expected.get(practice));
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
