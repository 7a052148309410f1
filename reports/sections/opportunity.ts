// Section 10: opportunity. Expected emergency admissions in the next 12 months by tier and the bed days they would
// use, then what preventing a share of tiers 1-2's admissions would free, in bed days and in money at a configurable
// cost per bed day. The sum of the people's risks is the expected number of people admitted, not of admissions: each
// tier's people admitted in the last 12 months had several spells each in the high tiers, so expected admissions are
// that sum times the tier's spells per person admitted, and bed days those times its average length of stay.
// Modelled estimates, rounded so they do not look more exact than they are.
import { emergencyActivityCell, readEmergencyActivityByTier, suppressEmergencyActivity } from '../emergencyActivityByTier.ts';
import { formatCount, formatNumber, formatProportion, suppressedMark } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import type { Figure } from '../suppressSmallNumbers.ts';


export interface OpportunityRow {
  readonly tier: string;
  /** Sum of ea_risk: the expected number of people with an emergency admission in the next 12 months. */
  readonly expectedPeople: number;
  /** Emergency spells in the last 12 months, the people they were for, and their total length in days. */
  readonly spells: number;
  readonly admittedPeople: number;
  readonly spellDays: number;
}

/** A tier (or group of tiers) as the opportunity table shows it, before rounding. */
export interface OpportunityEstimate {
  readonly expectedPeople: number;
  /** Emergency spells per person admitted in the last 12 months; null with no spells. */
  readonly admissionsPerPerson: number | null;
  /** expectedPeople × admissionsPerPerson; null with no spells. */
  readonly expectedAdmissions: number | null;
  /** Mean length of stay in days; null with no spells. */
  readonly meanLengthOfStay: number | null;
  /** expectedAdmissions × meanLengthOfStay; null with no spells. */
  readonly expectedBedDays: number | null;
}

/** The estimate for rows pooled together: their risks summed, their spells and people pooled for the ratios. */
export function estimateOpportunity(rows: readonly OpportunityRow[]): OpportunityEstimate {
  const expectedPeople = rows.reduce((sum, row) => sum + row.expectedPeople, 0);
  const spells = rows.reduce((sum, row) => sum + row.spells, 0);
  const admittedPeople = rows.reduce((sum, row) => sum + row.admittedPeople, 0);
  const spellDays = rows.reduce((sum, row) => sum + row.spellDays, 0);
  if (spells === 0 || admittedPeople === 0) {
    return { expectedPeople, admissionsPerPerson: null, expectedAdmissions: null, meanLengthOfStay: null, expectedBedDays: null };
  }
  const admissionsPerPerson = spells / admittedPeople;
  const meanLengthOfStay = spellDays / spells;
  const expectedAdmissions = expectedPeople * admissionsPerPerson;
  return { expectedPeople, admissionsPerPerson, expectedAdmissions, meanLengthOfStay, expectedBedDays: expectedAdmissions * meanLengthOfStay };
}

/** What preventing `share` of the expected admissions would free; null figures when there is no estimate. */
export function preventable(estimate: OpportunityEstimate, share: number, costPerBedDay: number) {
  const admissions = estimate.expectedAdmissions === null ? null : estimate.expectedAdmissions * share;
  const bedDays = estimate.expectedBedDays === null ? null : estimate.expectedBedDays * share;
  return { admissions, bedDays, cost: bedDays === null ? null : bedDays * costPerBedDay };
}

/** Modelled figures are rounded: admissions to 1 decimal place, bed days to the nearest 10, money to the nearest £1,000. */
export const roundBedDays = (value: number): number => Math.round(value / 10) * 10;
export const roundMoney = (value: number): number => Math.round(value / 1000) * 1000;
const formatAdmissions = (value: number): string => formatNumber(value, 1);
const formatPounds = (value: number): string => `£${formatNumber(roundMoney(value))}`;

