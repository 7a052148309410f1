// person_id must never be a direct identifier (data-contract.md §2): strata_holds_direct_identifier, the one
// macro every staging file uses, finds what the TypeScript masking rule masks (the same cases, and random
// text), and a person_id holding an NHS number in any written form is quarantined direct_identifier whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { holdsNhsNumber } from '../../core/privacy/maskDirectIdentifiers.ts';
import { maskingCases } from '../helpers/nhsNumberCases.ts';
import { seeded } from '../helpers/seeded.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { aeHeader, demographicsHeader, person, prescriptionsHeader, writeExtract } from '../helpers/writeExtract.ts';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

/** The macro on each value, in one query (values bound as one JSON parameter). */
async function holdsInSql(values: string[]): Promise<boolean[]> {
  const rows = await db.rows<{ holds: boolean }>(
    `SELECT strata_holds_direct_identifier(v) AS holds
     FROM (SELECT unnest(from_json($values, '["VARCHAR"]')) AS v, generate_subscripts(from_json($values, '["VARCHAR"]'), 1) AS i)
     ORDER BY i`,
    { values: JSON.stringify(values) },
  );
  return rows.map((r) => r.holds);
}

describe('strata_holds_direct_identifier', () => {
  it('finds exactly what the masking rule masks, case by case', async () => {
    const inputs = maskingCases.map(([input]) => input);
    expect(await holdsInSql(inputs)).toEqual(maskingCases.map(([input, masked]) => masked !== input));
  });

  it('agrees with the TypeScript rule on 3,000 random values', async () => {
    const random = seeded(12);
    const pieces = ['9434765919', '943 476 5919', '943-476-5919', '6907366258', '943', '476', '5919', ' ', '-', '_', 'P', 'x'];
    const values = Array.from({ length: 3000 }, () => {
      let value = '';
      const parts = 1 + Math.floor(random() * 6);
      for (let p = 0; p < parts; p++) value += random() < 0.5 ? pieces[Math.floor(random() * pieces.length)] : String(Math.floor(random() * 10));
      return value;
    });
    const expected = values.map(holdsNhsNumber);
    expect(expected.filter(Boolean).length).toBeGreaterThan(200);
    expect(await holdsInSql(values)).toEqual(expected);
  });

  it('is false for NULL and the empty string', async () => {
    expect(await db.rows('SELECT strata_holds_direct_identifier(NULL) AS a, strata_holds_direct_identifier(\'\') AS b')).toEqual([{ a: false, b: false }]);
  });
});

describe('a person_id holding an NHS number in any written form', () => {
  // The contract's forms (spaces and hyphens removed) and, stricter than its wording, any person_id that holds
  // one: person_id is written unmasked into population_scores.arrow and the case-finding lists.
  const forms = ['9434765919', '943 476 5919', '943-476-5919', '943-476 5919', '8836075983_A', 'P9434765919', 'x-943-476-5919', 'SP6907366258'];

  it('is quarantined direct_identifier (before the charset check), in demographics and activity files, and kept whole', async () => {
    const local = await openTestDatabase();
    try {
      const inbox = temporaryFolder();
      writeExtract(inbox, '2026-11-21', [
        { name: 'demographics.csv', lines: [demographicsHeader, person('P00abc12'), ...forms.map((id) => person(id)), person('943  476 5919')] },
        { name: 'ae_attendances.csv', lines: [aeHeader, 'AE1,P00abc12,2026-11-20T10:00:00,01,3,N', ...forms.map((id, i) => `AE${i + 2},${id},2026-11-20T10:00:00,01,3,N`)] },
        { name: 'prescriptions.csv', lines: [prescriptionsHeader, ...forms.map((id, i) => `RX${i},${id},2026-11-20,0407010H0AAAMAM`)] },
      ]);
      const result = await loadInbox(local, inbox, { runId: 'test', now: new Date('2026-11-22T00:00:00Z') });
      expect(result.rejected).toEqual([]);
      const quarantined = await local.rows<{ file_name: string; line: number; reason: string; raw_row: string }>(
        'SELECT file_name, CAST(line AS INTEGER) AS line, reason, raw_row FROM quarantine ORDER BY file_name, line',
      );
      const byFile = (name: string) => quarantined.filter((q) => q.file_name === name);
      expect(byFile('demographics.csv').map((q) => [q.line, q.reason])).toEqual([
        ...forms.map((_, i) => [i + 3, 'direct_identifier']),
        [forms.length + 3, 'bad_value'], // a double space is no written form of an NHS number: only a bad pseudonym
      ]);
      expect(byFile('ae_attendances.csv').map((q) => [q.line, q.reason])).toEqual(forms.map((_, i) => [i + 3, 'direct_identifier']));
      expect(byFile('prescriptions.csv').map((q) => [q.line, q.reason])).toEqual(forms.map((_, i) => [i + 2, 'direct_identifier']));
      // The database keeps the row whole, so the sender can be told.
      expect(byFile('demographics.csv').slice(0, forms.length).map((q) => q.raw_row.split(',')[0])).toEqual(forms);
      expect(await local.rows('SELECT person_id FROM persons')).toEqual([{ person_id: 'P00abc12' }]);
      expect(await local.rows('SELECT attendance_id FROM ae_attendances')).toEqual([{ attendance_id: 'AE1' }]);
    } finally {
      local.close();
    }
  });
});
