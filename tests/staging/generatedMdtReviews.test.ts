// A generated inbox (strata generate --bad-rows) carries mdt_reviews in every folder: loading it quarantines exactly
// the planted rows, in mdt_reviews as in every other file, and the reviews that load follow the generator's known
// process (synthetic/knownProcess.ts): the nightly reviews (mdtReviews) of people of the highest known risk, reviewed in
// the 14 days before the extract, some corrected by review_id on a later night; and the monthly meetings over the
// history (carePlans, review ids MDTH...), at least 183 days apart for a person and more than 14 days before the
// backfill; review_by only for a care plan or already managed.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { generateInbox, parseGenerateSettings, type PlantedRow } from '../../synthetic/index.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';

const root = temporaryFolder('strata-generated-mdt-');
let db: Database;
let planted: PlantedRow[] = [];
let load: Awaited<ReturnType<typeof loadInbox>>;

beforeAll(async () => {
  const inbox = join(root, 'inbox');
  const result = await generateInbox(parseGenerateSettings({
    out: inbox, persons: 3000, seed: 15, asOf: '2026-11-22', extracts: 3, truth: join(root, 'truth.csv'), badRows: true, gzip: true,
  }));
  planted = result.planted;
  db = await openTestDatabase();
  load = await loadInbox(db, inbox, { runId: 'test', now: new Date('2026-11-22T12:00:00Z') });
});
afterAll(() => {
  db.close();
  rmSync(root, { recursive: true, force: true });
});

describe('a generated inbox with mdt_reviews', () => {
  it('loads every folder, quarantining exactly the planted rows, and accounts for every row', async () => {
    expect(load.rejected).toEqual([]);
    const key = (r: { extract: string; file: string; line: number; reason: string }) => `${r.extract} ${r.file}:${r.line} ${r.reason}`;
    const quarantined = await db.rowsJson<{ extract: string; file: string; line: number; reason: string }>(
      'SELECT extract_date AS extract, file_name AS file, CAST(line AS INTEGER) AS line, reason FROM quarantine',
    );
    expect(quarantined.map(key).sort()).toEqual(planted.map(key).sort());
    const reviewFiles = load.files.filter((f) => f.table === 'mdt_reviews');
    expect(reviewFiles.map((f) => f.name)).toEqual(['mdt_reviews.csv.gz', 'mdt_reviews.csv.gz', 'mdt_reviews.csv.gz']);
    for (const file of load.files) expect(file.rows_read, `${file.extract} ${file.name}`).toBe(file.rows_loaded + file.rows_quarantined);
    for (const file of reviewFiles) {
      expect(file.rows_loaded).toBeGreaterThan(10);
      expect(file.rows_quarantined).toBe(planted.filter((p) => p.extract === file.extract && p.file === file.name).length);
    }
  });

  it('holds reviews from the known process, with corrections by review_id', async () => {
    const all = await db.rowsJson<{ review_id: string; person_id: string; outcome: string; reviewed_on: string; review_by: string | null; days_before: number; corrected: boolean }>(
      `SELECT r.review_id, r.person_id, r.outcome, strftime(r.reviewed_on, '%Y-%m-%d') AS reviewed_on, r.review_by,
              CAST(r.extract_date - r.reviewed_on AS INTEGER) AS days_before, c.person_id IS NOT NULL AS corrected
       FROM mdt_reviews r
       LEFT JOIN corrections c ON c.table_name = 'mdt_reviews' AND c.extract_date = r.extract_date AND c.source_line = r.source_line
       ORDER BY r.person_id, r.reviewed_on`,
    );
    const meetings = all.filter((r) => r.review_id.startsWith('MDTH'));
    const reviews = all.filter((r) => !r.review_id.startsWith('MDTH'));
    expect(meetings.length).toBeGreaterThan(50);
    const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
    const backfill = day('2026-11-20');
    for (const [i, r] of all.entries()) {
      expect(r.review_by === null, `${r.outcome} ${r.review_by}`).toBe(!['CP', 'AM'].includes(r.outcome));
      const previous = all[i - 1];
      if (previous?.person_id === r.person_id) expect(day(r.reviewed_on) - day(previous.reviewed_on), r.review_id).toBeGreaterThanOrEqual(183);
    }
    for (const r of meetings) expect(day(r.reviewed_on)).toBeLessThan(backfill - 14);
    // Each person is reviewed once in these three nights (no second review within 6 months), 1 to 14 days before
    // the extract that sent it (a correction comes one or two nights later).
    expect(new Set(reviews.map((r) => r.person_id)).size).toBe(reviews.length);
    for (const r of reviews) {
      expect(['CP', 'AM', 'NR', 'DC', 'NA']).toContain(r.outcome);
      expect(r.days_before).toBeGreaterThanOrEqual(r.corrected ? 2 : 1);
      expect(r.days_before).toBeLessThanOrEqual(r.corrected ? 16 : 14);
    }
    // The people reviewed are of the highest known risk: every one alive and scored-like at as-of is above the 94th
    // percentile of the truth file's risks (a night's list is its top 5%).
    const truth = readFileSync(join(root, 'truth.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const risk = new Map(truth.filter((f) => f[5] === 'N').map((f) => [f[0] as string, Number(f[1])]));
    const sorted = [...risk.values()].sort((a, b) => a - b);
    const p94 = sorted[Math.floor(sorted.length * 0.94)] as number;
    const inTruth = reviews.filter((r) => risk.has(r.person_id));
    expect(inTruth.length).toBeGreaterThan(reviews.length * 0.9);
    for (const r of inTruth) expect(risk.get(r.person_id)!, r.person_id).toBeGreaterThanOrEqual(p94);
    const corrected = load.files.filter((f) => f.table === 'mdt_reviews').reduce((n, f) => n + f.rows_corrected, 0);
    expect(reviews.filter((r) => r.corrected).length).toBe(corrected);
  });
});
