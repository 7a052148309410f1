// The code lists the report needs, read from the project's reference CSVs (sql/reference/) so each list
// lives in one place: which admission methods are emergencies, and what each GP register is called.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const referenceFolder = join(dirname(fileURLToPath(import.meta.url)), '..', 'sql', 'reference');

export interface LtcRegister {
  readonly code: string;
  readonly name: string;
}

let emergencyMethods: readonly string[] | undefined;
let registers: readonly LtcRegister[] | undefined;

/** Admission method codes of an emergency admission (data contract §2, inpatient_spells). */
export function emergencyAdmissionMethods(): readonly string[] {
  emergencyMethods ??= readReferenceCsv('admission_methods.csv')
    .filter((row) => row['admission_group'] === 'emergency')
    .map((row) => required(row, 'admission_method', 'admission_methods.csv'));
  if (emergencyMethods.length === 0) throw new Error('sql/reference/admission_methods.csv lists no emergency admission method');
  return emergencyMethods;
}

/** The QOF registers, in the order of the reference file. */
export function ltcRegisters(): readonly LtcRegister[] {
  registers ??= readReferenceCsv('ltc_registers.csv').map((row) => ({
    code: required(row, 'condition', 'ltc_registers.csv'),
    name: required(row, 'condition_name', 'ltc_registers.csv'),
  }));
  return registers;
}

/** A small CSV reader for the reference files: '#' comment lines, a header row, optional double quotes. */
export function parseReferenceCsv(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const [header, ...rows] = lines.map(splitCsvLine);
  if (!header) return [];
  return rows.map((fields) => Object.fromEntries(header.map((name, index) => [name, fields[index] ?? ''])));
}

function readReferenceCsv(file: string): Record<string, string>[] {
  return parseReferenceCsv(readFileSync(join(referenceFolder, file), 'utf8'));
}

function required(row: Record<string, string>, column: string, file: string): string {
  const value = row[column];
  if (!value) throw new Error(`sql/reference/${file}: a row has no ${column}`);
  return value;
}

function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index] as string;
    if (quoted) {
      if (character === '"' && line[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') {
        quoted = false;
      } else {
        field += character;
      }
    } else if (character === '"') {
      quoted = true;
    } else if (character === ',') {
      fields.push(field);
      field = '';
    } else {
      field += character;
    }
  }
  fields.push(field);
  return fields;
}
