// The report opens with its summary (after a banner when there is something to read first): the headline figures as
// the sections publish them, statements built from those figures, and each section's one-sentence finding. The
// banner names a refused extract, data older than staleExtractDays on the run date, and drift.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { addDays } from '../../core/dates.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { textOf } from '../helpers/reportHtml.ts';
import { fixtureAsOf, fixtureInput, openReportFixture } from './reportFixture.ts';

let db: Database;
beforeAll(async () => {
  db = await openReportFixture();
});
afterAll(() => db.close());

const bannerOf = (html: string): string | null => /<div class="banner" role="alert">(.*?)<\/div>/s.exec(html)?.[1] ?? null;

describe('the report summary and its banner', () => {
  it('puts the summary first, before the reading notes and the contents, with the key figures the sections show', async () => {
    const html = await renderReport(db, { ...fixtureInput, runDate: fixtureAsOf });
    expect(bannerOf(html)).toBeNull();
    const summaryAt = html.indexOf('<section id="summary"');
    expect(summaryAt).toBeGreaterThan(0);
    expect(summaryAt).toBeLessThan(html.indexOf('How to read this report'));
    expect(summaryAt).toBeLessThan(html.indexOf('<section id="headline"'));
    const summary = textOf(/<section id="summary".*?<\/section>/s.exec(html)![0]);
    // The concentration statement quotes the risk pyramid's own tiers 1-2 shares.
    const pyramid = textOf(/<section id="risk-pyramid".*?<\/section>/s.exec(html)![0]);
    const shares = /Tiers 1–2 are ([\d.]+%) of the people scored, and had ([\d.]+%) of/.exec(pyramid);
    expect(shares).not.toBeNull();
    expect(summary).toContain(`The ${shares![1]} of people in tiers 1–2 had ${shares![2]} of the emergency admissions`);
    expect(summary).toContain('Data up to');
    expect(summary).toContain(`${fixtureAsOf} (0 days before this report)`);
  });

  it('opens each section that has a finding with it, and lists the findings in the summary', async () => {
    const html = await renderReport(db, fixtureInput);
    const findings = [...html.matchAll(/<h2 id="([a-z-]+)-heading">[^<]*<\/h2>\n<p class="finding">([^<]*)<\/p>/g)];
    expect(findings.map((f) => f[1])).toEqual(expect.arrayContaining(['headline', 'risk-pyramid', 'model-performance']));
    const summary = /<section id="summary".*?<\/section>/s.exec(html)![0];
    for (const [, id, finding] of findings) expect(summary).toContain(`<a href="#${id}">`), expect(summary).toContain(finding);
  });

  it('warns at the top of a refused extract, of data older than staleExtractDays, and of drift', async () => {
    const stale = bannerOf(await renderReport(db, { ...fixtureInput, runDate: addDays(fixtureAsOf, 10), staleExtractDays: 3 }));
    expect(stale).toContain(`The newest extract is ten days old (${fixtureAsOf}`);
    expect(bannerOf(await renderReport(db, { ...fixtureInput, runDate: addDays(fixtureAsOf, 3), staleExtractDays: 3 }))).toBeNull();
    const refused = bannerOf(await renderReport(db, { ...fixtureInput, runDate: fixtureAsOf, refusedExtracts: ['2026-11-23'] }));
    expect(refused).toContain('The extract of 2026-11-23 was refused by this run');
    expect(refused).toContain(`this report is from the data up to ${fixtureAsOf}`);
    const drifted = fixtureInput.drift.map((d, i) => (i === 0 ? { ...d, warnings: ['ea model: score has drifted (PSI 0.300 > 0.25)'] } : d));
    const drift = bannerOf(await renderReport(db, { ...fixtureInput, runDate: fixtureAsOf, drift: drifted }));
    expect(textOf(drift!)).toContain("emergency-admission model's inputs have drifted");
  });
});
