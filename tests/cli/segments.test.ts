// The contract's segment fixed points over a whole generated population (3,000 people, seed 15), checked against
// registers and emergency admissions computed independently from the inbox rows; PC counts in no long-term-condition
// figure of the outputs. Also prints the segment distribution.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInbox, parseGenerateSettings } from '../../synthetic/index.ts';
import { readInboxFiles, tableRows } from '../synthetic/readInbox.ts';
import { runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const asOf = '2026-11-22';
const emergencyMethods = new Set(['21', '22', '23', '24', '25', '2A', '2B', '2C', '2D', '28']);
const higherThanDisability = ['end_of_life', 'frailty_dementia', 'organ_failure'];
const root = temporaryFolder('strata-segments-');
let scored: { person_id: string; segment: string; ltc_count: number }[] = [];
let listed: { ltc_count: number; long_term_conditions: string[]; segment: string }[] = [];
const registers = new Map<string, Set<string>>();
const emergency12m = new Set<string>();
let report = '';

beforeAll(async () => {
  const inbox = join(root, 'inbox');
  await generateInbox(parseGenerateSettings({ out: inbox, persons: 3000, seed: 15, asOf, extracts: 2, badRows: false, gzip: false }));
  const out = join(root, 'out');
  const run = runCli(['run', '--inbox', inbox, '--out', out, '--db', join(root, 'strata.duckdb')]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const files = readInboxFiles(inbox);
  // Later folders correct earlier rows by key: the last version of each key wins.
  const conditions = new Map<string, string[]>();
  for (const { fields } of tableRows(files, 'gp_conditions')) conditions.set(`${fields[0]}|${fields[1]}`, fields);
  for (const [id, condition, on] of conditions.values()) {
    if ((on as string) > asOf) continue;
    registers.set(id as string, (registers.get(id as string) ?? new Set()).add(condition as string));
  }
  const spells = new Map<string, string[]>();
  for (const { fields } of tableRows(files, 'inpatient_spells')) spells.set(fields[0] as string, fields);
  const yearBefore = new Date(Date.parse(asOf) - 365 * 86_400_000).toISOString().slice(0, 10);
  for (const [, id, admitted, , method] of spells.values()) {
    if (emergencyMethods.has(method as string) && (admitted as string) > yearBefore && (admitted as string) <= asOf) emergency12m.add(id as string);
  }
  const folder = join(out, asOf);
  scored = tableFromIPC(readFileSync(join(folder, 'population_scores.arrow'))).toArray().map((r) => ({ person_id: r.person_id, segment: r.segment, ltc_count: r.ltc_count }));
  for (const name of readdirSync(join(folder, 'case-finding')).filter((n) => n.endsWith('.arrow'))) {
    for (const r of tableFromIPC(readFileSync(join(folder, 'case-finding', name))).toArray()) {
      listed.push({ ltc_count: r.ltc_count, long_term_conditions: [...r.long_term_conditions], segment: r.segment });
    }
  }
  report = readFileSync(join(folder, 'report.html'), 'utf8');
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('segments over a generated population', () => {
  it('gives every scored person one of the eight segments, and the lists carry it', () => {
    const values = new Set(['end_of_life', 'frailty_dementia', 'organ_failure', 'disability', 'complex_multimorbidity', 'long_term_conditions', 'maternity_infant', 'healthy']);
    expect(scored.length).toBeGreaterThan(2500);
    for (const p of scored) expect(values.has(p.segment), p.person_id).toBe(true);
    expect(listed.length).toBeGreaterThan(0);
    for (const p of listed) expect(values.has(p.segment)).toBe(true);
    const counts = new Map<string, number>();
    for (const p of scored) counts.set(p.segment, (counts.get(p.segment) ?? 0) + 1);
    console.log([...values].map((v) => `${v} ${counts.get(v) ?? 0} (${((100 * (counts.get(v) ?? 0)) / scored.length).toFixed(1)}%)`).join(', '));
  });

  it('holds the contract fixed points', () => {
    let onPc = 0;
    for (const p of scored) {
      const held = registers.get(p.person_id) ?? new Set<string>();
      const ltc = [...held].filter((c) => c !== 'PC').length;
      expect(p.ltc_count, p.person_id).toBe(ltc);
      if (held.has('PC')) {
        onPc++;
        expect(p.segment, p.person_id).toBe('end_of_life');
        continue;
      }
      expect(p.segment, p.person_id).not.toBe('end_of_life');
      if (held.has('DEM')) {
        expect(p.segment, p.person_id).toBe('frailty_dementia');
        continue;
      }
      if (held.has('LD')) expect([...higherThanDisability, 'disability'], p.person_id).toContain(p.segment);
      if (ltc >= 2) expect([...higherThanDisability, 'disability', 'complex_multimorbidity'], p.person_id).toContain(p.segment);
      if (ltc === 1) expect([...higherThanDisability, 'disability', 'long_term_conditions'], p.person_id).toContain(p.segment);
      if (ltc === 0 && !emergency12m.has(p.person_id)) {
        expect([...higherThanDisability, 'disability', 'maternity_infant', 'healthy'], p.person_id).toContain(p.segment);
      }
    }
    expect(onPc).toBeGreaterThan(0);
  });

  it('counts PC in no long-term-condition figure of the lists or the report', () => {
    for (const p of listed) {
      expect(p.long_term_conditions.length).toBe(p.ltc_count);
      expect(p.long_term_conditions.join(';')).not.toMatch(/pallia/i);
    }
    expect(report).not.toMatch(/pallia/i);
  });
});
