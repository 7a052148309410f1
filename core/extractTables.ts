// The contract's extract tables (data-contract.md §2): names, columns and keys, in one place.

export interface ExtractTable {
  /** File stem in the inbox and table name in the database. */
  name: ExtractTableName;
  /** Columns exactly as the contract names them, in contract order. */
  columns: readonly string[];
  /** Columns that identify a record; a later row with the same key replaces the earlier one. */
  key: readonly string[];
}

export type ExtractTableName =
  | 'demographics'
  | 'inpatient_spells'
  | 'ae_attendances'
  | 'outpatient_appointments'
  | 'gp_conditions'
  | 'prescriptions'
  | 'mdt_reviews';

/** Load order: demographics first, so activity rows can be checked against this folder's snapshot. */
export const extractTables: readonly ExtractTable[] = [
  {
    name: 'demographics',
    columns: [
      'person_id', 'year_of_birth', 'sex', 'ethnic_category', 'lsoa_code', 'imd_decile',
      'practice_code', 'pcn_code', 'registered_on', 'date_of_death', 'opt_out',
    ],
    key: ['person_id'],
  },
  {
    name: 'inpatient_spells',
    columns: [
      'spell_id', 'person_id', 'admission_date', 'discharge_date', 'admission_method',
      'primary_diagnosis', 'secondary_diagnoses', 'treatment_specialty',
    ],
    key: ['spell_id'],
  },
  {
    name: 'ae_attendances',
    columns: ['attendance_id', 'person_id', 'arrival_at', 'department_type', 'acuity', 'admitted'],
    key: ['attendance_id'],
  },
  {
    name: 'outpatient_appointments',
    columns: [
      'appointment_id', 'person_id', 'appointment_date', 'attendance_status', 'first_attendance',
      'treatment_specialty',
    ],
    key: ['appointment_id'],
  },
  {
    name: 'gp_conditions',
    columns: ['person_id', 'condition', 'diagnosed_on'],
    key: ['person_id', 'condition'],
  },
  {
    name: 'prescriptions',
    columns: ['prescription_id', 'person_id', 'issued_on', 'bnf_code'],
    key: ['prescription_id'],
  },
  {
    // Optional in every folder (contract v2): the practices' teams' reviews of the people on their lists.
    name: 'mdt_reviews',
    columns: ['review_id', 'person_id', 'reviewed_on', 'outcome', 'review_by'],
    key: ['review_id'],
  },
];

export const fileFormats = ['.csv', '.csv.gz', '.parquet'] as const;
export type FileFormat = (typeof fileFormats)[number];

/** Splits `inpatient_spells.csv.gz` into its table and format, or returns null for a name that is not an extract file. */
export function parseExtractFileName(fileName: string): { table: ExtractTable; format: FileFormat } | null {
  for (const format of fileFormats) {
    if (!fileName.endsWith(format)) continue;
    const stem = fileName.slice(0, -format.length);
    const table = extractTables.find((t) => t.name === stem);
    // '.csv' also ends '.csv.gz'? No: '.csv.gz' does not end with '.csv', so order does not matter.
    if (table) return { table, format };
  }
  return null;
}

/** Every quarantine reason code of data-contract.md §3 (the staging files in sql/staging/ write them). */
export type QuarantineReason =
  | 'bad_date' | 'bad_code' | 'bad_value' | 'missing_value' | 'date_order' | 'future_date'
  | 'unknown_person' | 'duplicate_key' | 'direct_identifier' | 'bad_encoding';
