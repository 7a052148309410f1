// The inbox tables and their columns, exactly as data-contract.md section 2 names them.

export const tableColumns = {
  demographics: ['person_id', 'year_of_birth', 'sex', 'ethnic_category', 'lsoa_code', 'imd_decile', 'practice_code', 'pcn_code', 'registered_on', 'date_of_death', 'opt_out'],
  inpatient_spells: ['spell_id', 'person_id', 'admission_date', 'discharge_date', 'admission_method', 'primary_diagnosis', 'secondary_diagnoses', 'treatment_specialty'],
  ae_attendances: ['attendance_id', 'person_id', 'arrival_at', 'department_type', 'acuity', 'admitted'],
  outpatient_appointments: ['appointment_id', 'person_id', 'appointment_date', 'attendance_status', 'first_attendance', 'treatment_specialty'],
  gp_conditions: ['person_id', 'condition', 'diagnosed_on'],
  prescriptions: ['prescription_id', 'person_id', 'issued_on', 'bnf_code'],
  mdt_reviews: ['review_id', 'person_id', 'reviewed_on', 'outcome', 'review_by'],
} as const;

export type TableName = keyof typeof tableColumns;

/** Order the files are listed in each manifest. */
export const tableNames = Object.keys(tableColumns) as TableName[];

/** Truth file columns (never part of the inbox). */
export const truthColumns = ['person_id', 'p_emergency_admission', 'p_new_ltc', 'emergency_admissions_next_12m', 'new_ltc_next_12m', 'opt_out', 'care_plan_hazard_ratio'] as const;
