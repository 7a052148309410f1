// The two Strata models: what each predicts, from which outcome column, with which terms.
import { emergencyAdmissionInteractions, emergencyAdmissionTerms, newLtcInteractions, newLtcTerms, parrLiteTerms, type Term } from './terms.ts';

/** A candidate set of terms; validation picks the variant a model is fitted with. */
export interface ModelVariant {
  name: 'main effects' | 'with interactions';
  terms: readonly Term[];
}

export interface ModelSpec {
  target: 'ea' | 'ltc';
  /** Score column in the outputs. */
  scoreColumn: 'ea_risk' | 'ltc_risk';
  /** Boolean outcome column from sql/intermediate/features/outcomes.sql. */
  outcome: 'emergency_admission_next_12m' | 'new_ltc_next_12m';
  description: string;
  /** The first is the simpler model; a later one is kept only when it clearly validates better. */
  variants: readonly ModelVariant[];
}

export const modelSpecs: readonly ModelSpec[] = [
  {
    target: 'ea',
    scoreColumn: 'ea_risk',
    outcome: 'emergency_admission_next_12m',
    description: 'Probability of at least one emergency admission in the next 12 months',
    variants: [
      { name: 'main effects', terms: emergencyAdmissionTerms },
      { name: 'with interactions', terms: [...emergencyAdmissionTerms, ...emergencyAdmissionInteractions] },
    ],
  },
  {
    target: 'ltc',
    scoreColumn: 'ltc_risk',
    outcome: 'new_ltc_next_12m',
    description: 'Probability of at least one new GP long-term-condition register entry in the next 12 months',
    variants: [
      { name: 'main effects', terms: newLtcTerms },
      { name: 'with interactions', terms: [...newLtcTerms, ...newLtcInteractions] },
    ],
  },
];

/** Every term a model of `target` may name (all its variants'), by id: the only source of a term's SQL. */
export function termsOf(target: ModelSpec['target']): ReadonlyMap<string, Term> {
  const spec = modelSpecs.find((s) => s.target === target);
  if (!spec) throw new Error(`no model spec for target ${target}`);
  return new Map(spec.variants.flatMap((variant) => variant.terms).map((term) => [term.id, term]));
}

/**
 * The baseline the emergency-admission model must beat on its validation year (models/terms.ts, parrLiteTerms). It is
 * fitted as a main-effects model of its own terms and never scored: it reaches the ea card's validation, nothing else.
 */
export const parrLiteBaseline: { name: string; target: ModelSpec['target']; variant: ModelVariant } = {
  name: 'PARR-lite: age, sex and prior emergency admissions',
  target: 'ea',
  variant: { name: 'main effects', terms: parrLiteTerms },
};
