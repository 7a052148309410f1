// The two Strata models: what each predicts, from which outcome column, with which terms.
import { emergencyAdmissionTerms, newLtcTerms, type Term } from './terms.ts';

export interface ModelSpec {
  target: 'ea' | 'ltc';
  /** Score column in the outputs. */
  scoreColumn: 'ea_risk' | 'ltc_risk';
  /** Boolean outcome column from sql/features/outcomes.sql. */
  outcome: 'emergency_admission_next_12m' | 'new_ltc_next_12m';
  description: string;
  terms: readonly Term[];
}

export const modelSpecs: readonly ModelSpec[] = [
  {
    target: 'ea',
    scoreColumn: 'ea_risk',
    outcome: 'emergency_admission_next_12m',
    description: 'Probability of at least one emergency admission in the next 12 months',
    terms: emergencyAdmissionTerms,
  },
  {
    target: 'ltc',
    scoreColumn: 'ltc_risk',
    outcome: 'new_ltc_next_12m',
    description: 'Probability of at least one new GP long-term-condition register entry in the next 12 months',
    terms: newLtcTerms,
  },
];
