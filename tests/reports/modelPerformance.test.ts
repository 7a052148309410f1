// Section 7, model performance: what a validated and an unvalidated model card show, small-number suppression of
// the validation figures (including counts a percentage would give away), the drift warning, and determinism.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelCard } from '../../models/modelCard.ts';
import type { Database } from '../../core/db/Database.ts';
import { poolDeciles } from '../../reports/modelCardFigures.ts';
import { type ReportInput, renderReport } from '../../reports/renderReport.ts';
import { driftFor, notValidatedNote, unvalidatedCard, validatedCard } from './modelCardFixture.ts';
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

const validated = validatedCard();
const metrics = validated.validation!.metrics;

function inputWith(cards: ModelCard[], scorePsi = 0.05): ReportInput {
  return { ...fixtureInput, modelCards: cards, drift: driftFor(cards, scorePsi) };
}

/** The HTML of one model's part of section 8, from its heading to the next model's. */
function modelBlock(page: string, title: string): string {
  const section = page.slice(page.indexOf('<section id="model-performance"'));
  const body = section.slice(0, section.indexOf('</section>'));
  const from = body.indexOf(`<h3>${title}</h3>`);
  if (from === -1) throw new Error(`no model block ${title}`);
  const next = body.indexOf('<h3>', from + 1);
  return body.slice(from, next === -1 ? undefined : next);
}

/** Every row of the table with this caption, as cell texts (row header first). */
function tableRows(block: string, caption: string): string[][] {
  const at = block.indexOf(`<caption>${caption}</caption>`);
  if (at === -1) throw new Error(`no table ${caption}`);
  const table = block.slice(at, block.indexOf('</table>', at));
  return [...table.matchAll(/<tr[^>]*>(<th scope="row".*?)<\/tr>/g)].map((row) =>
    [...(row[1] as string).matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => cell[1] as string),
  );
}

function row(block: string, caption: string, header: string): string[] {
  const found = tableRows(block, caption).find((cells) => cells[0] === header);
  if (!found) throw new Error(`no row ${header} in ${caption}`);
  return found;
}

const fairnessCaptions: Record<string, string> = {
  sex: 'By sex',
  age_band: 'By age band',
  imd_quintile: 'By deprivation (IMD quintile: 1 = the most deprived fifth of areas)',
  ethnic_group: 'By ethnic group',
};
const sexRowHeaders: Record<string, string> = { '1': 'Male', '2': 'Female', '9': 'Indeterminate', X: 'Not known' };

/**
 * The report merges groups (issue 17): sex codes 9 and X are always "Not recorded", and here, 7 people in all, that
 * group joins the larger sex, "Male or not recorded" (1,497 men against 1,496 women), so no male or female figure
 * is hidden to protect it. (Merging 85+ into 75-84 here would show fewer figures than blanking, so the report does
 * not.) A merged row is the sum of its groups.
 */
const mergedRowHeaders: Record<string, Record<string, string>> = {
  sex: { '1': 'Male or not recorded', '9': 'Male or not recorded', X: 'Male or not recorded' },
};
const isMerged = (dimension: string, group: string | null): boolean => mergedRowHeaders[dimension]?.[group as string] !== undefined;

function rowHeaderFor(dimension: string, group: string | null): string {
  const merged = mergedRowHeaders[dimension]?.[group as string];
  if (merged !== undefined) return merged;
  if (dimension === 'sex') return sexRowHeaders[group as string] as string;
  if (dimension === 'imd_quintile') return group === null ? 'Not known' : group === '1' ? '1 (most deprived)' : group === '5' ? '5 (least deprived)' : group;
  return group ?? 'Not recorded';
}

