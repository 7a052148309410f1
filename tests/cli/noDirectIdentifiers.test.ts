// Security promise: a value that looks like an NHS number never reaches an output, whatever path it took
// in: as a person_id in any file, or in another column of a row that loads. Every byte of every output
// file is scanned for a 10-digit run that passes the modulus-11 check.
import { readFileSync, readdirSync, statSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { pathsUnder } from '../helpers/outputFiles.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { writeExtract } from '../helpers/writeExtract.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const lastSampleNight = readdirSync(sampleInbox).sort().at(-1)!;
const plantedNight = '2026-11-23';

/** A valid NHS number: nine digits and their modulus-11 check digit (never 10). */
function nhsNumber(seed: number): string {
  for (let n = seed; ; n++) {
    const digits = String(400_000_000 + n).padStart(9, '0');
    const sum = [...digits].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return `${digits}${check}`;
  }
}

function isNhsNumber(value: string): boolean {
  const sum = [...value.slice(0, 9)].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
  const check = (11 - (sum % 11)) % 11;
  return check !== 10 && check === Number(value[9]);
}

function linesOf(path: string): string[] {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter((l) => l !== '');
}

describe('no NHS number reaches an output', () => {
  const planted: string[] = [];
  let out: string;
  let result: ReturnType<typeof runCli>;

  beforeAll(() => {
    const inbox = temporaryFolder('strata-identifiers-');
    cpSync(sampleInbox, inbox, { recursive: true });
    const source = join(sampleInbox, lastSampleNight);
    let seed = 1;
    const files = readdirSync(source).filter((name) => name !== 'manifest.json').map((name) => {
      const [header, first, ...rest] = linesOf(join(source, name));
      const plain = name.replace(/\.gz$/, '');
      const columns = header!.split(',');
      const personColumn = columns.indexOf('person_id');
      const withValue = (line: string, column: number, value: string) => line.split(',').map((v, i) => (i === column ? value : v)).join(',');
      // As a person_id: quarantined as direct_identifier (and masked in quarantine.csv).
      const asPerson = nhsNumber(seed++);
      planted.push(asPerson);
      const asPersonRow = withValue(first!, personColumn, asPerson);
      if (plain === 'demographics.csv') return { name: plain, lines: [header!, first!, ...rest, asPersonRow] };
      // In the row's own id column (spell_id, prescription_id, ...): this row loads.
      const idColumn = columns.findIndex((c) => c.endsWith('_id') && c !== 'person_id');
      if (idColumn < 0) return { name: plain, lines: [header!, asPersonRow] };
      const asRecordId = nhsNumber(seed++);
      planted.push(asRecordId);
      return { name: plain, lines: [header!, asPersonRow, withValue(first!, idColumn, asRecordId)] };
    });
    writeExtract(inbox, plantedNight, files);
    out = temporaryFolder('strata-identifiers-out-');
    result = runCli(['run', '--inbox', inbox, '--out', out]);
  });

  it('runs, quarantining the NHS numbers used as person_id', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const quarantine = readFileSync(join(out, plantedNight, 'quarantine.csv'), 'utf8');
    const tonight = quarantine.split('\n').filter((line) => line.startsWith(plantedNight));
    expect(tonight.filter((line) => line.includes(',direct_identifier,'))).toHaveLength(6); // one per file
    // The activity rows with an NHS number in their own id column were not quarantined: they loaded.
    expect(tonight.filter((line) => !line.includes(',demographics.csv,'))).toHaveLength(5);
  });

  it('leaves no 10-digit value passing the modulus-11 check in any byte of any output file', () => {
    const outputs = pathsUnder(join(out, plantedNight)).filter((path) => statSync(path).isFile());
    expect(outputs.length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const path of outputs) {
      const text = readFileSync(path).toString('latin1');
      for (const match of text.matchAll(/(?<!\d)\d{10}(?!\d)/g)) if (isNhsNumber(match[0])) found.push(`${path}: ${match[0]}`);
      for (const value of planted) if (text.includes(value)) found.push(`${path}: planted ${value}`);
    }
    expect(found).toEqual([]);
  });
});
