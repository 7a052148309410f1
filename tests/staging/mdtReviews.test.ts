// The optional mdt_reviews extract (data-contract.md §2 v2 and §3): every quarantine reason at its line with its
// detail, corrections by review_id across folders, folders (and whole inboxes) without the file, and the row
// accounting rows read = loaded + quarantined in the load result and in extract_files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { demographicsHeader, mdtReviewsHeader, person, writeExtract } from '../helpers/writeExtract.ts';

let db: Database;
let inbox: string;
beforeEach(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
});
afterEach(() => db.close());

async function load(): Promise<Awaited<ReturnType<typeof loadInbox>>> {
  const result = await loadInbox(db, inbox, { runId: 'test', now: new Date('2026-11-25T12:00:00Z') });
  expect(result.rejected).toEqual([]);
  return result;
}
const quarantined = () => db.rowsJson<{ extract_date: string; line: number; reason: string; detail: string }>(
  `SELECT extract_date, CAST(line AS INTEGER) AS line, reason, detail FROM quarantine
   WHERE file_name LIKE 'mdt_reviews%' ORDER BY extract_date, line`,
);
const reviews = () => db.rowsJson<{ review_id: string; person_id: string; reviewed_on: string; outcome: string; review_by: string | null; extract_date: string }>(
  'SELECT review_id, person_id, reviewed_on, outcome, review_by, extract_date FROM mdt_reviews ORDER BY review_id',
);

// P1 was born in 1990, P2 in 1950.
const people = [demographicsHeader, person('P1', { year_of_birth: '1990', registered_on: '1990-03-01' }), person('P2')];

describe('mdt_reviews quarantine', () => {
  it('quarantines each rule at its line with its reason and detail, and loads the good rows typed', async () => {
    const lines = [
      mdtReviewsHeader,
      /* 2 */ 'M1,P1,2026-11-10,CP,2027-02-10',
      /* 3 */ ',P1,2026-11-10,CP,',
      /* 4 */ 'M3,,2026-11-10,CP,',
      /* 5 */ 'M4,P1,,CP,',
      /* 6 */ 'M5,P1,2026-11-10,,',
      /* 7 */ 'M6,P1,2026-02-30,NR,',
      /* 8 */ 'M7,P1,2026-11-10,AM,next spring',
      /* 9 */ 'M8,P1,2026-11-10,XX,',
      /* 10 */ 'M9,P1,2026-11-10,cp,',
      /* 11 */ 'M10,P1,2026-11-21,DC,',
      /* 12 */ 'M11,P1,1989-12-31,NA,',
      /* 13 */ 'M12,P1,2026-11-10,CP,2026-11-09',
      /* 14 */ 'M13,PnoSuchPerson,2026-11-10,CP,',
      /* 15 */ 'M1,P2,2026-11-12,AM,',
      /* 16 */ 'M15,9434765919,2026-11-10,CP,',
      /* 17 */ 'M16,P2,2026-11-10,CP,,extra',
      /* 18 */ Buffer.concat([Buffer.from('M17,P2,2026-11-10,'), Buffer.from([0xff, 0xfe]), Buffer.from(',')]),
      /* 19 */ 'M18,P2,2026-11-20,NR,',
      /* 20 */ 'M19,P1,1990-01-01,DC,1990-01-01',
      /* 21 */ 'M20,P2,2026-11-20,NA,',
    ];
    writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: people },
      { name: 'mdt_reviews.csv', lines },
    ]);
    await load();
    const birth = "reviewed_on is before 1 January of the person's year_of_birth";
    expect((await quarantined()).map(({ line, reason, detail }) => ({ line, reason, detail }))).toEqual([
      { line: 3, reason: 'missing_value', detail: 'review_id is empty' },
      { line: 4, reason: 'missing_value', detail: 'person_id is empty' },
      { line: 5, reason: 'missing_value', detail: 'reviewed_on is empty' },
      { line: 6, reason: 'missing_value', detail: 'outcome is empty' },
      { line: 7, reason: 'bad_date', detail: 'reviewed_on is not a real YYYY-MM-DD date' },
      { line: 8, reason: 'bad_date', detail: 'review_by is not a real YYYY-MM-DD date' },
      { line: 9, reason: 'bad_code', detail: 'outcome must be CP, AM, DC, NA or NR' },
      { line: 10, reason: 'bad_code', detail: 'outcome must be CP, AM, DC, NA or NR' },
      { line: 11, reason: 'future_date', detail: 'reviewed_on is after the extract date' },
      { line: 12, reason: 'date_order', detail: birth },
      { line: 13, reason: 'date_order', detail: 'review_by is before reviewed_on' },
      { line: 14, reason: 'unknown_person', detail: 'person_id is in no demographics snapshot loaded so far' },
      { line: 15, reason: 'duplicate_key', detail: 'review_id appears earlier in this file' },
      { line: 16, reason: 'direct_identifier', detail: 'person_id is or holds an NHS number, not a pseudonym' },
      { line: 17, reason: 'bad_value', detail: expect.any(String) },
      { line: 18, reason: 'bad_encoding', detail: expect.any(String) },
    ]);
    // The extract date itself, 1 January of the year of birth, and review_by on the day of the review all load.
    expect(await reviews()).toEqual([
      { review_id: 'M1', person_id: 'P1', reviewed_on: '2026-11-10', outcome: 'CP', review_by: '2027-02-10', extract_date: '2026-11-20' },
      { review_id: 'M18', person_id: 'P2', reviewed_on: '2026-11-20', outcome: 'NR', review_by: null, extract_date: '2026-11-20' },
      { review_id: 'M19', person_id: 'P1', reviewed_on: '1990-01-01', outcome: 'DC', review_by: '1990-01-01', extract_date: '2026-11-20' },
      { review_id: 'M20', person_id: 'P2', reviewed_on: '2026-11-20', outcome: 'NA', review_by: null, extract_date: '2026-11-20' },
    ]);
  });

  it('counts every row: rows read = loaded + quarantined, in the load result and in extract_files', async () => {
    writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: people },
      { name: 'mdt_reviews.csv', lines: [mdtReviewsHeader, 'M1,P1,2026-11-10,CP,2027-02-10', 'M2,P9,2026-11-10,CP,', 'M1,P1,2026-11-10,AM,'] },
    ]);
    const result = await load();
    expect(result.files.find((f) => f.name === 'mdt_reviews.csv')).toMatchObject({
      table: 'mdt_reviews', rows_read: 3, rows_loaded: 1, rows_quarantined: 2, rows_corrected: 0,
    });
    expect(await db.rowsJson('SELECT table_name, rows_read, rows_loaded, rows_quarantined FROM extract_files WHERE table_name = $t', { t: 'mdt_reviews' }))
      .toEqual([{ table_name: 'mdt_reviews', rows_read: '3', rows_loaded: '1', rows_quarantined: '2' }]);
  });
});

