// Training on the sample inbox: honest validation, recalibration in the large, the registry's reuse
// rules, cards that hold term ids and coefficients only, and SQL scoring that equals an independent computation.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseModels } from '../../models/chooseModels.ts';
import { newestModelCard } from '../../models/modelRegistry.ts';
import { scorePopulation } from '../../models/scorePopulation.ts';
import type { Database } from '../../core/db/Database.ts';
import { buildFeatures } from '../../models/buildFeatures.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { type FeatureRow, independentRisk } from '../helpers/independentTerms.ts';
import { repoRoot } from '../helpers/runCli.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';

const asOf = '2026-11-22';
let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
  await loadInbox(db, join(repoRoot, 'data-samples', 'inbox'), { runId: 't', now: new Date() });
});
afterAll(() => db.close());

const options = { maxModelAgeDays: 30, retrain: false };

describe('model registry and training', () => {
  it('trains when nothing is registered, validating out of time and comparing variants', async () => {
    const choice = await chooseModels(db, asOf, options);
    expect(choice.trained).toBe(true);
    for (const card of choice.cards) {
      expect(card.validation).not.toBeNull();
      expect(card.validation!.fit_index_date).toBe('2024-11-22');
      expect(card.validation!.evaluation_index_date).toBe('2025-11-22');
      expect(card.training.training_index_date).toBe('2025-11-22');
      expect(card.validation!.variant_comparison.map((v) => v.variant)).toEqual(['main effects', 'with interactions']);
      expect(card.validation!.metrics.auroc).toBeGreaterThan(0.6);
      expect(card.validation!.metrics.at_top.map((t) => t.share)).toEqual([0.005, 0.05, 0.2]);
      expect(Object.keys(card.validation!.metrics.by_subgroup).sort()).toEqual(['age_band', 'ethnic_group', 'imd_quintile', 'sex']);
      // Recalibrated in the large: mean predicted risk on the training year equals its observed rate.
      expect(card.training.recalibration.mean_predicted_after).toBeCloseTo(card.training.recalibration.observed_rate, 10);
      expect(Object.keys(card.reference_distributions)).toContain('score');
      // Both forms of the kept variant were validated and recorded; the form in use keeps its rule.
      const forms = card.sign_constraint.validation!;
      expect(forms.unconstrained.auroc).toBeGreaterThan(0.6);
      expect(forms.non_negative.negative_terms).toEqual([]);
      const constrained = new Set(card.sign_constraint.constrained_terms);
      expect(constrained.size).toBeGreaterThan(5);
      for (const id of card.training.terms_held_at_zero) expect(constrained.has(id)).toBe(true);
      if (card.sign_constraint.chosen === 'non-negative') {
        for (const term of card.terms) if (constrained.has(term.id)) expect(term.coefficient).toBeGreaterThanOrEqual(0);
        expect(card.validation!.metrics.auroc).toBe(forms.non_negative.auroc);
      } else {
        expect(forms.unconstrained.auroc!).toBeGreaterThanOrEqual(forms.non_negative.auroc! + 0.002);
      }
    }
  });

  it('reuses the newest models, and retrains when asked or when they are too old', async () => {
    const first = await newestModelCard(db, 'ea', asOf);
    const reused = await chooseModels(db, asOf, options);
    expect(reused.trained).toBe(false);
    expect(reused.cards.find((c) => c.target === 'ea')!.model_version).toBe(first!.model_version);

    const forced = await chooseModels(db, asOf, { ...options, retrain: true });
    expect(forced.trained).toBe(true);
    // Deterministic: the same data gives the same model, so the same version.
    expect(forced.cards.find((c) => c.target === 'ea')!.model_version).toBe(first!.model_version);

    const old = await chooseModels(db, '2026-12-23', options);
    expect(old.reason).toMatch(/31 days old \(limit 30\)/);
    expect(old.trained).toBe(true);
    // A model fitted for a later date is never used for an earlier one.
    expect(await newestModelCard(db, 'ea', '2026-11-21')).toBeNull();
  });

  it('above maxTrainingRows, fits and validates on a hash sample of that many people, and says so', async () => {
    const sampled = await chooseModels(db, asOf, { ...options, retrain: true, maxTrainingRows: 1000 });
    for (const card of sampled.cards) {
      expect(card.training.training_rows).toBe(1000);
      expect(card.training.people_eligible).toBeGreaterThan(2000);
      expect(card.validation!.metrics.n).toBe(1000);
      expect(card.validation_note).toContain(`hash sample by person_id of 1000 of the ${card.training.people_eligible} people`);
    }
  });

  it('scores with the real scoring path exactly as an independent TypeScript computation of every term', async () => {
    const ea = (await newestModelCard(db, 'ea', asOf))!;
    const ltc = (await newestModelCard(db, 'ltc', asOf))!;
    await buildFeatures(db, 'scoring_population', asOf, 'scoring_features');
    const scored = await scorePopulation(db, 'scoring_features', ea, ltc, { asOf, tierCutoffs: [0.005, 0.05, 0.2] });
    const rows = await db.rows<FeatureRow & { ea_risk: number; ltc_risk: number; ea_tier: number; ea_rank: number }>(
      `SELECT f.*, s.ea_risk, s.ltc_risk, s.ea_tier, s.ea_rank FROM scoring_features f JOIN scores s USING (person_id) ORDER BY person_id`,
    );
    expect(rows.length).toBe(scored);
    expect(rows.length).toBeGreaterThan(1000);
    for (const row of rows) {
      expect(row.ea_risk).toBeCloseTo(independentRisk('ea', ea, row), 12);
      expect(row.ltc_risk).toBeCloseTo(independentRisk('ltc', ltc, row), 12);
    }
    // Tiers by rank of the risk worked out here: the top 0.5% tier 1, the next 4.5% tier 2, the next 15% tier 3.
    const byRisk = [...rows].sort((a, b) => independentRisk('ea', ea, b) - independentRisk('ea', ea, a) || (String(a.person_id) < String(b.person_id) ? -1 : 1));
    const n = rows.length;
    const tierAt = (rank: number) => (rank <= Math.ceil(n * 0.005) ? 1 : rank <= Math.ceil(n * 0.05) ? 2 : rank <= Math.ceil(n * 0.2) ? 3 : 4);
    byRisk.forEach((row, index) => expect(row.ea_tier).toBe(tierAt(index + 1)));
  });

  it('stores term ids and coefficients only, and refuses a card of another format or naming an unknown term, in one line', async () => {
    const stored = JSON.parse((await db.rows<{ card_json: string }>(`SELECT card_json FROM models WHERE target = 'ea' LIMIT 1`))[0]!.card_json);
    for (const term of stored.terms) expect(Object.keys(term).sort()).toEqual(['coefficient', 'id']);
    expect(JSON.stringify(stored)).not.toMatch(/\bsql\b|CAST\(|ln\(/);

    const scratch = await openTestDatabase();
    try {
      const insert = (card: unknown) =>
        scratch.run(`INSERT INTO models VALUES ('ea-x', 'ea', DATE '2026-11-01', $card)`, { card: JSON.stringify(card) });
      // A card as the previous version wrote it: SQL strings beside the coefficients, no card_format.
      const { card_format: _format, ...old } = stored;
      await insert({ ...old, terms: [{ id: 'age_0', factor: 'age', sql: 'CAST(1 AS DOUBLE); DROP TABLE persons', coefficient: 1 }] });
      await expect(newestModelCard(scratch, 'ea', asOf)).rejects.toThrow(/incompatible version of Strata \(card format 1, this version reads 2\): retrain/);
      await scratch.run('DELETE FROM models');
      await insert({ ...stored, terms: [...stored.terms, { id: 'shoe_size', coefficient: 3 }] });
      await expect(newestModelCard(scratch, 'ea', asOf)).rejects.toThrow(/names a term this version of Strata does not know \(shoe_size\): retrain/);
      await scratch.run('DELETE FROM models');
      await insert({ ...stored, intercept: 'NaN' });
      await expect(newestModelCard(scratch, 'ea', asOf)).rejects.toThrow(/not a valid model card \(intercept: .*\): retrain/);
      const message = await newestModelCard(scratch, 'ea', asOf).catch((error: Error) => error.message);
      expect(String(message).split('\n')).toHaveLength(1);
    } finally {
      scratch.close();
    }
  });
});
