// The model card in words (docs/model-card.md) shows no rate from which a count from 1 to 7 could be worked out,
// as the report does not: each such cell is '*'. Its JSON keeps every figure.
import { describe, expect, it } from 'vitest';
import { renderModelCard } from '../../models/renderModelCard.ts';
import { validatedCard } from '../reports/modelCardFixture.ts';

describe('renderModelCard', () => {
  it('hides every fairness rate made of a count from 1 to 7, and shows the rest', () => {
    const card = validatedCard();
    const text = renderModelCard(card);
    const metrics = card.validation!.metrics;
    const small = (count: number) => count >= 1 && count < metrics.small_count_threshold;
    let hidden = 0;
    let shown = 0;
    const labels: Record<string, string> = { sex: 'Sex', age_band: 'Age band', imd_quintile: 'IMD quintile (1 most deprived)', ethnic_group: 'Ethnic group' };
    for (const [dimension, groups] of Object.entries(metrics.by_subgroup)) {
      for (const group of groups) {
        const c = group.at_cutoff;
        if (!c) continue;
        const name = dimension === 'sex' ? ({ '1': 'Male', '2': 'Female' } as Record<string, string>)[group.group!] : group.group;
        const row = text.split('\n').find((line) => line.startsWith(`| ${labels[dimension]}: ${name} |`) || line.startsWith(`| ${labels[dimension]}: ${name} (flagged) |`));
        expect(row, `${group.group}`).toBeDefined();
        const cells = row!.split('|').map((cell) => cell.trim());
        // cells: '', group, people, outcome, AUROC, FNR, FPR, PPV, share of list, share of outcomes, ''
        const expectHidden = (cell: string, counts: number[]) => {
          if (counts.some(small)) {
            expect(cell).toBe('*');
            hidden++;
          } else {
            expect(cell).not.toBe('*');
            shown++;
          }
        };
        expectHidden(cells[5]!, [c.false_negatives, c.true_positives]);
        expectHidden(cells[6]!, [c.false_positives, c.true_negatives]);
        expectHidden(cells[7]!, [c.true_positives, c.false_positives]);
        expectHidden(cells[8]!, [c.listed]);
      }
    }
    // The fixture has both kinds, so the test could fail either way.
    expect(hidden).toBeGreaterThan(0);
    expect(shown).toBeGreaterThan(0);
  });

  it('hides a top share whose people with the outcome, or without it, number 1 to 7', () => {
    const card = validatedCard();
    const metrics = card.validation!.metrics;
    const text = renderModelCard(card);
    for (const top of metrics.at_top) {
      const row = text.split('\n').find((line) => line.startsWith(`| ${(100 * top.share).toFixed(1)}% |`))!;
      const revealing = [top.true_positives, top.n_flagged - top.true_positives, metrics.events - top.true_positives].some((count) => count >= 1 && count < 8);
      expect(row.includes('| * |')).toBe(revealing);
    }
  });

  it('writes a figure that rounds to 0 as 0.000, never -0.000, whatever the sign of its last digits', () => {
    const card = validatedCard();
    const metrics = card.validation!.metrics;
    metrics.calibration.intercept = -1e-17;
    const text = renderModelCard(card);
    expect(text).toMatch(/\| calibration in the large \(0 is ideal; Wald interval\) \| 0\.000 \(/);
    expect(text).not.toMatch(/-0\.0+\b(?!\d)/);
  });
});
