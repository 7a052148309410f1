// The practices section's funnel plot: the words on over-dispersion, the labels on outlying practices, axes fitted
// to the practices, and suppressed practices kept off the chart (reports/sections/practices.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { estimateOverdispersion, funnelLimits } from '../../reports/funnelLimits.ts';
import { formatNumber } from '../../reports/formatFigures.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { tableByCaption, textOf } from '../helpers/reportHtml.ts';
import { fixtureInput, openReportFixture } from './reportFixture.ts';

const practiceTable = 'People in tiers 1–2 by GP practice';

/** The practices section: its prose (outside tables and charts), the funnel's SVG, and its text labels. */
function practicesSection(page: string): { words: string; svg: string; labels: string[]; xTicks: number[] } {
  const start = page.indexOf('id="practices"');
  const section = page.slice(start, page.indexOf('<section', start + 10));
  const svg = /<svg[^>]*>.*?<\/svg>/s.exec(section)?.[0] ?? '';
  const words = textOf(section.replace(/<svg.*?<\/svg>/gs, ' ').replace(/<table.*?<\/table>/gs, ' '));
  const texts = (role: string, anchor = '[a-z]+'): string[] =>
    [...svg.matchAll(new RegExp(`<g class="mark-text role-${role}[" ][^>]*>(.*?)</g>`, 'gs'))].flatMap((match) =>
      [...(match[1] as string).matchAll(new RegExp(`<text text-anchor="${anchor}"[^>]*>(.*?)</text>`, 'g'))].map(
        (text) => text[1] as string,
      ),
    );
  // The x axis's labels are centred under their ticks; the y axis's end at theirs.
  const xTicks = texts('axis-label', 'middle').map((label) => Number(label.replaceAll(',', '')));
  return { words, svg, labels: texts('mark'), xTicks };
}

describe('practices funnel: four practices of 3,000 people whose rates differ far more than chance', () => {
  // 3,000 people: A81001 1,200 at 25%, A81002 1,000 at 22%, B82001 600 at 8%, B82002 200 at 45%; none suppressed.
  let db: Database;
  let html: string;
  beforeAll(async () => {
    db = await openReportFixture({ people: 3000, spells: 500, attendances: 800 });
    html = await renderReport(db, fixtureInput);
  });
  afterAll(() => db.close());

  it('says over-dispersion was found, with phi and tau from the published figures', () => {
    const rows = tableByCaption(html, practiceTable).rows.filter((row) => /^[A-Z]\d{5}$/.test(row[0] ?? ''));
    const groups = rows.map((row) => ({ n: Number(row[2]?.replaceAll(',', '')), events: Number(row[3]?.replaceAll(',', '')) }));
    expect(groups).toHaveLength(4);
    const target = groups.reduce((sum, g) => sum + g.events, 0) / groups.reduce((sum, g) => sum + g.n, 0);
    const estimate = estimateOverdispersion(target, groups);
    expect(estimate.overdispersed).toBe(true);
    const { words } = practicesSection(html);
    expect(words).toContain('Over-dispersion was found: the 4 practice(s) shown');
    expect(words).toContain(`φ = ${formatNumber(estimate.phi, 2)}`);
    expect(words).toContain(`τ = ${formatNumber(Math.sqrt(estimate.tau2) * 1000, 1)} per 1,000`);

    // The practices named as outside the 95% limits are exactly those outside the widened limits.
    const outside = rows
      .filter((_row, index) => {
        const limits = funnelLimits(target, groups[index]!.n, estimate.tau2);
        const rate = groups[index]!.events / groups[index]!.n;
        return rate > limits.upper95 || rate < limits.lower95;
      })
      .map((row) => row[0] as string);
    expect(outside.length).toBeGreaterThan(0);
    expect(words).toMatch(new RegExp(`After allowing for it, ${outside.length} practice\\(s\\) are outside the 95% limits`));
    for (const code of outside) expect(words).toContain(code);
    expect(words).toMatch(/With limits for chance alone, \d practice\(s\) would be outside the 99\.8% limits\./);
  });

  it('labels each practice outside the 95% limits on the chart, and no other', () => {
    const rows = tableByCaption(html, practiceTable).rows.filter((row) => /^[A-Z]\d{5}$/.test(row[0] ?? ''));
    const outside = rows.filter((row) => row[5] !== 'within the limits').map((row) => row[0]);
    expect(practicesSection(html).labels.sort()).toEqual([...outside].sort());
  });

  it('fits the x axis to the practices (200 to 1,200 people), not from zero', () => {
    const { xTicks } = practicesSection(html);
    expect(Math.min(...xTicks.filter((tick) => tick >= 100))).toBeLessThanOrEqual(200);
    expect(xTicks).not.toContain(0);
    expect(Math.max(...xTicks)).toBeLessThanOrEqual(1_300);
  });
});

describe('practices funnel: the usual 300-person fixture, two practices suppressed', () => {
  let db: Database;
  let html: string;
  beforeAll(async () => {
    db = await openReportFixture();
    html = await renderReport(db, fixtureInput);
  });
  afterAll(() => db.close());

  it('estimates from the two published practices only and finds no over-dispersion', () => {
    // A81001 30/120 and A81002 22/100 against the area's 66/300 = 0.22: z = 0.03 / √(0.1716 / 120) = 0.7933 and 0,
    // Winsorised at 0.0793 and 0.7140 (10% and 90% of the way from 0 to 0.7933): phi = (0.0793² + 0.7140²) / 2 = 0.26.
    const { words, labels } = practicesSection(html);
    expect(words).toContain('No over-dispersion was found: the 2 practice(s) shown');
    expect(words).toContain('φ = 0.26, not above 0.50; τ = 0');
    expect(words).toContain('No practice is outside the 95% limits.');
    expect(labels).toEqual([]);
  });

  it('names no suppressed practice in the words or on the chart', () => {
    const { words, svg } = practicesSection(html);
    for (const code of ['B82001', 'B82002']) {
      expect(words).not.toContain(code);
      expect(svg).not.toContain(code);
    }
  });
});
