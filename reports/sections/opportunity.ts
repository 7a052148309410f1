// Section 10: opportunity. Expected emergency admissions in the next 12 months by tier (the sum of the people's
// risks) and the bed days they would use (expected admissions times the tier's average length of stay of emergency
// spells in the last 12 months), then what preventing a share of tiers 1-2's admissions would free, in bed days and
// in money at a configurable cost per bed day. Modelled estimates, rounded so they do not look more exact than they are.
import { listValue } from '@duckdb/node-api';
import { dateParam } from '../../pipeline/db/values.ts';
import { formatCount, formatNumber, formatProportion, suppressedMark } from '../formatFigures.ts';
import { emergencyAdmissionMethods } from '../referenceCodeLists.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import { type CountGroup, type Figure, suppressSmallNumbers } from '../suppressSmallNumbers.ts';

// Risks from every scored person; lengths of stay from scored people's emergency spells admitted in the 365 days to
// as_of (the risk pyramid's window), a spell still open counted to as_of.
const opportunitySql = `
WITH risks AS (
  SELECT ea_tier::VARCHAR AS tier, sum(ea_risk)::DOUBLE AS expected_admissions
  FROM scores
  GROUP BY 1
),
stays AS (
  SELECT s.ea_tier::VARCHAR AS tier, (least(coalesce(sp.discharge_date, $as_of), $as_of) - sp.admission_date)::DOUBLE AS los
  FROM inpatient_spells AS sp
  JOIN scores AS s ON s.person_id = sp.person_id
  WHERE list_contains($emergency_methods, sp.admission_method)
    AND sp.admission_date > $as_of - INTERVAL 365 DAY
    AND sp.admission_date <= $as_of
),
spells AS (
  SELECT tier, count(*)::INTEGER AS spells, sum(los)::DOUBLE AS spell_days FROM stays GROUP BY 1
),
final AS (
  SELECT coalesce(r.tier, sp.tier) AS tier, coalesce(r.expected_admissions, 0) AS expected_admissions,
    coalesce(sp.spells, 0) AS spells, coalesce(sp.spell_days, 0) AS spell_days
  FROM risks AS r
  FULL OUTER JOIN spells AS sp ON sp.tier = r.tier
)
SELECT * FROM final ORDER BY tier`;

export interface OpportunityRow {
  readonly tier: string;
  /** Sum of ea_risk: the expected number of people with an emergency admission in the next 12 months. */
  readonly expectedAdmissions: number;
  /** Emergency spells in the last 12 months, and their total length in days. */
  readonly spells: number;
  readonly spellDays: number;
}

/** A tier (or group of tiers) as the opportunity table shows it, before rounding. */
export interface OpportunityEstimate {
  readonly expectedAdmissions: number;
  /** Mean length of stay in days; null with no spells. */
  readonly meanLengthOfStay: number | null;
  /** expectedAdmissions × meanLengthOfStay; null with no spells. */
  readonly expectedBedDays: number | null;
}

/** The estimate for rows pooled together: their risks summed, their spells pooled for the mean length of stay. */
export function estimateOpportunity(rows: readonly OpportunityRow[]): OpportunityEstimate {
  const expectedAdmissions = rows.reduce((sum, row) => sum + row.expectedAdmissions, 0);
  const spells = rows.reduce((sum, row) => sum + row.spells, 0);
  const spellDays = rows.reduce((sum, row) => sum + row.spellDays, 0);
  const meanLengthOfStay = spells === 0 ? null : spellDays / spells;
  return { expectedAdmissions, meanLengthOfStay, expectedBedDays: meanLengthOfStay === null ? null : expectedAdmissions * meanLengthOfStay };
}

