// Test helper: a model card as the registry would hold it, for a model with the given coefficients (every other
// term of the target's main-effects variant at 0), with no validation.
import { cardFormat, type ModelCard } from '../../models/modelCard.ts';
import { modelSpecs } from '../../models/modelSpecs.ts';

export function testModelCard(target: ModelCard['target'], coefficients: Readonly<Record<string, number>>, intercept: number, asOf = '2026-11-21'): ModelCard {
  const spec = modelSpecs.find((s) => s.target === target)!;
  const ids = spec.variants.flatMap((v) => v.terms.map((t) => t.id));
  for (const id of Object.keys(coefficients)) if (!ids.includes(id)) throw new Error(`testModelCard: no ${target} term ${id}`);
  const variant = Object.keys(coefficients).some((id) => !spec.variants[0]!.terms.some((t) => t.id === id)) ? spec.variants[1]! : spec.variants[0]!;
  return {
    card_format: cardFormat,
    model_version: `${target}-test`, target, score_column: spec.scoreColumn, description: '', method: '',
    fitted_for_as_of: asOf, variant: variant.name,
    sign_constraint: { rule: '', constrained_terms: [], chosen: 'non-negative', validation: null },
    training: {
      target, variant: variant.name, sign_constrained: true, training_index_date: '2025-11-21',
      outcome_window: { from_exclusive: '2025-11-21', to_inclusive: '2026-11-21' }, training_rows: 1, training_events: 1,
      rows_used_in_fit: 1, event_rate: 0.1, iterations: 1, converged: true, terms_held_at_zero: [],
      recalibration: { intercept_shift: 0, mean_predicted_before: 0.1, mean_predicted_after: 0.1, observed_rate: 0.1 },
    },
    validation: null, validation_note: '', reference_distributions: {},
    intercept,
    terms: variant.terms.map((t) => ({ id: t.id, coefficient: coefficients[t.id] ?? 0 })),
  };
}
