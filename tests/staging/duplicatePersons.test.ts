// A person on more than one row of one demographics snapshot (data-contract.md §2): every copy is quarantined
// as duplicate_key, so a row saying opt_out = Y can never be overridden by another saying N. The person is then
// absent from that snapshot: not in its records, not scored. Activity files keep their rule (later copies only).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { buildFeatures } from '../../models/buildFeatures.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { demographicsHeader, person, spellsHeader, writeExtract } from '../helpers/writeExtract.ts';

let db: Database;
let inbox: string;

beforeEach(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
  writeExtract(inbox, '2026-11-20', [
    { name: 'demographics.csv', lines: [demographicsHeader, person('P1'), person('P2'), person('P3'), person('P4')] },
  ]);
  writeExtract(inbox, '2026-11-21', [
    {
      name: 'demographics.csv',
      lines: [
        demographicsHeader,
        person('P1'), // line 2: the first copy says N ...
        person('P2'),
        person('P1', { opt_out: 'Y' }), // line 4: ... the second says Y
        person('P3'),
        person('P3', { sex: 'Q', opt_out: 'Y' }), // line 6: a copy with a bad code still counts as a copy
        person('P4'),
        `${person('P4', { opt_out: 'Y' })},extra`, // line 8: a copy the CSV parser cannot read (one field too many)
        person('P5', { opt_out: 'Y' }), // lines 9-10: someone new, twice
        person('P5'),
      ],
    },
    {
      name: 'inpatient_spells.csv',
      lines: [spellsHeader, 'S1,P1,2026-11-01,2026-11-03,21,J44.1,,300', 'S2,P5,2026-11-01,2026-11-03,21,J44.1,,300'],
    },
  ]);
  expect((await loadInbox(db, inbox, { runId: 'test', now: new Date() })).rejected).toEqual([]);
});
afterEach(() => db.close());

describe('a person repeated in one demographics snapshot', () => {
  it('quarantines every copy, duplicate_key unless the copy broke another rule first', async () => {
    const rows = await db.rows<{ line: number; reason: string; raw_row: string }>(
      `SELECT CAST(line AS INTEGER) AS line, reason, raw_row FROM quarantine
       WHERE extract_date = DATE '2026-11-21' AND file_name = 'demographics.csv' ORDER BY line`,
    );
    expect(rows.map((row) => [row.line, row.reason])).toEqual([
      [2, 'duplicate_key'],
      [4, 'duplicate_key'],
      [5, 'duplicate_key'],
      [6, 'bad_code'],
      [7, 'duplicate_key'],
      [8, 'bad_value'],
      [9, 'duplicate_key'],
      [10, 'duplicate_key'],
    ]);
    // Kept whole, so the sender can be told which rows to fix.
    expect(rows[1]!.raw_row).toBe(person('P1', { opt_out: 'Y' }));
  });

  it('keeps rows read = loaded + quarantined', async () => {
    const files = await db.rows<{ rows_read: bigint; rows_loaded: bigint; rows_quarantined: bigint }>(
      `SELECT rows_read, rows_loaded, rows_quarantined FROM extract_files
       WHERE extract_date = DATE '2026-11-21' AND table_name = 'demographics'`,
    );
    expect(files).toEqual([{ rows_read: 9n, rows_loaded: 1n, rows_quarantined: 8n }]);
  });

  it('leaves the person out of the snapshot and unscored; an objection in any copy marks their earlier record', async () => {
    const persons = await db.rowsJson<{ person_id: string; opt_out: string; last_extract: string }>(
      'SELECT person_id, opt_out, last_extract FROM persons ORDER BY person_id',
    );
    // P1 and P3 objected in a copy (P3's with a bad code too): their earlier record is opted out, so a retrain never
    // uses it. P4's objecting copy could not be parsed, so what it said is not known: its earlier record stands.
    expect(persons).toEqual([
      { person_id: 'P1', opt_out: 'Y', last_extract: '2026-11-20' },
      { person_id: 'P2', opt_out: 'N', last_extract: '2026-11-21' },
      { person_id: 'P3', opt_out: 'Y', last_extract: '2026-11-20' },
      { person_id: 'P4', opt_out: 'N', last_extract: '2026-11-20' },
    ]);
    await buildFeatures(db, 'scoring_population', '2026-11-21', 'scoring_features');
    const scored = await db.rowsJson<{ person_id: string }>('SELECT person_id FROM scoring_features ORDER BY 1');
    expect(scored.map((row) => row.person_id)).toEqual(['P2']);
    await buildFeatures(db, 'training_population', '2026-11-20', 'training_features');
    const trained = await db.rowsJson<{ person_id: string }>('SELECT person_id FROM training_features ORDER BY 1');
    expect(trained.map((row) => row.person_id)).toEqual(['P2', 'P4']);
  });

  it("loads activity of a person known from an earlier snapshot; a new person's is unknown_person", async () => {
    expect(await db.rowsJson('SELECT spell_id, person_id FROM inpatient_spells')).toEqual([{ spell_id: 'S1', person_id: 'P1' }]);
    expect(
      await db.rowsJson(`SELECT CAST(line AS INTEGER) AS line, reason FROM quarantine WHERE file_name = 'inpatient_spells.csv'`),
    ).toEqual([{ line: 3, reason: 'unknown_person' }]);
  });
});
