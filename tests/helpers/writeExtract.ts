// Test helper: writes one extract folder (files + a correct manifest) from literal CSV text.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface ExtractFileSpec {
  /** File name, e.g. 'inpatient_spells.csv' or 'prescriptions.csv.gz'. */
  name: string;
  /** Header and rows; Buffers allow invalid UTF-8. Lines are joined with '\n' and end with '\n'. */
  lines: (string | Buffer)[];
}

export function writeExtract(inbox: string, extractDate: string, files: ExtractFileSpec[]): string {
  const folder = join(inbox, extractDate);
  mkdirSync(folder, { recursive: true });
  const manifestFiles = files.map((file) => {
    const body = Buffer.concat(file.lines.flatMap((l) => [typeof l === 'string' ? Buffer.from(l) : l, Buffer.from('\n')]));
    const bytes = file.name.endsWith('.gz') ? gzipSync(body) : body;
    writeFileSync(join(folder, file.name), bytes);
    return { name: file.name, rows: file.lines.length - 1, sha256: sha256(bytes) };
  });
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ extract_date: extractDate, files: manifestFiles }, null, 2));
  return folder;
}

/** Rewrites a folder's manifest after a test has changed its files on purpose (or not). */
export function rewriteManifest(folder: string, edit: (manifest: { extract_date: string; files: { name: string; rows: number; sha256: string }[] }) => void): void {
  const path = join(folder, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  edit(manifest);
  writeFileSync(path, JSON.stringify(manifest, null, 2));
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export const demographicsHeader =
  'person_id,year_of_birth,sex,ethnic_category,lsoa_code,imd_decile,practice_code,pcn_code,registered_on,date_of_death,opt_out';
export const spellsHeader =
  'spell_id,person_id,admission_date,discharge_date,admission_method,primary_diagnosis,secondary_diagnoses,treatment_specialty';
export const aeHeader = 'attendance_id,person_id,arrival_at,department_type,acuity,admitted';
export const outpatientHeader = 'appointment_id,person_id,appointment_date,attendance_status,first_attendance,treatment_specialty';
export const conditionsHeader = 'person_id,condition,diagnosed_on';
export const prescriptionsHeader = 'prescription_id,person_id,issued_on,bnf_code';
export const mdtReviewsHeader = 'review_id,person_id,reviewed_on,outcome,review_by';

/** A demographics row with sensible defaults. */
export function person(id: string, overrides: Partial<Record<string, string>> = {}): string {
  const row: Record<string, string> = {
    person_id: id, year_of_birth: '1950', sex: '2', ethnic_category: 'A', lsoa_code: 'E01000001', imd_decile: '3',
    practice_code: 'A81001', pcn_code: 'U12345', registered_on: '2000-01-01', date_of_death: '', opt_out: 'N',
    ...overrides,
  };
  return demographicsHeader.split(',').map((c) => row[c] ?? '').join(',');
}
