// Judges scores against a synthetic population's truth file (strata generate --truth): the model's
// AUROC as a share of the oracle's on the realised outcomes, and observed/expected overall and by age band.
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import type { Database } from '../core/db/Database.ts';
import { evaluatePredictions } from './evaluatePredictions.ts';

export interface TruthComparison {
  target: 'ea' | 'ltc';
  people: number;
  events: number;
  model_auroc: number | null;
  oracle_auroc: number | null;
  auroc_share_of_oracle: number | null;
  observed_expected: number;
  observed_expected_by_age_band: Record<string, { people: number; events: number; observed_expected: number }>;
}

export async function compareWithTruth(db: Database, scoresPath: string, truthPath: string): Promise<TruthComparison[]> {
  const scores = tableFromIPC(readFileSync(scoresPath));
  const truthRows = await db.rows<{
    person_id: string; p_emergency_admission: number; p_new_ltc: number; emergency_admissions_next_12m: bigint | number; new_ltc_next_12m: bigint | number;
  }>(
    `SELECT person_id, CAST(p_emergency_admission AS DOUBLE) AS p_emergency_admission, CAST(p_new_ltc AS DOUBLE) AS p_new_ltc,
            emergency_admissions_next_12m, new_ltc_next_12m
     FROM read_csv($path, header = true, auto_detect = true)`,
    { path: truthPath },
  );
  const truth = new Map(truthRows.map((r) => [r.person_id, r]));
  const ids = scores.getChild('person_id')!.toArray() as string[];
  const bands = scores.getChild('age_band')!.toArray() as string[];
  const results: TruthComparison[] = [];
  for (const target of ['ea', 'ltc'] as const) {
    const risks = scores.getChild(target === 'ea' ? 'ea_risk' : 'ltc_risk')!.toArray() as Float64Array;
    const model: number[] = [];
    const oracle: number[] = [];
    const outcome: number[] = [];
    const band: string[] = [];
    ids.forEach((id, i) => {
      const t = truth.get(id);
      if (!t) return;
      model.push(risks[i]!);
      oracle.push(target === 'ea' ? t.p_emergency_admission : t.p_new_ltc);
      outcome.push(Number(target === 'ea' ? t.emergency_admissions_next_12m : t.new_ltc_next_12m) > 0 ? 1 : 0);
      band.push(bands[i]!);
    });
    const y = Uint8Array.from(outcome);
    const modelEvaluation = evaluatePredictions(Float64Array.from(model), y);
    const oracleEvaluation = evaluatePredictions(Float64Array.from(oracle), y);
    const byBand: TruthComparison['observed_expected_by_age_band'] = {};
    for (const b of [...new Set(band)].sort()) {
      let events = 0;
      let expected = 0;
      let people = 0;
      band.forEach((x, i) => {
        if (x !== b) return;
        people++;
        events += y[i]!;
        expected += model[i]!;
      });
      byBand[b] = { people, events, observed_expected: events / expected };
    }
    results.push({
      target,
      people: y.length,
      events: modelEvaluation.events,
      model_auroc: modelEvaluation.auroc,
      oracle_auroc: oracleEvaluation.auroc,
      auroc_share_of_oracle:
        modelEvaluation.auroc !== null && oracleEvaluation.auroc !== null ? modelEvaluation.auroc / oracleEvaluation.auroc : null,
      observed_expected: modelEvaluation.events / (modelEvaluation.mean_predicted * modelEvaluation.n),
      observed_expected_by_age_band: byBand,
    });
  }
  return results;
}