describe('model performance: what the section shows', () => {
  it('is section 10, "Model performance", with one block per model, emergency admission first', () => {
    expect(html).toContain('>10. Model performance</h2>');
    expect(html.indexOf('<h3>Emergency admission model</h3>')).toBeLessThan(html.indexOf('<h3>New long-term condition model</h3>'));
  });

  it('shows the validation metrics, window and variant comparison when the card has them', () => {
    const block = modelBlock(html, 'Emergency admission model');
    expect(block).toContain('How well it did on a year it had not seen');
    expect(block).toContain('tested on the 3,000 people registered on 2025-11-22 against what happened to them to 2026-11-22');
    const caption = 'Performance on the validation year';
    expect(row(block, caption, 'AUROC')[1]).toBe(metrics.auroc!.toFixed(3));
    expect(row(block, caption, 'AUPRC (average precision)')[1]).toBe(metrics.auprc!.toFixed(3));
    expect(row(block, caption, 'Brier score')[1]).toBe(metrics.brier.toFixed(3));
    expect(row(block, caption, 'Calibration intercept')[1]).toBe(metrics.calibration.intercept!.toFixed(2));
    expect(row(block, caption, 'Calibration slope')[1]).toBe(metrics.calibration.slope!.toFixed(2));

    const top5 = metrics.at_top.find((top) => top.share === 0.05)!;
    expect(row(block, 'Flagging the people at highest risk, validation year', 'Top 5% by risk')).toEqual([
      'Top 5% by risk',
      '150',
      String(top5.true_positives),
      `${(top5.ppv * 100).toFixed(1)}%`,
      `${(top5.sensitivity! * 100).toFixed(1)}%`,
    ]);
    expect(tableRows(block, 'Versions of the model compared on the validation year').map((cells) => cells[0])).toEqual([
      'main effects (kept)',
      'with interactions',
    ]);
    expect(block).toContain('Trained on 3,000 people registered on 2025-11-22');
    expect(block).toContain('recalibrated in the large');
  });

  it('says plainly that a model without a validation year is not yet validated, with the card\'s note', () => {
    const block = modelBlock(html, 'New long-term condition model');
    expect(block).toContain('This model is not yet validated');
    expect(block).toContain(notValidatedNote);
    expect(block).not.toContain('Performance on the validation year');
    expect(block).not.toContain('chart-calibration');
  });

  it('draws the calibration plot as inline SVG with the diagonal, for the validated model only', () => {
    const figure = /<figure class="chart" id="chart-calibration-ea"[^>]*>.*?<svg [^>]*role="img"[^>]*>(.*?)<\/svg>/s.exec(html);
    expect(figure).not.toBeNull();
    expect(figure![1]).toContain('stroke-dasharray');
    expect(figure![1]).toContain('Observed rate (%)');
    expect(html).not.toContain('chart-calibration-ltc');
  });

  it('labels sex codes and the most deprived IMD quintile', () => {
    const block = modelBlock(html, 'Emergency admission model');
    // Codes 9 and X are one group (issue 17), and the note under the table says so.
    expect(tableRows(block, 'By sex').map((cells) => cells[0])).toEqual(['Male or not recorded', 'Female', 'All people']);
    expect(block).toContain('Male or not recorded combines Male, Indeterminate (code 9) and Not known (code X)');
    // The joined row has no AUROC of its own; the note gives the men's.
    expect(row(block, 'By sex', 'Male or not recorded')[3]).toBe('–');
    const men = metrics.by_subgroup.sex!.find((group) => group.group === '1')!;
    expect(block).toContain(`The AUROC for Male alone is ${men.auroc!.toFixed(3)}.`);
    expect(tableRows(block, fairnessCaptions.imd_quintile!)[0]![0]).toBe('1 (most deprived)');
  });
});

