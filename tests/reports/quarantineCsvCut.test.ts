// The data-quality section says when quarantine.csv was cut by its per-file limits, and how many rows it holds, with
// those counts suppressed together with the files' quarantined counts: a handful of rows left out of a file must
// not be worked out from "rows written of rows quarantined". When the file was not cut, the report says so and
// gives no count of it, so every other figure is as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { renderReport } from '../../reports/renderReport.ts';
import type { QuarantineCsvSummary } from '../../reports/reportInput.ts';
import { textOf } from '../helpers/reportHtml.ts';
import { fixtureInput, openReportFixture } from './reportFixture.ts';

// The fixture quarantines 5 rows of inpatient_spells.csv and 40 of ae_attendances.csv, both on 2026-11-22.
function quarantineCsv(aeWritten: number): QuarantineCsvSummary {
  return {
    rows: 5 + aeWritten,
    rows_in_database: 45,
    cut: aeWritten < 40,
    limits: { max_rows_per_source_file: aeWritten < 40 ? aeWritten : 10_000, max_bytes_per_source_file: 16 * 1024 * 1024 },
    source_files: [
      { extract: '2026-11-22', name: 'ae_attendances.csv', rows_in_database: 40, rows_written: aeWritten, cut: aeWritten < 40 },
      { extract: '2026-11-22', name: 'inpatient_spells.csv', rows_in_database: 5, rows_written: 5, cut: false },
    ],
  };
}

let db: Database;
beforeAll(async () => {
  db = await openReportFixture();
});
afterAll(() => db.close());

const dataQuality = (html: string): string => textOf(/<section[^>]*id="data-quality"[^>]*>(.*?)<\/section>/s.exec(html)?.[1] ?? '');

describe('quarantine.csv in the data-quality section', () => {
  it('says it was cut, how many rows it holds of how many, the limits, and which files', async () => {
    const text = dataQuality(await renderReport(db, { ...fixtureInput, quarantineCsv: quarantineCsv(20) }));
    expect(text).toContain('quarantine.csv was cut: it holds');
    expect(text).toMatch(/it holds (25|\*) of the (45|\*) rows quarantined from the extracts new since the previous outputs/);
    expect(text).toContain('at most 20 rows and 16 MiB from each file');
    expect(text).toMatch(/Files cut: 2026-11-22 ae_attendances\.csv \((20|\*) of (40|\*) rows written\)\./);
    expect(text).toContain("Every quarantined row is kept in the database's quarantine table");
  });

  it('never lets a small number of rows left out be worked out', async () => {
    // 37 of 40 written: 3 left out, a count from 1 to 7.
    const text = dataQuality(await renderReport(db, { ...fixtureInput, quarantineCsv: quarantineCsv(37) }));
    const file = /ae_attendances\.csv \((\S+) of (\S+) rows written\)/.exec(text)!;
    expect(file[1] === '*' || file[2] === '*').toBe(true);
    const all = /it holds (\S+) of the (\S+) rows quarantined/.exec(text)!;
    expect(all[1] === '*' || all[2] === '*').toBe(true);
  });

  it('hides a file\'s quarantined count when the rows left out are few and the rows written are the stated row limit', async () => {
    // 10,000 of 10,003 written (the limit, which the paragraph states): 3 left out, so the 10,003 may not be shown.
    const big: QuarantineCsvSummary = {
      rows: 10_000, rows_in_database: 10_003, cut: true,
      limits: { max_rows_per_source_file: 10_000, max_bytes_per_source_file: 16 * 1024 * 1024 },
      source_files: [{ extract: '2026-11-22', name: 'prescriptions.csv', rows_in_database: 10_003, rows_written: 10_000, cut: true }],
    };
    const text = dataQuality(await renderReport(db, { ...fixtureInput, quarantineCsv: big }));
    expect(text).toContain('prescriptions.csv (10,000 of * rows written)');
    expect(text).not.toContain('10,003');
  });

  it('when not cut, says it holds every row and changes no other figure', async () => {
    const without = await renderReport(db, fixtureInput);
    const withCsv = await renderReport(db, { ...fixtureInput, quarantineCsv: quarantineCsv(40) });
    const sentence = '<p>quarantine.csv holds every row quarantined from the extracts new since the previous outputs.</p>';
    expect(withCsv).toContain(sentence);
    expect(withCsv.replace(`\n${sentence}`, '')).toBe(without);
  });
});