export async function opportunitySection(context: ReportContext): Promise<ReportSection> {
  const { db, input, population } = context;
  // Risks from every scored person; lengths of stay from scored people's emergency spells admitted in the 365 days to
  // as_of (the risk pyramid's window), a spell still open counted to as_of.
  const rows = await readEmergencyActivityByTier(db, input.asOf);
  const tiers = population.categories('tier').map((category) => category.key1 as string);
  const rowFor = (tier: string): OpportunityRow => {
    const row = rows.find((r) => r.tier === tier);
    return {
      tier, expectedPeople: row?.expected_people ?? 0, spells: row?.admissions ?? 0, admittedPeople: row?.people_admitted ?? 0,
      spellDays: row?.spell_days ?? 0,
    };
  };
  const top: string[] = tiers.filter((tier) => tier === '1' || tier === '2');

  // The spell counts behind each mean length of stay are the risk pyramid's admissions, suppressed as it suppresses them
  // (one function), so a mean built on 1 to 7 spells is hidden; so are the counts of people admitted behind each
  // tier's spells per person, which is never shown for 1 to 7 people (with the spells shown, it would tell their number).
  const spellCell = (scope: string): string => emergencyActivityCell('admissions', scope);
  const admittedCell = (scope: string): string => emergencyActivityCell('people_admitted', scope);
  const spells = suppressEmergencyActivity(rows, tiers, input.suppressionThreshold);

  const tierPeople = (tier: string): Figure => population.count('people', 'tier', { key1: tier, key2: null });
  // A scope is hidden when its people, its spells or its people admitted are: its risks would describe 1 to 7 people,
  // its mean stay 1 to 7 spells, or its spells per person 1 to 7 people.
  const hidden = (people: Figure, scope: string): boolean =>
    people.kind === 'suppressed' || spells.isSuppressed(spellCell(scope)) || spells.isSuppressed(admittedCell(scope));
  // A ratio or estimate: hidden, '–' when there were no spells to take it from, or the number.
  const estimateCell = (isHidden: boolean, value: number | null, format: (value: number) => string): string =>
    isHidden ? suppressedMark : value === null ? '–' : format(value);
  const tierLabel = (tier: string): string => input.tiers.find((t) => String(t.tier) === tier)?.label ?? `Tier ${tier}`;

  const tableRow = (label: string, people: Figure, scope: string, estimate: OpportunityEstimate, total = false) => {
    const isHidden = hidden(people, scope);
    return {
      cells: [
        label,
        formatCount(people),
        people.kind === 'suppressed' ? suppressedMark : formatAdmissions(estimate.expectedPeople),
        formatCount(spells.count(spellCell(scope))),
        estimateCell(isHidden, estimate.admissionsPerPerson, (v) => formatNumber(v, 2)),
        estimateCell(isHidden, estimate.meanLengthOfStay, (v) => formatNumber(v, 1)),
        estimateCell(isHidden, estimate.expectedAdmissions, formatAdmissions),
        estimateCell(isHidden, estimate.expectedBedDays, (v) => formatNumber(roundBedDays(v))),
      ],
      total,
    };
  };
  const tier12 = estimateOpportunity(top.map(rowFor));
  const tier12People = population.count('tier12', 'all');
  const tier12Hidden = hidden(tier12People, '1-2');
  // All tiers: tiers 1-2 pooled plus each other tier, so a hidden tier 1 or 2 cannot be worked out from the total.
  const restTiers = tiers.filter((tier) => !top.includes(tier));
  const allHidden = tier12Hidden || restTiers.some((tier) => hidden(tierPeople(tier), tier));
  const allEstimate = estimateOpportunity(tiers.map(rowFor));
  // The total is the sum of its parts' estimates (each tier's own ratios), not the pooled ratios; null (no figure)
  // when a part with people expected to be admitted has no spells to take its ratios from.
  const parts = [tier12, ...restTiers.map((tier) => estimateOpportunity([rowFor(tier)]))];
  const sumOfParts = (of: (estimate: OpportunityEstimate) => number | null): number | null => {
    let total: number | null = 0;
    for (const estimate of parts) {
      const value = of(estimate);
      if (value !== null) total = total === null ? null : total + value;
      else if (estimate.expectedPeople > 0) total = null;
    }
    return total;
  };
  const allRow = tableRow('All tiers', population.count('people', 'all'), 'all', allEstimate, true);
  const allCells = [...allRow.cells];
  allCells[4] = '';
  allCells[5] = '';
  allCells[6] = estimateCell(allHidden, sumOfParts((e) => e.expectedAdmissions), formatAdmissions);
  allCells[7] = estimateCell(allHidden, sumOfParts((e) => e.expectedBedDays), (v) => formatNumber(roundBedDays(v)));

  const table = renderTable({
    caption: 'Expected emergency admissions and bed days in the next 12 months, by risk tier (modelled estimates)',
    columns: [
      { header: 'Tier' },
      { header: 'People', numeric: true },
      { header: 'People expected to be admitted, next 12 months', numeric: true },
      { header: 'Emergency spells, last 12 months', numeric: true },
      { header: 'Spells per person admitted', numeric: true },
      { header: 'Average length of stay (days)', numeric: true },
      { header: 'Expected emergency admissions, next 12 months', numeric: true },
      { header: 'Expected emergency bed days, next 12 months', numeric: true },
    ],
    rows: [
      ...tiers.map((tier) => tableRow(tierLabel(tier), tierPeople(tier), tier, estimateOpportunity([rowFor(tier)]))),
      tableRow('Tiers 1–2', tier12People, '1-2', tier12, true),
      { cells: allCells, total: true },
    ],
    note:
      'People expected to be admitted are the sum of the people’s risk scores (the expected number of people with at least one ' +
      `emergency admission), to 1 decimal place. Spells per person admitted and the average length of stay are over the ` +
      `emergency spells of the people in the tier admitted in the 365 days to ${input.asOf} (a stay not yet ended counts to ` +
      `${input.asOf}); tiers 1–2 use their combined figures. Expected admissions are the people expected to be admitted times ` +
      'the spells per person admitted, to 1 decimal place; expected bed days are those admissions times the average length of ' +
      'stay, to the nearest 10. The totals add up the rows above them.',
  });

  const share = input.preventableShare;
  const freed = preventable(tier12, share, input.costPerBedDay);
  const shareText = formatProportion(share);
  const costText = `£${formatNumber(input.costPerBedDay)}`;
  const prevention = tier12Hidden || freed.bedDays === null || freed.admissions === null
    ? paragraph(
        `What preventing ${shareText} of tiers 1–2’s expected emergency admissions would free cannot be shown: ` +
          (tier12Hidden ? 'the numbers behind it are too small to publish.' : 'there were no emergency spells in tiers 1–2 to estimate a length of stay from.'),
      )
    : renderTable({
        caption: `If ${shareText} of tiers 1–2’s expected emergency admissions were prevented (modelled estimates)`,
        columns: [{ header: 'Measure' }, { header: 'Estimate', numeric: true }],
        rows: [
          { cells: ['Emergency admissions prevented', formatAdmissions(freed.admissions)] },
          { cells: ['Emergency bed days freed', formatNumber(roundBedDays(freed.bedDays))] },
          { cells: [`Value of the bed days freed, at ${costText} per bed day`, formatPounds(freed.cost ?? 0)] },
        ],
        note:
          `The share prevented (${shareText}) and the cost per bed day (${costText}) are assumptions, set in the report's ` +
          'configuration (preventableShare and costPerBedDay); set them to local figures. Money is to the nearest £1,000.',
      });

  const intro = paragraph(
    'These are modelled estimates, not forecasts of what will happen: they assume the risk scores are well calibrated ' +
      'and that each tier’s people admitted in the next 12 months have as many stays each, and as long, on average, as in ' +
      'the last 12 months. They show the ' +
      'scale of the emergency bed use that proactive care in tiers 1–2 could reduce: the funding question a ' +
      'commissioner asks.',
  );
  const finding =
    tier12Hidden || freed.bedDays === null || freed.admissions === null
      ? undefined
      : `If ${shareText} of tiers 1–2’s expected emergency admissions were prevented, that would be about ${formatAdmissions(freed.admissions)} ` +
        `admissions and ${formatNumber(roundBedDays(freed.bedDays))} bed days in a year (modelled, at the assumptions below).`;
  return { id: 'opportunity', title: 'Opportunity', html: [intro, table, prevention].join('\n'), ...(finding ? { finding } : {}) };
}
