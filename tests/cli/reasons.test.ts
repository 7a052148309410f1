// Every reason an MDT reads is true of that person (data contract §4 v2, issue 12): on a generated population of
// 20,000, end to end from the CLI, each person's top_factors in population_scores.arrow is worked out again from
// their own feature row by the plain TypeScript in tests/helpers/independentTerms.ts (not the SQL that produced it):
// only what the person has, only what adds to their risk against a person without it, ordered by how much more it
// adds for them than for the average person scored that night (each term at its mean over the population).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { noReasonSentence } from '../../models/scorePopulation.ts';
import { contribution, type FeatureRow, independentFactors, independentTermValue } from '../helpers/independentTerms.ts';
import { listFactsFromInbox, recentAdmissionReasonHolds } from '../helpers/listFacts.ts';
import { readOnlyRows } from '../helpers/outputFiles.ts';
import { runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const persons = 20_000;
const maxReasons = 4;
/** Beyond the first three, a reason must add at least this much more than for the average person (models/scorePopulation.ts). */
const minExtraContribution = 0.1;

interface Person {
  row: FeatureRow;
  reasons: string[];
}

let people: Person[] = [];
let inbox = '';
let card: { intercept: number; terms: { id: string; coefficient: number }[]; sign_constraint: { chosen: string } };
/** Each term's mean over everyone scored, to 6 decimal places as the run rounds it. */
let means: Record<string, number> = {};

beforeAll(async () => {
  const folder = temporaryFolder('strata-reasons-');
  inbox = join(folder, 'inbox');
  const out = join(folder, 'out');
  const generated = runCli(['generate', '--out', inbox, '--persons', String(persons), '--seed', '12']);
  expect(generated.status, generated.stderr).toBe(0);
  const run = runCli(['run', '--inbox', inbox, '--out', out, '--log-format', 'json']);
  expect(run.status, run.stderr).toBe(0);
  const night = join(out, '2026-11-22');
  card = JSON.parse(readFileSync(join(night, 'models', 'ea_model_card.json'), 'utf8'));
  // What the MDT reads: the Arrow output, joined by person to the features the run scored.
  const table = tableFromIPC(readFileSync(join(night, 'population_scores.arrow')));
  const reasonsById = new Map<string, string[]>();
  const ids = table.getChild('person_id')!;
  const factors = table.getChild('top_factors')!;
  for (let i = 0; i < table.numRows; i++) reasonsById.set(String(ids.get(i)), [...(factors.get(i) as Iterable<string>)]);
  const rows = await readOnlyRows(join(out, 'strata.duckdb'), 'SELECT * FROM scoring_features ORDER BY person_id');
  people = rows.map((row) => ({ row, reasons: reasonsById.get(String(row['person_id'])) ?? [] }));
  for (const term of card.terms) {
    const sum = rows.reduce((total, row) => total + independentTermValue('ea', term.id, row), 0);
    means[term.id] = Math.round((sum / rows.length) * 1e6) / 1e6;
  }
  expect(reasonsById.size).toBe(rows.length);
}, 240_000);

/** What a factor adds to this person's log-odds beyond what it adds to the average person's. */
function beyondAverage(factor: (typeof independentFactors)[number], row: FeatureRow): number {
  let total = 0;
  for (const term of card.terms) {
    if (factor.terms.includes(term.id)) total += term.coefficient * (independentTermValue('ea', term.id, row) - means[term.id]!);
  }
  return total;
}

/**
 * The reasons the contract allows for this person (what they have, adding to their risk against a person without
 * it), from the independent reference, the one adding most beyond the average person first.
 */
function expectedReasons(row: FeatureRow): { sentence: string; contribution: number }[] {
  const candidates = independentFactors
    .map((factor, order) => ({ factor, order, againstNone: contribution(factor, card, row), contribution: beyondAverage(factor, row) }))
    .filter(({ factor, againstNone }) => factor.has(row) && againstNone > 0)
    .sort((a, b) => b.contribution - a.contribution || a.order - b.order);
  return candidates
    .filter((c, index) => index < 3 || c.contribution >= minExtraContribution)
    .slice(0, maxReasons)
    .map((c) => ({ sentence: c.factor.sentence(row), contribution: c.contribution }));
}

describe('top_factors on a generated population of 20,000', () => {
  it('scores at least 15,000 people, most of them with a reason, and the sign-constrained model', () => {
    expect(people.length).toBeGreaterThan(15_000);
    expect(people.filter((p) => p.reasons[0] !== noReasonSentence).length).toBeGreaterThan(people.length / 2);
    expect(card.sign_constraint.chosen).toBe('non-negative');
  });

  it('gives every person exactly the reasons the independent reference gives, in its order', () => {
    const wrong: string[] = [];
    for (const { row, reasons } of people) {
      const expected = expectedReasons(row);
      const sentences = expected.length === 0 ? [noReasonSentence] : expected.map((e) => e.sentence);
      if (JSON.stringify(reasons) === JSON.stringify(sentences)) continue;
      // Contributions equal to rounding may come in either order.
      const sameSet = [...reasons].sort().join('|') === [...sentences].sort().join('|');
      const nearTie = expected.some((e, i) => i > 0 && Math.abs(e.contribution - expected[i - 1]!.contribution) < 1e-9);
      if (sameSet && nearTie) continue;
      wrong.push(`${String(row['person_id'])}: got ${JSON.stringify(reasons)}, expected ${JSON.stringify(sentences)}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('never says "0 ...", "(low)" or "1 ...s", and never gives a child an age', () => {
    const plurals = /(^|On )1 (emergency admissions|emergency bed days|A&E attendances|outpatient attendances|missed outpatient appointments|long-term condition registers|different medicines)\b|Discharged [01] days/;
    const wrong: string[] = [];
    for (const { row, reasons } of people) {
      for (const reason of reasons) {
        if (/(^|[^0-9.])0 [a-zA-Z&]/.test(reason) || /\(low/.test(reason) || plurals.test(reason) || (Number(row['age']) < 18 && /^Aged /.test(reason))) {
          wrong.push(`${String(row['person_id'])} (age ${String(row['age'])}): ${reason}`);
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('names a register only for someone on it, and a count only for someone with at least one', () => {
    const registers = independentFactors.filter((f) => f.terms.length === 1 && /^ltc_[a-z]+$/.test(f.terms[0]!));
    const wrong: string[] = [];
    for (const { row, reasons } of people) {
      for (const reason of reasons) {
        if (/ on GP register$/.test(reason)) {
          const factor = registers.find((f) => f.sentence(row) === reason);
          if (!factor || !factor.has(row)) wrong.push(`${String(row['person_id'])}: ${reason}`);
        }
        const count = /^(\d+) /.exec(reason);
        if (count && Number(count[1]) < 1) wrong.push(`${String(row['person_id'])}: ${reason}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('holds every term of a factor the person does not have at its reference, so the fallback sentence is true', () => {
    // Age is the one factor whose terms move without it (under-25s): the fallback sentence says "beyond their age
    // and sex" for that reason.
    const wrong: string[] = [];
    for (const { row, reasons } of people) {
      for (const factor of independentFactors) {
        if (factor.id === 'age') continue;
        const c = contribution(factor, card, row);
        if (!factor.has(row) && c !== 0) wrong.push(`${String(row['person_id'])}: ${factor.id} contributes ${c} without being had`);
        if (reasons[0] === noReasonSentence && factor.has(row) && c > 0) wrong.push(`${String(row['person_id'])}: fallback, but ${factor.id} adds ${c}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('says "Discharged N days ago" or "In hospital now" only as the inbox\'s own spells say, read without the SQL', () => {
    const recent = people.flatMap(({ row, reasons }) => reasons
      .filter((reason) => /^(Discharged|In hospital now)/.test(reason))
      .map((reason) => ({ id: String(row['person_id']), reason })));
    expect(recent.length).toBeGreaterThan(50);
    expect(recent.some(({ reason }) => reason.startsWith('In hospital now'))).toBe(true);
    // Generated without bad rows: nothing is quarantined.
    const facts = listFactsFromInbox(inbox, new Set(), '2026-11-22', [...new Set(recent.map((r) => r.id))]);
    expect(recent.filter(({ id, reason }) => !recentAdmissionReasonHolds(reason, facts.get(id)!, '2026-11-22'))).toEqual([]);
  });
});