describe('model performance: small numbers', () => {
  it('shows * and no metrics for every group the card marks suppressed', () => {
    const block = modelBlock(html, 'Emergency admission model');
    let checked = 0;
    for (const [dimension, groups] of Object.entries(metrics.by_subgroup)) {
      for (const group of groups.filter((g) => g.suppressed && !isMerged(dimension, g.group))) {
        const cells = row(block, fairnessCaptions[dimension]!, rowHeaderFor(dimension, group.group));
        expect(cells.slice(2), `${dimension} ${group.group}`).toEqual(['*', '*', '*', '*']);
        checked += 1;
      }
    }
    // 85+ (20 people) keeps its size: only its outcomes and metrics are hidden.
    expect(row(block, 'By age band', '85+')).toEqual(['85+', '20', '*', '*', '*', '*']);
    // Not recorded (codes 9 and X, 7 people) joins the men, so neither sex has a figure hidden for it.
    expect(tableRows(block, 'By sex').flat()).not.toContain('*');
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('never shows the size of a group of 1 to 7, even when the card gives it, nor lets the total give it away', async () => {
    const card = validatedCard();
    const sex = card.validation!.metrics.by_subgroup.sex!;
    // As an older card might: the 5 people with sex code 9 given as a number.
    const indeterminate = sex.find((group) => group.group === '9')!;
    expect(indeterminate.n).toBeNull();
    indeterminate.n = 5;
    const page = await renderReport(db, inputWith([card, unvalidatedCard()]));
    const block = modelBlock(page, 'Emergency admission model');
    // Joined with the men: the 7 are inside a row of 1,504, and no row shows them.
    const men = sex.find((group) => group.group === '1')!;
    expect(row(block, 'By sex', 'Male or not recorded')[1]).toBe((men.n! + 7).toLocaleString('en-GB'));
    // What the hidden groups of a column add up to (the total less the groups shown) is 0 or at least 8.
    for (const caption of Object.values(fairnessCaptions)) {
      const rows = tableRows(block, caption);
      const groups = rows.filter((cells) => cells[0] !== 'All people');
      const total = rows.find((cells) => cells[0] === 'All people')!;
      for (const column of [1, 2]) {
        const shown = groups.filter((cells) => cells[column] !== '*').reduce((sum, cells) => sum + Number(cells[column]!.replaceAll(',', '')), 0);
        const hiddenSum = Number(total[column]!.replaceAll(',', '')) - shown;
        expect(hiddenSum === 0 || hiddenSum >= 8, `${caption}, column ${column}: hidden groups add up to ${hiddenSum}`).toBe(true);
        expect(groups.filter((cells) => cells[column] === '*').length, `${caption}, column ${column}`).not.toBe(1);
      }
    }
    expect(block).not.toMatch(/<td class="num">[1-7]<\/td>/);
  });

  it('hides a sensitivity or PPV that, with the counts shown, would give away a count from 1 to 7', () => {
    const block = modelBlock(html, 'Emergency admission model');
    let checked = 0;
    for (const [dimension, groups] of Object.entries(metrics.by_subgroup)) {
      for (const group of groups.filter((g) => !g.suppressed && !isMerged(dimension, g.group))) {
        const flaggedWithOutcome = Math.round(group.sensitivity_listed! * group.events!);
        if (flaggedWithOutcome >= 1 && flaggedWithOutcome <= 7) {
          const cells = row(block, fairnessCaptions[dimension]!, rowHeaderFor(dimension, group.group));
          expect(cells.slice(4), `${dimension} ${group.group}`).toEqual([cells[4] === '–' ? '–' : '*', '*']);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    // The top 0.5%: 15 people flagged, 7 of them with the outcome, so neither PPV nor sensitivity is shown (nor the 8
    // without it, which the 15 would give away).
    const top = metrics.at_top[0]!;
    expect(top.true_positives).toBe(7);
    expect(row(block, 'Flagging the people at highest risk, validation year', 'Top 0.5% by risk')).toEqual(['Top 0.5% by risk', '15', '*', '*', '*']);
  });

  it('pools neighbouring deciles for the calibration plot until each point holds 8 people with the outcome and 8 without', () => {
    const deciles = metrics.calibration.observed_expected_by_decile;
    const pools = poolDeciles(deciles, 8);
    expect(pools[0]!.fromDecile).toBe(1);
    expect(pools[pools.length - 1]!.toDecile).toBe(10);
    pools.forEach((pool, index) => {
      if (index > 0) expect(pool.fromDecile).toBe(pools[index - 1]!.toDecile + 1);
      expect(pool.observed).toBeGreaterThanOrEqual(8);
      expect(pool.n - pool.observed).toBeGreaterThanOrEqual(8);
    });
    expect(pools.reduce((sum, pool) => sum + pool.observed, 0)).toBe(metrics.events);
    // Deciles 1 and 2 have 3 and 5 people with the outcome: they share a point.
    expect(pools[0]).toMatchObject({ fromDecile: 1, toDecile: 2, observed: 8 });
  });
});

describe('model performance: drift', () => {
  it('shows a warning line for a PSI above 0.2, and none for 0.05', async () => {
    const cards = [validatedCard(), unvalidatedCard()];
    const drifting = modelBlock(await renderReport(db, inputWith(cards, 0.35)), 'Emergency admission model');
    expect(drifting).toMatch(/<p class="warning">Warning: the spread of the risk score \(ea_risk\) has shifted since the model was trained \(PSI 0\.350, above 0\.2\)/);
    expect(row(drifting, 'Today&#39;s population against the training rows', 'The risk score (ea_risk)')).toEqual([
      'The risk score (ea_risk)',
      '0.350',
      'Major shift',
    ]);
    const stable = modelBlock(html, 'Emergency admission model');
    expect(stable).not.toContain('class="warning"');
    expect(row(stable, 'Today&#39;s population against the training rows', 'The risk score (ea_risk)')[1]).toBe('0.050');
  });
});

describe('model performance: determinism and input', () => {
  it('gives byte-identical HTML on a second render, from fresh copies of the cards', async () => {
    const first = await renderReport(db, inputWith([validatedCard(), unvalidatedCard()], 0.35));
    const second = await renderReport(db, inputWith(structuredClone([validatedCard(), unvalidatedCard()]), 0.35));
    expect(second).toBe(first);
  });

  it('orders the models by target whatever order the cards come in', async () => {
    expect(await renderReport(db, inputWith([unvalidatedCard(), validatedCard()]))).toBe(html);
  });

  it('refuses a card it cannot read, before any query', async () => {
    const broken = validatedCard() as unknown as { validation: { metrics: Record<string, unknown> } };
    delete broken.validation.metrics.n;
    await expect(renderReport(db, inputWith([broken as unknown as ModelCard]))).rejects.toThrow(/modelCards\.0\.validation\.metrics\.n/);
    await expect(renderReport(db, inputWith([validatedCard(), validatedCard()]))).rejects.toThrow(/two cards for one target/);
    const drift = driftFor([validatedCard()], 0.05);
    drift[0]!.psi.score!.psi = -1;
    await expect(renderReport(db, { ...fixtureInput, drift })).rejects.toThrow(/drift\.0\.psi\.score\.psi/);
  });
});
