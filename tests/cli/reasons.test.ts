// Every reason an MDT reads is true of that person (data contract §4 v2, issue 12): on a generated population of
// 20,000, end to end from the CLI, each person's top_factors in population_scores.arrow is worked out again from
// their own feature row by the plain TypeScript in tests/helpers/independentTerms.ts (not the SQL that produced it):
// only what the person has, only what adds to their risk against a person without it, largest first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { noReasonSentence } from '../../models/scorePopulation.ts';
import { contribution, type FeatureRow, independentFactors } from '../helpers/independentTerms.ts';
import { readOnlyRows } from '../helpers/outputFiles.ts';
import { runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const persons = 20_000;
const maxReasons = 4;
/** Beyond the first three, a reason must add at least this much to the log-odds (models/scorePopulation.ts). */
const minExtraContribution = 0.1;

interface Person {
  row: FeatureRow;
  reasons: string[];
}

let people: Person[] = [];
let card: { intercept: number; terms: { id: string; coefficient: number }[]; sign_constraint: { chosen: string } };

beforeAll(async () => {
  const folder = temporaryFolder('strata-reasons-');
  const inbox = join(folder, 'inbox');
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
  expect(reasonsById.size).toBe(rows.length);
}, 240_000);

/** The reasons the contract allows for this person, from the independent reference, largest contribution first. */
function expectedReasons(row: FeatureRow): { sentence: string; contribution: number }[] {
  const candidates = independentFactors
    .map((factor, order) => ({ factor, order, contribution: contribution(factor, card, row) }))
    .filter(({ factor, contribution: c }) => factor.has(row) && c > 0)
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
    const plurals = /^1 (emergency admissions|emergency bed days|A&E attendances|outpatient attendances|missed outpatient appointments|long-term conditions|different medicines)\b/;
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
});
