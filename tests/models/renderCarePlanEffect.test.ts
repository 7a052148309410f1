// "Did proactive care work?" in words (docs/model-card.md): withheld figures are '*', shown ones rounded, and the
// one-sentence finding follows the 12-month interval.
import { describe, expect, it } from 'vitest';
import { type CarePlanEffect, type CarePlanHorizon, carePlanMatchedOn, carePlanMethod, carePlanWarning } from '../../models/proactiveCare.ts';
import { renderCarePlanEffect } from '../../models/renderCarePlanEffect.ts';

const hidden = { observed: null, expected: null, observed_share: null, expected_share: null, ratio: null, ratio_lower: null, ratio_upper: null, suppressed: true };

function effect(twelve: Partial<CarePlanHorizon>): CarePlanEffect {
  return {
    as_of: '2026-11-22',
    method: carePlanMethod,
    matched_on: [...carePlanMatchedOn],
    warning: carePlanWarning,
    horizons: [
      { months: 3, days: 91, care_plans: 20, matched: 12, unmatched: 8, ...hidden },
      { months: 6, days: 182, care_plans: null, matched: 12, unmatched: null, ...hidden },
      {
        months: 12, days: 365, care_plans: 1938, matched: 1907, unmatched: 31, observed: 890, expected: 1035.1, observed_share: 890 / 1907,
        expected_share: 1035.1 / 1907, ratio: 0.86, ratio_lower: 0.823, ratio_upper: 0.898, suppressed: false, ...twelve,
      },
    ],
  };
}

describe('renderCarePlanEffect', () => {
  it('shows each horizon, with * for every withheld figure', () => {
    const lines = renderCarePlanEffect(effect({}), 8).split('\n');
    expect(lines).toContain('| 3 months | 20 | 12 | 8 | * (*) | * (*) | * |');
    expect(lines).toContain('| 6 months | * | 12 | * | * (*) | * (*) | * |');
    expect(lines).toContain('| 12 months | 1,938 | 1,907 | 31 | 890 (46.7%) | 1035.1 (54.3%) | 0.86 (0.82 to 0.90) |');
    expect(lines.join('\n')).toContain('a count from 1 to 7');
    expect(lines.join('\n')).toContain(carePlanWarning);
  });

  it('says what the 12 months show: fewer, more, or no difference beyond chance', () => {
    expect(renderCarePlanEffect(effect({}), 8)).toContain('46.7% of the people with one had an emergency admission, against 54.3% expected from their matches: fewer than their matches, beyond what chance explains.');
    expect(renderCarePlanEffect(effect({ ratio_lower: 1.02, ratio_upper: 1.2 }), 8)).toContain('more than their matches, beyond what chance explains');
    expect(renderCarePlanEffect(effect({ ratio_lower: 0.8, ratio_upper: 1.05 }), 8)).toContain('no difference from their matches that chance cannot explain');
    expect(renderCarePlanEffect(effect({ ...hidden }), 8)).toContain('Too few care plans matched');
  });
});