/** What preventing `share` of the expected admissions would free. */
export function preventable(estimate: OpportunityEstimate, share: number, costPerBedDay: number) {
  const admissions = estimate.expectedAdmissions * share;
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
  const rows = await db.rows<{ tier: string; expected_admissions: number; spells: number; spell_days: number }>(opportunitySql, {
    as_of: dateParam(input.asOf),
    emergency_methods: listValue([...emergencyAdmissionMethods()]),
  });
  const tiers = population.categories('tier').map((category) => category.key1 as string);
  const rowFor = (tier: string): OpportunityRow => {
    const row = rows.find((r) => r.tier === tier);
    return { tier, expectedAdmissions: row?.expected_admissions ?? 0, spells: row?.spells ?? 0, spellDays: row?.spell_days ?? 0 };
  };
  const top: string[] = tiers.filter((tier) => tier === '1' || tier === '2');

  // The spell counts behind each mean length of stay are suppressed like the risk pyramid's admissions (the same
  // spells), so a mean built on 1 to 7 spells is hidden.
  const spellCell = (scope: string): string => `spells|${scope}`;
  const counts = new Map<string, number>();
  for (const tier of tiers) counts.set(spellCell(tier), rowFor(tier).spells);
  counts.set(spellCell('all'), tiers.reduce((sum, tier) => sum + rowFor(tier).spells, 0));
  counts.set(spellCell('1-2'), top.reduce((sum, tier) => sum + rowFor(tier).spells, 0));
  const groups: CountGroup[] = [
    { parts: tiers.map(spellCell), total: spellCell('all') },
    { parts: top.map(spellCell), total: spellCell('1-2') },
  ];
  const spells = suppressSmallNumbers({ counts, groups, threshold: input.suppressionThreshold });

  const tierPeople = (tier: string): Figure => population.count('people', 'tier', { key1: tier, key2: null });
  // A scope is hidden when its people or its spells are: its risks would describe 1 to 7 people, or its mean stay 1 to 7 spells.
  const hidden = (people: Figure, scope: string): boolean => people.kind === 'suppressed' || spells.isSuppressed(spellCell(scope));
  const tierLabel = (tier: string): string => input.tiers.find((t) => String(t.tier) === tier)?.label ?? `Tier ${tier}`;

  const tableRow = (label: string, people: Figure, scope: string, estimate: OpportunityEstimate, total = false) => {
    const isHidden = hidden(people, scope);
    return {
      cells: [
        label,
        formatCount(people),
        people.kind === 'suppressed' ? suppressedMark : formatAdmissions(estimate.expectedAdmissions),
        formatCount(spells.count(spellCell(scope))),
        isHidden || estimate.meanLengthOfStay === null ? (isHidden ? suppressedMark : '–') : formatNumber(estimate.meanLengthOfStay, 1),
        isHidden || estimate.expectedBedDays === null ? (isHidden ? suppressedMark : '–') : formatNumber(roundBedDays(estimate.expectedBedDays)),
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
  // Null (no figure) when a part with expected admissions has no spells to take a length of stay from.
  let allBedDays: number | null = 0;
  for (const estimate of [tier12, ...restTiers.map((tier) => estimateOpportunity([rowFor(tier)]))]) {
    if (estimate.expectedBedDays !== null) allBedDays = allBedDays === null ? null : allBedDays + estimate.expectedBedDays;
    else if (estimate.expectedAdmissions > 0) allBedDays = null;
  }
  const allRow = tableRow('All tiers', population.count('people', 'all'), 'all', allEstimate, true);
  const allCells = [...allRow.cells];
  allCells[4] = '';
  allCells[5] = allHidden ? suppressedMark : allBedDays === null ? '–' : formatNumber(roundBedDays(allBedDays));

  const table = renderTable({
    caption: 'Expected emergency admissions and bed days in the next 12 months, by risk tier (modelled estimates)',
    columns: [
      { header: 'Tier' },
      { header: 'People', numeric: true },
      { header: 'Expected emergency admissions, next 12 months', numeric: true },
      { header: 'Emergency spells, last 12 months', numeric: true },
      { header: 'Average length of stay (days)', numeric: true },
      { header: 'Expected emergency bed days, next 12 months', numeric: true },
    ],
    rows: [
      ...tiers.map((tier) => tableRow(tierLabel(tier), tierPeople(tier), tier, estimateOpportunity([rowFor(tier)]))),
      tableRow('Tiers 1–2', tier12People, '1-2', tier12, true),
      { cells: allCells, total: true },
    ],
    note:
      'Expected admissions are the sum of the people’s risk scores (strictly, the expected number of people with at least one ' +
      `emergency admission), to 1 decimal place. Average length of stay is over the emergency spells of the people in the tier ` +
      `admitted in the 365 days to ${input.asOf} (a stay not yet ended counts to ${input.asOf}); tiers 1–2 use their combined ` +
      'average. Expected bed days are expected admissions times that average, to the nearest 10.',
  });

  const share = input.preventableShare;
  const freed = preventable(tier12, share, input.costPerBedDay);
  const shareText = formatProportion(share);
  const costText = `£${formatNumber(input.costPerBedDay)}`;
  const prevention = tier12Hidden || freed.bedDays === null
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
      'and that each tier’s stays in the next 12 months are as long, on average, as in the last 12 months. They show the ' +
      'scale of the emergency bed use that proactive care in tiers 1–2 could reduce: the funding question a ' +
      'commissioner asks.',
  );
  return { id: 'opportunity', title: 'Opportunity', html: [intro, table, prevention].join('\n') };
}