describe('mdt_reviews corrections and absence', () => {
  it('replaces a review by review_id in a later folder, counted as a correction and never twice', async () => {
    writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: people },
      { name: 'mdt_reviews.csv', lines: [mdtReviewsHeader, 'M1,P1,2026-11-10,NR,', 'M2,P2,2026-11-12,CP,2027-03-01'] },
    ]);
    // The second night has no mdt_reviews file; the third corrects M1 (the person was reached after all).
    writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: people }]);
    writeExtract(inbox, '2026-11-22', [
      { name: 'demographics.csv', lines: people },
      { name: 'mdt_reviews.csv.gz', lines: [mdtReviewsHeader, 'M1,P1,2026-11-10,CP,2027-01-10', 'M3,P1,2026-11-22,AM,'] },
    ]);
    const result = await load();
    expect(result.files.filter((f) => f.table === 'mdt_reviews').map((f) => [f.extract, f.name, f.rows_loaded, f.rows_corrected])).toEqual([
      ['2026-11-20', 'mdt_reviews.csv', 2, 0],
      ['2026-11-22', 'mdt_reviews.csv.gz', 2, 1],
    ]);
    expect((await reviews()).map((r) => [r.review_id, r.outcome, r.review_by, r.extract_date])).toEqual([
      ['M1', 'CP', '2027-01-10', '2026-11-22'],
      ['M2', 'CP', '2027-03-01', '2026-11-20'],
      ['M3', 'AM', null, '2026-11-22'],
    ]);
    expect(await db.rowsJson('SELECT table_name, person_id, CAST(source_line AS INTEGER) AS line FROM corrections'))
      .toEqual([{ table_name: 'mdt_reviews', person_id: 'P1', line: 2 }]);
    expect(await quarantined()).toEqual([]);
  });

  it('loads an inbox that never sends the file, leaving the table empty', async () => {
    writeExtract(inbox, '2026-11-20', [{ name: 'demographics.csv', lines: people }]);
    const result = await load();
    expect(result.files.map((f) => f.name)).toEqual(['demographics.csv']);
    expect(await db.value('SELECT count(*) FROM mdt_reviews')).toBe(0n);
  });
});
