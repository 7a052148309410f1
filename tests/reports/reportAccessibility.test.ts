// Every chart in the rendered report has a title, a description in words and a data table (issue 5), checked on
// the whole page rather than chart by chart, so a new chart that skips one fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { chartAccessibilityProblems } from '../helpers/chartAccessibility.ts';
import { reportFigures } from '../helpers/reportHtml.ts';
import { fixtureInput, openReportFixture } from './reportFixture.ts';

let db: Database;
let html: string;

beforeAll(async () => {
  db = await openReportFixture();
  html = await renderReport(db, fixtureInput);
});

afterAll(() => {
  db.close();
});

describe('chart accessibility', () => {
  it('gives every chart a title, a description and a data table', () => {
    const charts = reportFigures(html).filter((figure) => figure.html.startsWith('<figure class="chart"'));
    expect(charts.map((chart) => chart.id)).toEqual([
      'chart-risk-pyramid',
      'chart-practice-funnel',
      'chart-segments-by-tier',
      'chart-imd',
      'chart-age-sex',
      'chart-ltc-prevalence',
      'chart-ltc-by-age',
      'chart-activity-trends',
      'chart-calibration-ea',
    ]);
    expect(chartAccessibilityProblems(html)).toEqual([]);
  });

  it('states a key figure in each description', () => {
    for (const chart of reportFigures(html).filter((figure) => figure.html.startsWith('<figure class="chart"'))) {
      const description = /<desc>(.*?)<\/desc>/s.exec(chart.html)?.[1] ?? '';
      // A figure from the data, not just the digits of "tiers 1–2".
      expect(description.replace(/[Tt]iers 1–2/g, ''), chart.id).toMatch(/\d/);
    }
  });

  it('fails a chart that lacks any of the three', () => {
    const broken = (from: RegExp, to: string): string[] => chartAccessibilityProblems(html.replace(from, to));
    expect(broken(/<title id="chart-imd-title">[^<]*<\/title>/, '')).toContain('chart-imd: no <title> as the first child of the SVG');
    expect(broken(/<figcaption id="chart-imd-caption">[^<]*<\/figcaption>/, '<figcaption id="chart-imd-caption"></figcaption>')).toContain(
      'chart-imd: no visible title (figcaption)',
    );
    expect(broken(/(<svg[^>]*aria-labelledby="chart-imd-title"[^>]*>.*?)<desc>[^<]*<\/desc>/s, '$1')).toContain('chart-imd: no <desc> in words');
    expect(broken(/ aria-describedby="chart-imd-description"/, '')).toContain('chart-imd: the SVG is not described by a paragraph in the figure');
    expect(broken(/(<figure class="chart" id="chart-imd".*?)<details class="chart-data">.*?<\/details>/s, '$1')).toContain(
      'chart-imd: no data table in a <details> with a summary',
    );
    // A bar left out of the chart but shown in its data table.
    const imdStar = /(<caption>Data table: Tiers 1–2 per 1,000 people[^<]*<\/caption>.*?<td class="num">)\*(<\/td>)/s;
    expect(imdStar.test(html)).toBe(true);
    expect(broken(imdStar, '$112.5$2').some((problem) => problem.startsWith('chart-imd: the note leaves out'))).toBe(true);
    // A chart drawn outside a figure.
    expect(chartAccessibilityProblems(`${html}<svg></svg>`)[0]).toMatch(/a chart outside a figure/);
  });
});
