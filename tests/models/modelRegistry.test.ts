// Training on the sample inbox: honest validation, recalibration in the large, the registry's reuse
// rules, and SQL scoring that equals the same model scored in TypeScript.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseModels } from '../../models/chooseModels.ts';
import { riskSql } from '../../models/linearPredictor.ts';
import { newestModelCard } from '../../models/modelRegistry.ts';
import type { Database } from '../../pipeline/db/Database.ts';
import { buildFeatures } from '../../pipeline/features/buildFeatures.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { repoRoot } from '../helpers/runCli.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';

const asOf = '2026-11-22';
let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
  await loadInbox(db, join(repoRoot, 'data-samples', 'inbox'), { runId: 't', now: new Date(0) });
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

  it('scores in SQL exactly as the same model scored in TypeScript', async () => {
    const card = (await newestModelCard(db, 'ea', asOf))!;
    await buildFeatures(db, 'scoring_population', asOf, 'scoring_features');
    const params = {};
    const termColumns = card.terms.map((t, j) => `CAST(${t.sql} AS DOUBLE) AS t${j}`).join(', ');
    const reader = await db.connection.runAndReadAll(
      `SELECT ${riskSql(card, 'm', params)} AS risk, ${termColumns} FROM scoring_features ORDER BY person_id`,
      params,
    );
    const [risk, ...terms] = reader.getColumnsJS() as unknown as number[][];
    expect(risk!.length).toBeGreaterThan(1000);
    for (let i = 0; i < risk!.length; i++) {
      let lp = card.intercept;
      card.terms.forEach((t, j) => { lp += t.coefficient * terms[j]![i]!; });
      expect(risk![i]).toBeCloseTo(1 / (1 + Math.exp(-lp)), 12);
    }
  });
});
