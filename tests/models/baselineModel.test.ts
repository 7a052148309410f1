// A baseline to beat (issue 16): the emergency-admission card reports, on its validation year, a PARR-lite model
// (age, sex and prior emergency admissions only) fitted on the same rows, and the lift over it. End to end from the
// CLI on a generated population; the baseline's figures are worked out again from its recorded coefficients by the
// plain TypeScript terms of tests/helpers/independentTerms.ts, on the validation year rebuilt from the run's database.
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../core/db/Database.ts';
import { buildFeatures } from '../../models/buildFeatures.ts';
import { defaultMaxTrainingRows } from '../../models/fitModels.ts';
import { type ModelCard, parseModelCard } from '../../models/modelCard.ts';
import { parrLiteBaseline } from '../../models/modelSpecs.ts';
import { emergencyAdmissionTerms, parrLiteTerms } from '../../models/terms.ts';
import { type FeatureRow, independentRisk } from '../helpers/independentTerms.ts';
import { runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { validatedCard } from '../reports/modelCardFixture.ts';

const fineAgeBandIds = [
  'age_0', 'age_1', 'age_2', 'age_3_4', 'age_5_9', 'age_10_14', 'age_15_17', 'age_18_24', 'age_25_34', 'age_45_54',
  'age_55_64', 'age_65_69', 'age_70_74', 'age_75_79', 'age_80_84', 'age_85_89', 'age_90_plus',
];
const parrLiteIds = [
  ...fineAgeBandIds, 'female', 'log_emergency_admissions_12m', 'log_emergency_admissions_12_24m', 'log_emergency_admissions_24_36m',
];

describe('the PARR-lite terms', () => {
  it('are age, sex and prior emergency admissions only, with the emergency-admission model’s own SQL', () => {
    expect(parrLiteTerms.map((t) => t.id)).toEqual(parrLiteIds);
    expect(new Set(parrLiteTerms.map((t) => t.factor))).toEqual(new Set(['age', 'sex', 'emergency_admissions', 'earlier_admissions']));
    for (const term of parrLiteTerms) {
      expect(emergencyAdmissionTerms.find((t) => t.id === term.id)).toEqual(term);
      // No registers, deprivation, bed days, A&E, outpatients, medicines or frailty.
      expect(term.sql).not.toMatch(/ltc_|imd_|bed_days|ae_attendances|outpatient|medicines|frailty|charlson|_90d/);
    }
    expect(parrLiteBaseline.target).toBe('ea');
    expect(parrLiteBaseline.variant.terms).toBe(parrLiteTerms);
  });
});

describe('model cards and the baseline', () => {
  it('reads a card written before baselines were, and refuses a baseline naming an unknown term', () => {
    const older = JSON.parse(JSON.stringify(validatedCard())) as ModelCard;
    expect(older.validation!.baseline).toBeUndefined();
    expect(parseModelCard(older, 'a test').validation!.baseline).toBeUndefined();

    const withBaseline = JSON.parse(JSON.stringify(validatedCard())) as ModelCard;
    const terms = ['female', 'no_such_term'];
    withBaseline.validation!.baseline = {
      name: 'PARR-lite', terms, sign_constrained: true,
      coefficients: { intercept: -3, terms: terms.map((id) => ({ id, coefficient: 0.1 })) },
      auroc: 0.6, auprc: 0.2, brier: 0.05, listed_share: 0.05, events: 10, captured_by_model: 5, captured_by_baseline: 4,
      lift: { auroc: 0.1, auprc: 0.1, captured: 1 },
    };
    expect(() => parseModelCard(withBaseline, 'a test')).toThrow(/baseline naming a term .* \(no_such_term\)/);
    withBaseline.validation!.baseline.captured_by_model = 11;
    expect(() => parseModelCard(withBaseline, 'a test')).toThrow(/more people captured than had the outcome/);
  });
});

describe('a run on a generated population', () => {
  let ea: ModelCard;
  let ltc: ModelCard;
  let out = '';

  beforeAll(() => {
    const folder = temporaryFolder('strata-baseline-');
    const inbox = join(folder, 'inbox');
    out = join(folder, 'out');
    const generated = runCli(['generate', '--out', inbox, '--persons', '6000', '--seed', '21']);
    expect(generated.status, generated.stderr).toBe(0);
    const run = runCli(['run', '--inbox', inbox, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/baseline PARR-lite AUROC 0\.\d{4} vs model 0\.\d{4}/);
    const asOf = readdirSync(out).find((name) => /^\d{4}-\d{2}-\d{2}$/.test(name))!;
    const card = (target: string) => parseModelCard(JSON.parse(readFileSync(join(out, asOf, 'models', `${target}_model_card.json`), 'utf8')), target);
    ea = card('ea');
    ltc = card('ltc');
  }, 300_000);

  it('records the baseline on the emergency-admission card only, with exactly the PARR-lite terms', () => {
    const baseline = ea.validation!.baseline!;
    expect(baseline.name).toBe('PARR-lite: age, sex and prior emergency admissions');
    expect(baseline.terms).toEqual(parrLiteIds);
    expect(baseline.coefficients.terms.map((t) => t.id)).toEqual(parrLiteIds);
    expect(ltc.validation).not.toBeNull();
    expect(ltc.validation!.baseline).toBeNull();
  });

  it('reports the lift as model minus baseline, on the same people, and the full model beats PARR-lite', () => {
    const baseline = ea.validation!.baseline!;
    const model = ea.validation!.metrics;
    const atList = model.at_top.find((top) => top.share === model.list_share)!;
    expect(baseline.events).toBe(model.events);
    expect(baseline.listed_share).toBe(model.list_share);
    expect(baseline.captured_by_model).toBe(atList.true_positives);
    expect(baseline.captured_by_baseline).toBeLessThanOrEqual(baseline.events);
    expect(baseline.lift.auroc).toBe(model.auroc! - baseline.auroc!);
    expect(baseline.lift.auprc).toBe(model.auprc! - baseline.auprc!);
    expect(baseline.lift.captured).toBe(baseline.captured_by_model - baseline.captured_by_baseline);
    console.log(
      `model AUROC ${model.auroc} AUPRC ${model.auprc} captured ${baseline.captured_by_model}; ` +
        `PARR-lite AUROC ${baseline.auroc} AUPRC ${baseline.auprc} captured ${baseline.captured_by_baseline} of ${baseline.events}`,
    );
    // The generator's admissions depend on conditions, which PARR-lite cannot see.
    expect(model.auroc!).toBeGreaterThan(baseline.auroc!);
    expect(model.auprc!).toBeGreaterThan(baseline.auprc!);
  });

  /** The validation year (the latest complete year) rebuilt, in a copy of the run's database, as training built it. */
  let validationYear: FeatureRow[] | null = null;
  async function validationYearRows(): Promise<FeatureRow[]> {
    if (validationYear) return validationYear;
    const copy = join(temporaryFolder('strata-baseline-db-'), 'strata.duckdb');
    copyFileSync(join(out, 'strata.duckdb'), copy);
    const db = await Database.open({ path: copy });
    try {
      await buildFeatures(db, 'training_population', ea.validation!.evaluation_index_date, 'validation_year', {
        withOutcomes: true, maxPeople: defaultMaxTrainingRows,
      });
      validationYear = await db.rowsJson<FeatureRow>('SELECT * FROM validation_year ORDER BY person_id');
    } finally {
      db.close();
    }
    return validationYear;
  }

  it("has the baseline's AUROC, AUPRC and capture that its recorded coefficients give on the validation year", async () => {
    const baseline = ea.validation!.baseline!;
    const rows = await validationYearRows();
    const risk = rows.map((row) => independentRisk('ea', baseline.coefficients, row));
    const outcome = rows.map((row) => (row['emergency_admission_next_12m'] === true ? 1 : 0));
    const figures = rankFigures(risk, outcome, baseline.listed_share);
    expect(figures.events).toBe(baseline.events);
    expect(baseline.auroc!).toBeCloseTo(figures.auroc, 10);
    expect(baseline.auprc!).toBeCloseTo(figures.auprc, 10);
    expect(figures.captured).toBe(baseline.captured_by_baseline);
  }, 120_000);

  it("gives each group's error rates at the list cut-off as the production coefficients give them on the latest year, worked out independently", async () => {
    // The production check evaluates the production model on the same rows as the validation year's evaluation.
    const check = ea.production_check!;
    expect(check.index_date).toBe(ea.validation!.evaluation_index_date);
    const rows = await validationYearRows();
    const risk = rows.map((row) => independentRisk('ea', ea, row));
    const outcome = rows.map((row) => (row['emergency_admission_next_12m'] === true ? 1 : 0));
    const order = risk.map((_, i) => i).sort((a, b) => risk[b]! - risk[a]! || a - b);
    const listed = new Set(order.slice(0, Math.ceil(rows.length * check.metrics.list_share)));
    const labels: Record<string, (row: FeatureRow) => string | null> = {
      sex: (row) => row['sex'] as string, age_band: (row) => row['age_band'] as string,
      imd_quintile: (row) => (row['imd_quintile'] === null ? null : String(row['imd_quintile'])), ethnic_group: (row) => row['ethnic_group'] as string,
    };
    let groupsChecked = 0;
    for (const [dimension, label] of Object.entries(labels)) {
      for (const group of check.metrics.by_subgroup[dimension]!) {
        if (group.suppressed) continue;
        const members = rows.flatMap((row, i) => (label(row) === group.group ? [i] : []));
        const count = (wantListed: boolean, wantOutcome: number) => members.filter((i) => listed.has(i) === wantListed && outcome[i] === wantOutcome).length;
        const [tp, fp, fn, tn] = [count(true, 1), count(true, 0), count(false, 1), count(false, 0)];
        expect(group.at_cutoff, `${dimension} ${group.group}`).toMatchObject({ true_positives: tp, false_positives: fp, false_negatives: fn, true_negatives: tn });
        expect(group.at_cutoff!.false_negative_rate!.value).toBe(fn / (tp + fn));
        expect(group.at_cutoff!.false_positive_rate!.value).toBe(fp / (fp + tn));
        groupsChecked++;
      }
    }
    expect(groupsChecked).toBeGreaterThanOrEqual(10);
  }, 120_000);
});

/**
 * AUROC by comparing every positive with every negative (ties count a half), average precision over runs of equal
 * risk, and the people with the outcome among the top ceil(n × share) by risk, ties in row (person_id) order.
 */
function rankFigures(risk: number[], outcome: number[], share: number): { events: number; auroc: number; auprc: number; captured: number } {
  const positives = risk.filter((_, i) => outcome[i] === 1);
  const negatives = risk.filter((_, i) => outcome[i] === 0).sort((a, b) => a - b);
  let concordant = 0;
  for (const p of positives) {
    let below = 0;
    let tied = 0;
    for (const q of negatives) {
      if (q < p) below++;
      else if (q === p) tied++;
      else break;
    }
    concordant += below + tied / 2;
  }
  const order = risk.map((_, i) => i).sort((a, b) => risk[b]! - risk[a]! || a - b);
  let truePositives = 0;
  let seen = 0;
  let precisionSum = 0;
  for (let j = 0; j < order.length; ) {
    let k = j;
    let runPositives = 0;
    while (k < order.length && risk[order[k]!] === risk[order[j]!]) runPositives += outcome[order[k++]!]!;
    truePositives += runPositives;
    seen += k - j;
    precisionSum += (runPositives * truePositives) / seen;
    j = k;
  }
  const flagged = Math.ceil(order.length * share);
  const captured = order.slice(0, flagged).reduce((sum, i) => sum + outcome[i]!, 0);
  return { events: positives.length, auroc: concordant / (positives.length * negatives.length), auprc: precisionSum / positives.length, captured };
}
