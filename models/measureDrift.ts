// Drift: each model card keeps the distribution of its score and key features on its training rows (quantile bins,
// models/populationStabilityIndex.ts); every run compares today's distributions with them by the population
// stability index and warns when one has moved.
import type { Database } from '../core/db/Database.ts';
import { quoteIdentifier } from '../core/db/Database.ts';
import { readDoubleColumns } from '../core/db/readColumns.ts';
import { interpretPsi, psiAgainstReference } from './populationStabilityIndex.ts';
import type { ModelCard } from './modelCard.ts';

/** Columns whose distribution each run compares with the training rows, besides the score itself. */
export const driftFeatures = [
  'age', 'ltc_count', 'emergency_admissions_12m', 'ae_attendances_12m', 'frailty_score', 'distinct_medicines_6m',
] as const;

/** PSI above this is worth a warning (issue 4: warn when any PSI exceeds 0.2). */
export const driftWarningPsi = 0.2;

export interface DriftResult {
  model_version: string;
  psi: Record<string, { psi: number; interpretation: string }>;
  warnings: string[];
}

export async function measureDrift(db: Database, cards: ModelCard[]): Promise<DriftResult[]> {
  const results: DriftResult[] = [];
  for (const card of cards) {
    const names = ['score', ...driftFeatures];
    const select = [card.score_column, ...driftFeatures].map((c) => `CAST(${quoteIdentifier(c)} AS DOUBLE)`).join(', ');
    const columns = await readDoubleColumns(db.connection, `SELECT ${select} FROM scores ORDER BY person_id`);
    const psi: DriftResult['psi'] = {};
    const warnings: string[] = [];
    names.forEach((name, i) => {
      const reference = card.reference_distributions[name];
      if (!reference || columns[i]!.length === 0) return;
      const value = psiAgainstReference(reference, columns[i]!);
      psi[name] = { psi: Number(value.toFixed(6)), interpretation: interpretPsi(value) };
      if (value > driftWarningPsi) {
        warnings.push(`${card.target} model ${card.model_version}: ${name === 'score' ? card.score_column : name} has drifted from the training rows (PSI ${value.toFixed(3)} > ${driftWarningPsi})`);
      }
    });
    results.push({ model_version: card.model_version, psi, warnings });
  }
  return results;
}
